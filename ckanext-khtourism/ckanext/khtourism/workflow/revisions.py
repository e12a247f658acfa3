"""Edits of published records by their business become pending revisions."""

from __future__ import annotations

import json
from typing import Any

import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages, roles, states
from ckanext.khtourism.core.record_types import is_record_type

from . import activity, diff
from .model import PENDING, SUPERSEDED, PendingRevision


def _package_for(data_dict: dict[str, Any]) -> model.Package | None:
    ref = data_dict.get("id") or data_dict.get("name")
    return model.Package.get(ref) if ref else None


def needs_review(context: dict[str, Any], pkg: model.Package | None) -> bool:
    """Does an update of ``pkg`` in this context become a pending revision?"""
    if pkg is None or not is_record_type(pkg.type) or pkg.state != "active":
        return False
    if context.get(states.APPLY_DIRECTLY_FLAG) or context.get(states.WORKFLOW_CONTEXT_FLAG):
        return False
    if states.current_state(dict(pkg.extras)) != states.PUBLISHED:
        return False
    user = roles.context_user(context)
    if user is None and context.get("ignore_auth"):
        return False  # internal calls (CLI, site user)
    return not roles.is_curator(user)


def validate_proposal(
    context: dict[str, Any], pkg: model.Package, data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Validate like ``package_update`` would; raise ValidationError naming each field."""
    plugin = lib_plugins.lookup_package_plugin(pkg.type)
    schema = context.get("schema") or plugin.update_package_schema()
    validation_context = dict(context, package=pkg, allow_partial_update=False)
    data, errors = lib_plugins.plugin_validate(
        plugin, validation_context, dict(data_dict, type=pkg.type), schema, "package_update"
    )
    if errors:
        model.Session.rollback()
        raise tk.ValidationError(errors)
    return data


def propose(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any] | str:
    """Store an edit of a published record as a pending revision; return the approved record."""
    pkg = _package_for(data_dict)
    assert pkg is not None
    # like package_update: the record may be named by its name; validation wants its id
    data_dict = dict(data_dict, id=pkg.id)
    tk.check_access("package_update", context, data_dict)
    # A proposal never deletes the record nor changes its visibility: the diff curators
    # review does not show these columns (diff.IGNORED), so approving must not apply them.
    if data_dict.get("state") not in (None, "", pkg.state):
        raise tk.ValidationError({"state": [messages.text("state_locked")]})
    data_dict.pop("state", None)
    data_dict["private"] = pkg.private
    # CKAN's edit form sends the tags twice: as typed (``tag_string``) and as the list it
    # derives from them (``tags``); validation appends the first to the second, so every
    # proposal showed each tag twice ("accommodation, accommodation, …"). CKAN's own save
    # drops the duplicates; the proposal keeps the tags once, from ``tag_string``.
    if isinstance(data_dict.get("tag_string"), str) and "tags" in data_dict:
        data_dict.pop("tags")
    validated = validate_proposal(context, pkg, data_dict)
    user = roles.context_user(context)
    assert user is not None

    for older in model.Session.query(PendingRevision).filter(
        PendingRevision.package_id == pkg.id, PendingRevision.state == PENDING
    ):
        older.state = SUPERSEDED
    stored = {
        "data_dict": dict(data_dict, id=pkg.id),
        "proposed_values": diff.stored_values(validated),
    }
    revision = PendingRevision(
        package_id=pkg.id,
        data=json.dumps(stored, default=str),
        submitted_by=user.id,
    )
    model.Session.add(revision)
    model.Session.commit()
    activity.record_transition(
        pkg, user, "propose_revision", states.PUBLISHED, states.PUBLISHED, revision_id=revision.id
    )
    shown = tk.get_action("package_show")(
        {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
        {"id": pkg.id},
    )
    shown["khtourism_pending_revision"] = revision.as_dict()
    if context.get("return_id_only"):
        return str(pkg.id)  # CKAN's package_update contract
    return shown


def revision_dict(
    revision: PendingRevision, pkg: model.Package, lang: str | None = None
) -> dict[str, Any]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    stored = revision.proposed
    schema = scheming_get_dataset_schema(pkg.type)
    result = revision.as_dict()
    submitter = model.User.get(revision.submitted_by)
    result["submitted_by_name"] = submitter.name if submitter else None
    result["package_name"] = pkg.name
    result["package_title"] = pkg.title
    result["package_title_en"] = pkg.extras.get("title_en") or ""
    result["package_type"] = pkg.type
    result["changes"] = diff.field_diff(pkg, stored.get("proposed_values", {}), schema, lang)
    return result
