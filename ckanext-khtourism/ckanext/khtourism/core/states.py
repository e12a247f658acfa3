"""Curation states of a record and the transitions between them.

    draft ──submit──▶ submitted ──approve──▶ published
      ▲                   │
      └──── (edit) ◀── rejected ◀──reject──┘

A record is public exactly when it is ``published``; every other state is a
private dataset of the owning business. Edits of a published record by its
business do not change the state: they become a pending revision.
"""

from __future__ import annotations

DRAFT = "draft"
SUBMITTED = "submitted"
PUBLISHED = "published"
REJECTED = "rejected"

STATES = (DRAFT, SUBMITTED, PUBLISHED, REJECTED)

# action name -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((DRAFT, REJECTED), SUBMITTED),
    "approve": ((SUBMITTED,), PUBLISHED),
    "reject": ((SUBMITTED,), REJECTED),
}

# Context flag set by the workflow actions: only they may write workflow fields
# for users who are not curators.
WORKFLOW_CONTEXT_FLAG = "khtourism_workflow_transition"

# Context flag: apply a package_update directly even though the record is
# published (used when a curator approves a pending revision).
APPLY_DIRECTLY_FLAG = "khtourism_apply_directly"


def is_public_state(state: str | None) -> bool:
    return state == PUBLISHED


def current_state(extras: dict[str, str] | None) -> str:
    return (extras or {}).get("workflow_state") or DRAFT
