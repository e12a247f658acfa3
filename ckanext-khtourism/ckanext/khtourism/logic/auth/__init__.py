"""Auth functions of the workflow actions, and chained core ones.

* Businesses (editors/admins of an organization) create and edit their own
  records and submit them; members see them. They never touch other
  businesses' records (CKAN's organization rules).
* Curators (editors/admins of the curator organization, and sysadmins)
  approve, reject and edit any record, and alone create heritage sites.
* Documents and photos of a *published* record change only through a
  curator: a business proposes changes to the record itself, which a curator
  reviews. Nothing else changes a published record without review either:
  deleting it, reordering its resources, relating it to other datasets and
  bulk deletion are the curators' (``package_update``/``package_patch``/
  ``package_revise`` become pending revisions: ``workflow/revisions.py``).
* Harvest sources (datasets of type ``harvest``) follow the harvest rules of
  ``harvesters/access.py`` whichever action writes them (``package_*`` or
  ``harvest_source_*``); ckanext-harvest's own auth functions are replaced in
  ``harvest.py``.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.khtourism.core import roles, states
from ckanext.khtourism.core.record_types import is_record_type
from ckanext.khtourism.harvesters import access as harvest_access
from ckanext.khtourism.records import type_names

from . import clients, harvest, reporting
from .clients import *  # noqa: F403 - the client registry (clients/)
from .harvest import *  # noqa: F403 - ckanext-harvest's auth functions, replaced
from .reporting import *  # noqa: F403 - monthly visitor reports (reporting/)

__all__ = [
    *harvest.__all__,
    *reporting.__all__,
    *clients.__all__,
    "khtourism_record_submit",
    "khtourism_record_approve",
    "khtourism_record_reject",
    "khtourism_revision_show",
    "khtourism_review_queue",
    "khtourism_business_records",
    "khtourism_duplicate_list",
    "khtourism_record_merge",
    "khtourism_not_duplicate",
    "khtourism_personal_data_export",
    "khtourism_personal_data_erase",
    "khtourism_privacy_access_log",
    "package_create",
    "package_update",
    "package_delete",
    "resource_create",
    "resource_update",
    "resource_delete",
    "bulk_update_public",
    "bulk_update_private",
    "bulk_update_delete",
    "package_resource_reorder",
    "package_relationship_create",
    "package_relationship_update",
    "package_relationship_delete",
    "package_collaborator_list",
    "package_collaborator_create",
    "package_collaborator_delete",
]

CURATOR_ONLY_TYPES = roles.CURATOR_ONLY_TYPES


def _deny(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _user(context: Context) -> model.User | None:
    return roles.context_user(context)


def _package(data_dict: DataDict) -> model.Package | None:
    ref = (data_dict or {}).get("id") or (data_dict or {}).get("name")
    return model.Package.get(ref) if ref else None


def _curator(context: Context) -> AuthResult:
    if roles.is_curator(_user(context)):
        return {"success": True}
    return _deny(tk._("Only the Department's curators may do this"))


def khtourism_record_submit(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _package(data_dict)
    user = _user(context)
    if pkg is None or user is None:
        return _deny(tk._("Not authorized"))
    if roles.is_curator(user) or roles.can_edit_business_record(user, pkg.owner_org):
        return {"success": True}
    return _deny(tk._("User %s not authorized to edit package %s") % (user.name, pkg.id))


def khtourism_record_approve(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


def khtourism_record_reject(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


@tk.auth_allow_anonymous_access
def khtourism_revision_show(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _package(data_dict)
    user = _user(context)
    if pkg is not None and (roles.is_curator(user) or roles.is_member_of(user, pkg.owner_org)):
        return {"success": True}
    return _deny(tk._("Not authorized"))


def khtourism_review_queue(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


def khtourism_duplicate_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


def khtourism_record_merge(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


def khtourism_not_duplicate(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


def khtourism_business_records(context: Context, data_dict: DataDict) -> AuthResult:
    if _user(context) is None:
        return _deny(tk._("Not authorized"))
    return {"success": True}


def _published_record(pkg: model.Package | None) -> bool:
    return (
        pkg is not None
        and is_record_type(pkg.type)
        and pkg.state == "active"
        and states.current_state(dict(pkg.extras)) == states.PUBLISHED
    )


def _published_change_denied() -> AuthResult:
    return _deny(
        tk._(
            "A published record changes only through the Department's review: propose the "
            "change by editing the record, or ask a curator to withdraw it"
        )
    )


@tk.chained_auth_function
def package_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    dataset_type = (data_dict or {}).get("type")
    if dataset_type == harvest_access.HARVEST_TYPE:
        return harvest.harvest_source_create(next_auth, context, data_dict)
    if dataset_type in CURATOR_ONLY_TYPES and not roles.is_curator(_user(context)):
        return _deny(
            tk._("Only the Department's curators may create {name} records").format(
                name=type_names.name(dataset_type)
            )
        )
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_update(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _package(data_dict)
    if pkg is not None and pkg.type == harvest_access.HARVEST_TYPE:
        return harvest.harvest_source_update(next_auth, context, dict(data_dict, id=pkg.id))
    if pkg is not None and is_record_type(pkg.type) and roles.is_curator(_user(context)):
        return {"success": True}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_delete(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _package(data_dict)
    if pkg is not None and pkg.type == harvest_access.HARVEST_TYPE:
        return harvest.harvest_source_delete(next_auth, context, {"id": pkg.id})
    if pkg is not None and is_record_type(pkg.type) and roles.is_curator(_user(context)):
        return {"success": True}
    if _published_record(pkg):
        return _published_change_denied()
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_resource_reorder(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    pkg = _package(data_dict)
    if _published_record(pkg) and not roles.is_curator(_user(context)):
        return _deny(
            tk._(
                "Documents and photos of a published record are changed by the Department's "
                "curators; propose the change by editing the record"
            )
        )
    return next_auth(context, data_dict)


def _relationship_change(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    data_dict = data_dict or {}
    ends = [data_dict.get("subject"), data_dict.get("object")]
    relationship = context.get("relationship")
    if relationship is not None:
        ends += [relationship.subject_package_id, relationship.object_package_id]
    if not roles.is_curator(_user(context)) and any(
        _published_record(model.Package.get(ref)) for ref in ends if isinstance(ref, str) and ref
    ):
        return _published_change_denied()
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_relationship_create(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _relationship_change(next_auth, context, data_dict)


@tk.chained_auth_function
def package_relationship_update(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _relationship_change(next_auth, context, data_dict)


@tk.chained_auth_function
def package_relationship_delete(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _relationship_change(next_auth, context, data_dict)


def _resource_package(data_dict: DataDict) -> model.Package | None:
    data_dict = data_dict or {}
    if data_dict.get("package_id"):
        return model.Package.get(data_dict["package_id"])
    if data_dict.get("id"):
        resource = model.Resource.get(data_dict["id"])
        if resource is not None:
            return model.Package.get(resource.package_id)
    return None


def _resource_change(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _resource_package(data_dict)
    if pkg is not None and is_record_type(pkg.type):
        user = _user(context)
        if roles.is_curator(user):
            return {"success": True}
        if states.current_state(dict(pkg.extras)) == states.PUBLISHED and not context.get(
            states.APPLY_DIRECTLY_FLAG
        ):
            return _deny(
                tk._(
                    "Documents and photos of a published record are changed by the Department's "
                    "curators; propose the change by editing the record"
                )
            )
    return next_auth(context, data_dict)


@tk.chained_auth_function
def resource_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _resource_change(next_auth, context, data_dict)


@tk.chained_auth_function
def resource_update(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _resource_change(next_auth, context, data_dict)


@tk.chained_auth_function
def resource_delete(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    return _resource_change(next_auth, context, data_dict)


def _bulk_visibility_change(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    """Visibility of tourism records follows their workflow state, never a bulk switch."""
    for ref in (data_dict or {}).get("datasets") or []:
        pkg = model.Package.get(ref)
        if pkg is not None and is_record_type(pkg.type):
            return _deny(
                tk._(
                    "Tourism records become public or private through the review "
                    "workflow, not through bulk visibility changes"
                )
            )
    return next_auth(context, data_dict)


@tk.auth_sysadmins_check
@tk.chained_auth_function
def bulk_update_public(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _bulk_visibility_change(next_auth, context, data_dict)


@tk.auth_sysadmins_check
@tk.chained_auth_function
def bulk_update_private(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _bulk_visibility_change(next_auth, context, data_dict)


@tk.chained_auth_function
def bulk_update_delete(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    """Deleting published records is the curators' (drafts: the organization's admins)."""
    if not roles.is_curator(_user(context)):
        for ref in (data_dict or {}).get("datasets") or []:
            if _published_record(model.Package.get(ref)):
                return _published_change_denied()
    return next_auth(context, data_dict)


# records: personal data of tour guides (docs/privacy.md)
def khtourism_personal_data_export(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


def khtourism_personal_data_erase(context: Context, data_dict: DataDict) -> AuthResult:
    return _curator(context)


def khtourism_privacy_access_log(context: Context, data_dict: DataDict) -> AuthResult:
    return _deny(tk._("Only sysadmins may read the personal data access log"))


# bad input: CKAN's collaborator auth functions ``assert`` a signed-in user and an existing
# dataset (an AssertionError, a 500, for an anonymous call): refused here first, a 403
def _collaborators(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    if _user(context) is None or _package(data_dict) is None:
        return _deny(tk._("Not authorized"))
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_collaborator_list(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _collaborators(next_auth, context, data_dict)


@tk.chained_auth_function
def package_collaborator_create(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _collaborators(next_auth, context, data_dict)


@tk.chained_auth_function
def package_collaborator_delete(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _collaborators(next_auth, context, data_dict)
