"""Workflow transitions in CKAN's activity stream (the ``activity`` plugin).

Each transition is one ``khtourism workflow package`` activity (CKAN recognises package activities by the word "package" in the type) on the record, with
who (the activity's user) and when (its timestamp), the transition, the states
and the reason. Its data holds a small summary of the record, never the full
dict (so no personal data), and it carries the record's permission labels, so
it is visible to exactly those who may see the record.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels

from ckanext.khtourism import compat

ACTIVITY_TYPE = "khtourism workflow package"


def register_activity_type() -> None:
    """Let ``activity_create`` accept our activity type (its object is a package; compat
    entry ``workflow.activity_object_id_validators``)."""
    compat.setdefault("workflow.activity_object_id_validators", ACTIVITY_TYPE, "package_id_exists")


def record_transition(
    pkg: model.Package,
    actor: model.User,
    transition: str,
    from_state: str,
    to_state: str,
    reason: str | None = None,
    revision_id: str | None = None,
) -> None:
    if not tk.config.get("ckan.activity_streams_enabled") or not plugins.plugin_loaded("activity"):
        return
    data: dict[str, Any] = {
        "package": {"id": pkg.id, "name": pkg.name, "title": pkg.title, "type": pkg.type},
        "workflow": {
            "transition": transition,
            "from_state": from_state,
            "to_state": to_state,
            "reason": reason or "",
            "revision_id": revision_id or "",
        },
        "actor": actor.name,
    }
    tk.get_action("activity_create")(
        {"ignore_auth": True, "user": actor.name},
        {
            "user_id": actor.id,
            "object_id": pkg.id,
            "activity_type": ACTIVITY_TYPE,
            "data": data,
            "permission_labels": get_permission_labels().get_dataset_labels(pkg),
        },
    )
