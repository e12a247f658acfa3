"""Who may read and write monthly visitor reports: the establishment's business (its
editors and admins write, any member reads), curators and sysadmins everything; the
open aggregates are public."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.khtourism.core import roles

__all__ = [
    "khtourism_visitor_report_save",
    "khtourism_visitor_report_show",
    "khtourism_visitor_report_list",
    "khtourism_visitor_report_submit",
    "khtourism_visitor_report_accept",
    "khtourism_visitor_report_return",
    "khtourism_visitor_report_upload",
    "khtourism_visitor_statistics",
    "khtourism_visitor_report_dashboard",
]


def _deny() -> AuthResult:
    return {"success": False, "msg": tk._("Not authorized")}


def _writer(context: Context, data_dict: DataDict) -> AuthResult:
    user = roles.context_user(context)
    if user is not None and (
        roles.is_curator(user)
        or roles.can_edit_business_record(user, (data_dict or {}).get("owner_org"))
    ):
        return {"success": True}
    return _deny()


def _curator(context: Context, data_dict: DataDict) -> AuthResult:
    if roles.is_curator(roles.context_user(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Department's curators may do this")}


def _signed_in(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True} if roles.context_user(context) is not None else _deny()


def khtourism_visitor_report_save(context: Context, data_dict: DataDict) -> AuthResult:
    return _writer(context, data_dict)


def khtourism_visitor_report_submit(context: Context, data_dict: DataDict) -> AuthResult:
    return _writer(context, data_dict)


def khtourism_visitor_report_show(context: Context, data_dict: DataDict) -> AuthResult:
    user = roles.context_user(context)
    if user is not None and (
        roles.is_curator(user) or roles.is_member_of(user, (data_dict or {}).get("owner_org"))
    ):
        return {"success": True}
    return _deny()


def khtourism_visitor_report_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _signed_in(context, data_dict)


def khtourism_visitor_report_upload(context: Context, data_dict: DataDict) -> AuthResult:
    # each row is checked against the establishment's business (reporting/upload.py)
    return _signed_in(context, data_dict)


def khtourism_visitor_report_accept(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context, data_dict)


def khtourism_visitor_report_return(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context, data_dict)


@tk.auth_allow_anonymous_access
def khtourism_visitor_statistics(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def khtourism_visitor_report_dashboard(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context, data_dict)
