"""Template helpers of the workflow (exported through ``ckanext.khtourism.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import roles, states
from ckanext.khtourism.records import messages

from .model import PendingRevision


def khtourism_is_curator() -> bool:
    user = tk.current_user
    return bool(user and user.is_authenticated and roles.is_curator(user.name))


def khtourism_workflow_state_label(state: str | None) -> str:
    labels = {
        states.DRAFT: ("Bản nháp", "Draft"),
        states.SUBMITTED: ("Chờ duyệt", "Submitted for review"),
        states.PUBLISHED: ("Đã công bố", "Published"),
        states.REJECTED: ("Bị từ chối", "Rejected"),
    }
    vi, en = labels.get(state or states.DRAFT, (state or "", state or ""))
    return en if messages.current_language() == "en" else vi


def khtourism_pending_revision(package_id: str) -> dict[str, Any] | None:
    revision = PendingRevision.pending_for(package_id)
    return revision.as_dict() if revision else None


__all__ = [
    "khtourism_is_curator",
    "khtourism_workflow_state_label",
    "khtourism_pending_revision",
]
