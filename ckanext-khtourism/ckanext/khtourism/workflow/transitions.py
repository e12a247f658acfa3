"""The workflow actions' logic: submit, approve, reject.

Each transition writes the record through ``package_patch`` / ``package_update``
(so validation runs and the search index follows) with a context flag that
lets the workflow fields change, then records an activity.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages, roles, states
from ckanext.khtourism.core.record_types import RECORD_TYPES, is_record_type
from ckanext.khtourism.records import type_names

from . import activity
from .model import APPROVED, REJECTED, PendingRevision, now


def record_or_error(data_dict: dict[str, Any]) -> model.Package:
    ref = data_dict.get("id") or data_dict.get("name")
    if not ref:
        raise tk.ValidationError({"id": [messages.text("required")]})
    pkg = model.Package.get(ref)
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    if not is_record_type(pkg.type):
        types = ", ".join(type_names.name(t) for t in RECORD_TYPES)
        raise tk.ValidationError({"id": [messages.text("not_a_record", value=ref, types=types)]})
    return pkg


def _workflow_context(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "user": context.get("user"),
        "auth_user_obj": context.get("auth_user_obj"),
        states.WORKFLOW_CONTEXT_FLAG: True,
        states.APPLY_DIRECTLY_FLAG: True,
    }


def _set_state(
    context: dict[str, Any], pkg: model.Package, state: str, reason: str = ""
) -> dict[str, Any]:
    return tk.get_action("package_patch")(
        _workflow_context(context),
        {"id": pkg.id, "workflow_state": state, "workflow_reason": reason},
    )


def _actor(context: dict[str, Any]) -> model.User:
    user = roles.context_user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Not authorized"))
    return user


def _bad_transition(current: str, action: str) -> tk.ValidationError:
    return tk.ValidationError(
        {"workflow_state": [messages.text("bad_transition", current=current, action=action)]}
    )


def submit(context: dict[str, Any], pkg: model.Package) -> dict[str, Any]:
    current = states.current_state(dict(pkg.extras))
    allowed_from, target = states.TRANSITIONS["submit"]
    if current not in allowed_from:
        raise _bad_transition(current, "submit")
    result = _set_state(context, pkg, target)
    activity.record_transition(pkg, _actor(context), "submit", current, target)
    return result


def approve(context: dict[str, Any], pkg: model.Package) -> dict[str, Any]:
    current = states.current_state(dict(pkg.extras))
    actor = _actor(context)
    revision = PendingRevision.pending_for(pkg.id)
    if current == states.PUBLISHED and revision is not None:
        proposal = dict(revision.proposed["data_dict"], id=pkg.id)
        proposal["workflow_state"] = states.PUBLISHED
        proposal["workflow_reason"] = ""
        result = tk.get_action("package_update")(_workflow_context(context), proposal)
        merged: PendingRevision = model.Session.merge(revision)
        merged.state = APPROVED
        merged.reviewed_by = actor.id
        merged.reviewed_at = now()
        model.Session.commit()
        activity.record_transition(
            pkg, actor, "approve_revision", current, current, revision_id=merged.id
        )
        return result
    allowed_from, target = states.TRANSITIONS["approve"]
    if current not in allowed_from:
        raise _bad_transition(current, "approve")
    result = _set_state(context, pkg, target)
    activity.record_transition(pkg, actor, "approve", current, target)
    return result


def reject(context: dict[str, Any], pkg: model.Package, reason: str) -> dict[str, Any]:
    reason = (reason or "").strip()
    if not reason:
        raise tk.ValidationError({"reason": [messages.text("reason_required")]})
    current = states.current_state(dict(pkg.extras))
    actor = _actor(context)
    revision = PendingRevision.pending_for(pkg.id)
    if current == states.PUBLISHED and revision is not None:
        revision.state = REJECTED
        revision.reviewed_by = actor.id
        revision.reviewed_at = now()
        revision.reason = reason
        model.Session.commit()
        activity.record_transition(
            pkg, actor, "reject_revision", current, current, reason=reason, revision_id=revision.id
        )
        return tk.get_action("package_show")({"user": context.get("user")}, {"id": pkg.id})
    allowed_from, target = states.TRANSITIONS["reject"]
    if current not in allowed_from:
        raise _bad_transition(current, "reject")
    result = _set_state(context, pkg, target, reason)
    activity.record_transition(pkg, actor, "reject", current, target, reason=reason)
    return result
