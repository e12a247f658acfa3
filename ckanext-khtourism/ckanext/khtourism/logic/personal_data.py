"""Export and erasure of the personal data of one tour guide (docs/privacy.md).

* :func:`export` gathers everything the portal holds about the person of a
  guide record: the record with its private fields, pending revisions, raw
  harvest rows, the access log of the record.
* :func:`erase` blanks the private fields of the record and of every copy
  the portal keeps (pending revisions, activity stream, raw harvest rows).
  The public registry data of the guide card (card number, type, validity,
  issuing province, full name) is kept: the Law on Tourism makes it public.

The access log and the facts of the processing (purpose, legal basis, what is kept
by law) are ``records/personal_data.py``'s.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import roles, states
from ckanext.khtourism.harvesters import raw_rows
from ckanext.khtourism.records import personal_data, privacy
from ckanext.khtourism.workflow.model import PendingRevision


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# --- export ---------------------------------------------------------------------------------
def _harvest_rows(package_id: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.text(
            "SELECT o.id, o.guid, o.harvest_source_id, o.gathered, o.current, o.content "
            "FROM harvest_object o WHERE o.package_id = :id ORDER BY o.gathered"
        ),
        {"id": package_id},
    ).mappings()
    return [
        {
            "id": row["id"],
            "guid": row["guid"],
            "source_id": row["harvest_source_id"],
            "gathered": row["gathered"].isoformat() if row["gathered"] else None,
            "current": row["current"],
            "content": json.loads(row["content"]) if row["content"] else None,
        }
        for row in rows
    ]


def _revisions(package_id: str) -> list[dict[str, Any]]:
    revisions = (
        model.Session.query(PendingRevision)
        .filter(PendingRevision.package_id == package_id)
        .order_by(PendingRevision.submitted_at)
    )
    return [
        {
            "id": revision.id,
            "state": revision.state,
            "submitted_at": revision.submitted_at.isoformat(),
            "proposed": revision.proposed,
        }
        for revision in revisions
    ]


def export(context: dict[str, Any], pkg: model.Package) -> dict[str, Any]:
    """Everything the portal holds about the person of the guide record ``pkg``."""
    show_context = {
        "user": context.get("user"),
        "auth_user_obj": context.get("auth_user_obj"),
        "use_cache": False,
        # the export's own access row is written below, not package_show's
        "ignore_auth": True,
    }
    record = tk.get_action("package_show")(show_context, {"id": pkg.id})
    fields = privacy.private_fields(pkg.type)
    user = roles.context_user(context)
    if user is not None:
        personal_data.log_access(user, pkg.id, pkg.name, personal_data.EXPORT)
    return {
        "exported_at": _now().isoformat() + "Z",
        "exported_by": user.name if user else None,
        "purpose": personal_data.PURPOSE,
        "legal_basis": personal_data.LEGAL_BASIS,
        "record": record,
        "personal_data": {name: record.get(name) for name in fields if record.get(name)},
        "public_registry_data": {name: record.get(name) for name in personal_data.KEPT_BY_LAW},
        "pending_revisions": _revisions(pkg.id),
        "harvest_rows": _harvest_rows(pkg.id),
        "access_log": personal_data.access_log(package_id=pkg.id, limit=10000),
    }


# --- erasure --------------------------------------------------------------------------------
def _without(value: Any, fields: tuple[str, ...]) -> Any:
    """``value`` without the private fields, at any depth (dict keys, extras entries)."""
    if isinstance(value, dict):
        return {k: _without(v, fields) for k, v in value.items() if k not in fields}
    if isinstance(value, list):
        return [
            _without(v, fields)
            for v in value
            if not (isinstance(v, dict) and v.get("key") in fields)
        ]
    return value


def _strip_json(text: str | None, fields: tuple[str, ...]) -> str | None:
    """``text`` (JSON) without the private fields, or None when it holds none."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    stripped = _without(data, fields)
    return None if stripped == data else json.dumps(stripped, ensure_ascii=False)


def _held(package_id: str, names: tuple[str, ...]) -> list[str]:
    """The fields of ``names`` the record holds a value for (read from the table: a
    package object of the session may carry extras read before a commit)."""
    found = set(
        model.Session.execute(
            sa.text(
                "SELECT key FROM package_extra WHERE package_id = :id AND key = ANY(:names) "
                "AND state = 'active' AND value <> ''"
            ),
            {"id": package_id, "names": list(names)},
        ).scalars()
    )
    return [name for name in names if name in found]


def erase(context: dict[str, Any], pkg: model.Package) -> dict[str, Any]:
    """Blank the private fields of ``pkg`` everywhere the portal keeps them."""
    fields = privacy.private_fields(pkg.type)
    held = _held(pkg.id, fields)
    patch_context = {
        "user": context.get("user"),
        "auth_user_obj": context.get("auth_user_obj"),
        states.APPLY_DIRECTLY_FLAG: True,
    }
    if held:
        tk.get_action("package_patch")(patch_context, {"id": pkg.id, **dict.fromkeys(held, "")})
    revisions = 0
    for revision in model.Session.query(PendingRevision).filter(
        PendingRevision.package_id == pkg.id
    ):
        stripped = _strip_json(revision.data, fields)
        if stripped is not None:
            revision.data = stripped
            revisions += 1
    activities = 0
    for activity_id, data in model.Session.execute(
        sa.text("SELECT id, data FROM activity WHERE object_id = :id"), {"id": pkg.id}
    ):
        text = data if isinstance(data, str) else json.dumps(data)
        stripped = _strip_json(text, fields)
        if stripped is not None:
            model.Session.execute(
                sa.text("UPDATE activity SET data = :data WHERE id = :id"),
                {"data": stripped, "id": activity_id},
            )
            activities += 1
    harvest_rows = raw_rows.purge_for_packages([pkg.id])
    model.Session.commit()
    user = roles.context_user(context)
    if user is not None:
        personal_data.log_access(user, pkg.id, pkg.name, personal_data.ERASE)
    return {
        "id": pkg.id,
        "name": pkg.name,
        "erased_fields": held,
        "kept_by_law": _held(pkg.id, personal_data.KEPT_BY_LAW),
        "pending_revisions_cleaned": revisions,
        "activities_cleaned": activities,
        "harvest_rows_deleted": harvest_rows,
    }
