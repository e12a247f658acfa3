"""Auth functions of ckanext-harvest's actions, replaced (rules: ``harvesters/access.py``).

ckanext-harvest registers these names itself; CKAN 2.11 refuses a second plain
definition of an auth function from another plugin ("already implemented"),
so each is a ``chained_auth_function`` that decides alone (it never calls
ckanext-harvest's, which lets anyone read objects, source lists and
statuses). None allows anonymous access: CKAN refuses anonymous callers
before the function runs. Sysadmins pass every check (CKAN's rule).

Readers (members of the source's organization, curators): source show and
status, jobs and their reports, objects. Managers (curators; a business for
its own organization when business sources are enabled): create, update,
patch, delete, run, clear, reindex, abort, re-import. Global operations
(every source at once) stay sysadmin-only, as in ckanext-harvest.
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.khtourism.core import roles
from ckanext.khtourism.harvesters import access

__all__ = [
    "harvest_source_create",
    "harvest_source_update",
    "harvest_source_patch",
    "harvest_source_delete",
    "harvest_source_show",
    "harvest_source_show_status",
    "harvest_source_list",
    "harvest_source_clear",
    "harvest_source_reindex",
    "harvest_job_create",
    "harvest_job_show",
    "harvest_job_list",
    "harvest_job_abort",
    "harvest_send_job_to_gather_queue",
    "harvest_objects_import",
    "harvest_object_show",
    "harvest_object_list",
    "harvest_log_list",
]


def _ok() -> AuthResult:
    return {"success": True}


def _deny(message: str) -> AuthResult:
    return {"success": False, "msg": message}


def _user(context: Context) -> model.User | None:
    return roles.context_user(context)


def _not_reader() -> AuthResult:
    return _deny(
        tk._(
            "Only members of the source's organization and the Department's curators "
            "may see this harvest source, its jobs and records"
        )
    )


def _not_manager() -> AuthResult:
    if access.business_sources_enabled():
        return _deny(
            tk._(
                "Only the Department's curators, and editors of the source's organization, "
                "may manage this harvest source"
            )
        )
    return _deny(tk._("Only the Department's curators may manage harvest sources"))


def _read(context: Context, pkg: model.Package | None) -> AuthResult:
    return (
        _ok() if pkg is not None and access.can_read_source(_user(context), pkg) else _not_reader()
    )


def _manage(context: Context, pkg: model.Package | None) -> AuthResult:
    if pkg is not None and access.can_manage_source(_user(context), pkg):
        return _ok()
    return _not_manager()


def _job_source(data_dict: DataDict) -> model.Package | None:
    from ckanext.harvest.model import HarvestJob

    ref = data_dict.get("id")
    if not ref:
        return None
    job = HarvestJob.get(ref, attr=data_dict.get("attr"))
    return access.source_package(job.source_id) if job is not None else None


def _object_source(data_dict: DataDict) -> model.Package | None:
    from ckanext.harvest.model import HarvestObject

    obj = None
    if data_dict.get("id"):
        obj = HarvestObject.get(data_dict["id"], attr=data_dict.get("attr"))
    elif data_dict.get("dataset_id"):
        pkg = model.Package.get(data_dict["dataset_id"])
        if pkg is not None:
            obj = (
                model.Session.query(HarvestObject)
                .filter(HarvestObject.package_id == pkg.id, HarvestObject.current.is_(True))
                .order_by(HarvestObject.import_finished.desc())
                .first()
            )
    return access.source_package(obj.harvest_source_id) if obj is not None else None


# --- managers -------------------------------------------------------------------------------
@tk.chained_auth_function
def harvest_source_create(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    if access.can_manage_for(_user(context), (data_dict or {}).get("owner_org")):
        return _ok()
    return _not_manager()


def _source_update(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = access.source_package((data_dict or {}).get("id"))
    result = _manage(context, pkg)
    new_org = (data_dict or {}).get("owner_org")
    if result["success"] and pkg is not None and new_org and new_org != pkg.owner_org:
        # moving a source: the user must manage sources of the new organization too
        org = model.Group.get(new_org)
        moved = org is None or org.id != pkg.owner_org
        if moved and not access.can_manage_for(_user(context), new_org):
            return _not_manager()
    return result


@tk.chained_auth_function
def harvest_source_update(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _source_update(context, data_dict)


@tk.chained_auth_function
def harvest_source_patch(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _source_update(context, data_dict)


@tk.chained_auth_function
def harvest_source_delete(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _manage(context, access.source_package((data_dict or {}).get("id")))


@tk.chained_auth_function
def harvest_source_clear(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _manage(context, access.source_package((data_dict or {}).get("id")))


@tk.chained_auth_function
def harvest_source_reindex(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _manage(context, access.source_package((data_dict or {}).get("id")))


@tk.chained_auth_function
def harvest_job_create(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _manage(context, access.source_package((data_dict or {}).get("source_id")))


@tk.chained_auth_function
def harvest_send_job_to_gather_queue(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    # ckanext-harvest passes the job's dictionary
    return _manage(context, access.source_package((data_dict or {}).get("source_id")))


@tk.chained_auth_function
def harvest_job_abort(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    data_dict = data_dict or {}
    ref = data_dict.get("source_id") or data_dict.get("id")
    pkg = access.source_package(ref) or _job_source({"id": ref})
    return _manage(context, pkg)


@tk.chained_auth_function
def harvest_objects_import(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    """Re-import of one source's objects: its managers; of everything: sysadmins only."""
    data_dict = data_dict or {}
    if data_dict.get("source_id"):
        return _manage(context, access.source_package(data_dict["source_id"]))
    if data_dict.get("harvest_object_id"):
        return _manage(context, _object_source({"id": data_dict["harvest_object_id"]}))
    return _deny(tk._("Only sysadmins may re-import every harvest object"))


