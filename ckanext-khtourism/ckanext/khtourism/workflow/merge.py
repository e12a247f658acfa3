"""Merging the two records of one establishment (curators, from the duplicates view).

The candidates and the curators' decisions are kept by ``records/duplicates.py``; a
merge also writes the change log and both records' activity streams.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.changelog import changes
from ckanext.khtourism.core import messages
from ckanext.khtourism.records import duplicates
from ckanext.khtourism.records.schema_choices import dataset_fields

from . import activity


def merge(context: dict[str, Any], one_id: str, other_id: str) -> dict[str, Any]:
    """Merge two records of one establishment; returns {kept, removed} (ids and names).

    The record with the older identifier is kept; its empty fields are filled from the
    other's; the other is deleted, its harvest sources now follow the kept record, its
    URL redirects there (views), and the change feed's removal names ``replaced_by``. Both
    records' activity streams say so. Everything commits together.
    """
    one, other = model.Package.get(one_id), model.Package.get(other_id)
    if one is None or other is None or one.state != "active" or other.state != "active":
        raise tk.ObjectNotFound("record not found")
    if one.id == other.id:
        raise tk.ValidationError({"other_id": [messages.text("merge_with_itself")]})
    if one.type != other.type:
        raise tk.ValidationError({"other_id": [messages.text("merge_types_differ")]})
    kept, removed = duplicates.survivor_of(one, other)
    user = context.get("user")
    ctx = {"user": user, "model": model, "session": model.Session}
    kept_dict = tk.get_action("package_show")(dict(ctx), {"id": kept.id})
    removed_dict = tk.get_action("package_show")(dict(ctx), {"id": removed.id})
    skip = {"id", "name", "establishment_id", "workflow_state", "workflow_reason", "owner_org"}
    skip |= {"source_name", "source_record_id", "source_url", "harvested_at"}
    schema_fields = {field["field_name"] for field in dataset_fields(kept.type)}
    gaps = {
        key: value
        for key, value in removed_dict.items()
        if key in schema_fields
        and key not in skip
        and isinstance(value, (str, int, float, list))
        and value not in ("", [], None)
        and kept_dict.get(key) in (None, "", [])
    }
    if gaps:
        kept_dict.update(gaps)
        tk.get_action("package_update")(dict(ctx), kept_dict)
    duplicates.decide(kept.id, removed.id, duplicates.MERGED, user or "", reason="merged")
    removed_name = removed.name
    tk.get_action("package_delete")(dict(ctx), {"id": removed.id})
    changes.mark_replaced(removed.id, kept.id)
    # the removed record's harvest sources now keep the kept record up to date
    model.Session.execute(
        sa.text(
            "UPDATE harvest_object SET package_id = :kept WHERE package_id = :removed "
            "AND current = true"
        ),
        {"kept": kept.id, "removed": removed.id},
    )
    actor = model.User.get(user) if user else None
    if actor is not None:
        for package, transition in ((kept, "merge_kept"), (removed, "merge_removed")):
            state = (package.extras or {}).get("workflow_state", "")
            activity.record_transition(
                package,
                actor,
                transition,
                state,
                state,
                reason=f"{removed_name} → {kept.name}",
            )
    model.Session.commit()
    return {
        "kept": {"id": kept.id, "name": kept.name},
        "removed": {"id": removed.id, "name": removed_name},
        "filled": sorted(gaps),
    }
