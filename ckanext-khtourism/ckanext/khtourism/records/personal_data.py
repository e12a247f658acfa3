"""Personal data of tour guides: access log, export of one person's data, erasure.

See docs/privacy.md for the purpose, the legal basis and what is kept by law.

* :func:`log_access` writes one ``khtourism_privacy_access`` row (migration
  khts_0005) each time a person is shown a record's private fields
  (``records.privacy.after_show``: pages, action API; the tourism API; the
  export; the erasure). Internal reads (indexing, activity, harvest imports:
  ``ignore_auth`` or the site user) are not accesses by a person. The row is
  written on its own connection: a read request has nothing to commit.
* :func:`export` gathers everything the portal holds about the person of a
  guide record: the record with its private fields, pending revisions, raw
  harvest rows, the access log of the record.
* :func:`erase` blanks the private fields of the record and of every copy
  the portal keeps (pending revisions, activity stream, raw harvest rows).
  The public registry data of the guide card (card number, type, validity,
  issuing province, full name) is kept: the Law on Tourism makes it public.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.workflow import roles

from . import privacy

log = logging.getLogger(__name__)

ACCESS_TABLE = sa.Table(
    "khtourism_privacy_access",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("accessed_at", sa.DateTime, nullable=False),
    sa.Column("user_name", sa.UnicodeText, nullable=False),
    sa.Column("user_id", sa.UnicodeText),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("package_name", sa.UnicodeText),
    sa.Column("access", sa.UnicodeText, nullable=False),
    sa.Column("via", sa.UnicodeText),
)
SHOW, EXPORT, ERASE, API = "show", "export", "erase", "api"
# public registry data of a guide card (Law on Tourism 09/2017/QH14, art. 58-62): kept
KEPT_BY_LAW = (
    "full_name",
    "card_number",
    "card_type",
    "card_issue_date",
    "card_expiry_date",
    "issuing_province",
)
PURPOSE = {
    "vi": (
        "Quản lý nhà nước về hướng dẫn viên du lịch: xác minh thẻ hướng dẫn viên, "
        "liên hệ khi cần và thống kê ngành; không công bố."
    ),
    "en": (
        "State management of tour guides: verifying guide cards, contacting the guide "
        "when needed and sector statistics; never published."
    ),
}
LEGAL_BASIS = (
    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; Nghị định 13/2023/NĐ-CP; "
    "Luật Du lịch 09/2017/QH14 (thẻ hướng dẫn viên du lịch)"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _request_path() -> str | None:
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - Flask is part of CKAN
        return None
    return request.path if has_request_context() else None


def _already_logged(key: tuple[str, str, str]) -> bool:
    """One row per person, record and kind of access per request."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover
        return False
    if not has_request_context():
        return False
    seen = g.setdefault("_khtourism_privacy_logged", set())
    if key in seen:
        return True
    seen.add(key)
    return False


def is_person(user: model.User | None, context: dict[str, Any]) -> bool:
    """A read by a person (not indexing, activity, harvest: internal calls)."""
    if user is None or context.get("ignore_auth"):
        return False
    site_user = tk.config.get("ckan.site_id")
    return user.name != site_user


def log_access(
    user: model.User, package_id: str, package_name: str | None, access: str = SHOW
) -> None:
    log_accesses(user, [(package_id, package_name)], access)


def log_accesses(
    user: model.User, records: list[tuple[str, str | None]], access: str = SHOW
) -> None:
    """One row per record (one statement for all), on its own connection."""
    via = _request_path()
    now = _now()
    rows = [
        {
            "accessed_at": now,
            "user_name": user.name,
            "user_id": user.id,
            "package_id": package_id,
            "package_name": package_name,
            "access": access,
            "via": via,
        }
        for package_id, package_name in records
        if not _already_logged((user.id, package_id, access))
    ]
    if not rows:
        return
    try:
        with model.meta.engine.begin() as connection:
            connection.execute(ACCESS_TABLE.insert(), rows)
    except sa.exc.SQLAlchemyError:
        # the access itself must not fail for its log row; the failure is logged loudly
        log.exception("personal data access of %s could not be logged", user.name)


def access_log(
    package_id: str | None = None, user_name: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    query = sa.select(ACCESS_TABLE).order_by(ACCESS_TABLE.c.id.desc())
    if package_id:
        query = query.where(ACCESS_TABLE.c.package_id == package_id)
    if user_name:
        query = query.where(ACCESS_TABLE.c.user_name == user_name)
    rows = model.Session.execute(query.limit(limit).offset(offset)).mappings().all()
    return [{**row, "accessed_at": row["accessed_at"].isoformat()} for row in rows]


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
    from ckanext.khtourism.workflow.model import PendingRevision

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
        log_access(user, pkg.id, pkg.name, EXPORT)
    return {
        "exported_at": _now().isoformat() + "Z",
        "exported_by": user.name if user else None,
        "purpose": PURPOSE,
        "legal_basis": LEGAL_BASIS,
        "record": record,
        "personal_data": {name: record.get(name) for name in fields if record.get(name)},
        "public_registry_data": {name: record.get(name) for name in KEPT_BY_LAW},
        "pending_revisions": _revisions(pkg.id),
        "harvest_rows": _harvest_rows(pkg.id),
        "access_log": access_log(package_id=pkg.id, limit=10000),
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
    from ckanext.khtourism.harvesters import raw_rows
    from ckanext.khtourism.workflow import states
    from ckanext.khtourism.workflow.model import PendingRevision

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
        log_access(user, pkg.id, pkg.name, ERASE)
    return {
        "id": pkg.id,
        "name": pkg.name,
        "erased_fields": held,
        "kept_by_law": _held(pkg.id, KEPT_BY_LAW),
        "pending_revisions_cleaned": revisions,
        "activities_cleaned": activities,
        "harvest_rows_deleted": harvest_rows,
    }
