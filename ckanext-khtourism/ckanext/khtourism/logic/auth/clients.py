"""Auth functions of the client registry: sysadmins manage (CKAN lets sysadmins through
every auth function); a client's owner reads it, its usage and its dead letters."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = [
    "khtourism_client_create",
    "khtourism_client_update",
    "khtourism_client_rotate_secret",
    "khtourism_client_revoke",
    "khtourism_client_list",
    "khtourism_client_list_all",
    "khtourism_client_show",
    "khtourism_webhook_replay",
]


def _sysadmins_only(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": tk._("Only sysadmins may manage client systems")}


khtourism_client_create = _sysadmins_only
khtourism_client_update = _sysadmins_only
khtourism_client_rotate_secret = _sysadmins_only
khtourism_client_revoke = _sysadmins_only
khtourism_client_list_all = _sysadmins_only
khtourism_webhook_replay = _sysadmins_only


def khtourism_client_list(context: Context, data_dict: DataDict) -> AuthResult:
    if not context.get("user"):
        return {"success": False, "msg": tk._("Only sysadmins may manage client systems")}
    return {"success": True}


def khtourism_client_show(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("user")
    if user and user == (data_dict or {}).get("owner"):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._("Only sysadmins and the client system's owner may see it"),
    }
