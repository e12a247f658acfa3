"""Who is a curator, who belongs to a record's business."""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk

# record types only the Department's curators create (businesses never own them): the
# types declared ``owner: department`` (core/record_types.py)
from .record_types import CURATOR_ONLY_TYPES as CURATOR_ONLY_TYPES

CURATOR_CAPACITIES = ("editor", "admin")


def curator_organization_name() -> str:
    return tk.config.get("ckanext.khtourism.curator_organization")


def _user(user: Any) -> model.User | None:
    if user is None or user == "":
        return None
    if isinstance(user, model.User):
        return user
    return model.User.get(user)


def is_curator(user: Any) -> bool:
    """Sysadmins, and editors/admins of the curator organization."""
    user_obj = _user(user)
    if user_obj is None or not user_obj.is_active:
        return False
    if user_obj.sysadmin:
        return True
    org = model.Group.get(curator_organization_name())
    if org is None or not org.is_organization:
        return False
    return authz.users_role_for_group_or_org(org.id, user_obj.name) in CURATOR_CAPACITIES


def is_member_of(user: Any, org_id: str | None) -> bool:
    """Any capacity (member, editor, admin) in the organization ``org_id``."""
    user_obj = _user(user)
    if user_obj is None or not org_id:
        return False
    return authz.has_user_permission_for_group_or_org(org_id, user_obj.name, "read")


def can_edit_business_record(user: Any, org_id: str | None) -> bool:
    """Editors and admins of the owning business."""
    user_obj = _user(user)
    if user_obj is None or not org_id:
        return False
    return authz.has_user_permission_for_group_or_org(org_id, user_obj.name, "update_dataset")


def context_user(context: dict[str, Any]) -> model.User | None:
    user_obj = context.get("auth_user_obj")
    if isinstance(user_obj, model.User):
        return user_obj
    return _user(context.get("user"))


def organization_ids(user: Any) -> list[str]:
    """Ids of the organizations the user belongs to (any capacity)."""
    user_obj = _user(user)
    if user_obj is None:
        return []
    return [group.id for group in user_obj.get_groups("organization")]
