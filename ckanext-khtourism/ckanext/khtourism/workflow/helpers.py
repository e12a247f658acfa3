"""Template helpers of the workflow (exported through ``ckanext.khtourism.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages, roles, states

from .model import PendingRevision


def khtourism_is_curator() -> bool:
    user = tk.current_user
    return bool(user and user.is_authenticated and roles.is_curator(user.name))


WORKFLOW_STATE_LABELS = {
    states.DRAFT: messages.N_("Draft"),
    states.SUBMITTED: messages.N_("Submitted for review"),
    states.PUBLISHED: messages.N_("Published"),
    states.REJECTED: messages.N_("Rejected"),
}


def khtourism_workflow_state_label(state: str | None) -> str:
    label = WORKFLOW_STATE_LABELS.get(state or states.DRAFT)
    return messages.translate(label) if label else state or ""


def khtourism_pending_revision(package_id: str) -> dict[str, Any] | None:
    revision = PendingRevision.pending_for(package_id)
    return revision.as_dict() if revision else None


__all__ = [
    "khtourism_is_curator",
    "khtourism_workflow_state_label",
    "khtourism_pending_revision",
]