# --- readers --------------------------------------------------------------------------------
@tk.chained_auth_function
def harvest_source_show(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    from ckanext.harvest.model import HarvestSource

    data_dict = data_dict or {}
    pkg = access.source_package(data_dict.get("id"))
    if pkg is None and data_dict.get("url"):
        source = model.Session.query(HarvestSource).filter_by(url=data_dict["url"]).first()
        pkg = access.source_package(source.id) if source is not None else None
    return _read(context, pkg)


@tk.chained_auth_function
def harvest_source_show_status(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _read(context, access.source_package((data_dict or {}).get("id")))


@tk.chained_auth_function
def harvest_source_list(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    # signed-in users; the action lists only the sources the user may read
    return _ok()


@tk.chained_auth_function
def harvest_job_show(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    # also the check of harvest_job_report
    return _read(context, _job_source(data_dict or {}))


@tk.chained_auth_function
def harvest_job_list(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    source_id = (data_dict or {}).get("source_id")
    if not source_id:  # every source's jobs
        return _ok() if roles.is_curator(_user(context)) else _not_reader()
    return _read(context, access.source_package(source_id))


@tk.chained_auth_function
def harvest_object_show(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    return _read(context, _object_source(data_dict or {}))


@tk.chained_auth_function
def harvest_object_list(
    next_auth: AuthFunction, context: Context, data_dict: DataDict
) -> AuthResult:
    source_id = (data_dict or {}).get("source_id")
    if not source_id:  # every source's objects
        return _ok() if roles.is_curator(_user(context)) else _not_reader()
    return _read(context, access.source_package(source_id))


@tk.chained_auth_function
def harvest_log_list(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """ckanext-harvest's log of every source. (ckanext-harvest defines no auth function for
    it, but collects its actions and auth functions in one shared dictionary, so the
    *action* ``harvest_log_list`` is registered as its auth function: never called here.)"""
    if roles.is_curator(_user(context)):
        return _ok()
    return _deny(tk._("Only the Department's curators may read the harvest log"))
