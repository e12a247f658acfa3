"""Actions of the tourism records and their curation workflow.

``khtourism_record_submit``, ``khtourism_record_approve``,
``khtourism_record_reject``, ``khtourism_revision_show``,
``khtourism_review_queue``, ``khtourism_business_records``; and chained core
actions: ``package_create`` and ``package_update`` (size limits and NUL
characters, ``security/field_limits.py``; a harvest source saved by a business
is checked against ``harvesters/access.py``), ``package_update`` (an edit of a
published record by its business becomes a pending revision),
``activity_create`` (personal data never
enters the activity stream) and, for the tourism API's change feed,
``dataset_purge`` (a purged record is reported as removed); ``package_create`` and
``package_update`` also refuse a harvest source URL the portal must not contact
(``outbound.py``).
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.harvest.model import HarvestSource

from ckanext.khtourism import outbound
from ckanext.khtourism.changelog import changes as changelog  # change log: purges in the feed
from ckanext.khtourism.core import messages
from ckanext.khtourism.dcat.actions import (  # dcat room: chained ckanext-dcat actions
    dcat_catalog_search,
    dcat_catalog_show,
    dcat_dataset_show,
)
from ckanext.khtourism.harvesters import access as harvest_access
from ckanext.khtourism.harvesters import raw_rows as harvest_raw_rows  # harvest room
from ckanext.khtourism.harvesters import secrets as harvest_secrets  # harvest room
from ckanext.khtourism.logic import concurrency, schema
from ckanext.khtourism.logic import personal_data as personal_data_rights  # export, erasure
from ckanext.khtourism.records import duplicates, personal_data, privacy
from ckanext.khtourism.security import field_limits
from ckanext.khtourism.workflow import merge, queue, revisions, transitions
from ckanext.khtourism.workflow.model import PendingRevision

from . import activity, clients, harvest, reporting
from .activity import *  # noqa: F403 - the header's badge of new activities
from .clients import *  # noqa: F403 - the client registry (clients/)
from .harvest import *  # noqa: F403 - chained ckanext-harvest actions
from .reporting import *  # noqa: F403 - monthly visitor reports (reporting/)

__all__ = [
    *activity.__all__,
    *harvest.__all__,
    *reporting.__all__,
    *clients.__all__,
    "khtourism_record_submit",
    "khtourism_record_approve",
    "khtourism_record_reject",
    "khtourism_revision_show",
    "khtourism_review_queue",
    "khtourism_business_records",
    "package_create",
    "khtourism_duplicate_list",
    "khtourism_record_merge",
    "khtourism_not_duplicate",
    # records: personal data of tour guides (docs/privacy.md)
    "khtourism_personal_data_export",
    "khtourism_personal_data_erase",
    "khtourism_privacy_access_log",
    "package_update",
    "package_patch",
    "package_show",
    "activity_create",
    "api_token_create",
    "harvest_job_create",
    # api room
    "dataset_purge",
    # dcat room
    "dcat_dataset_show",
    "dcat_catalog_show",
    "dcat_catalog_search",
]


def _validated(data_dict: DataDict, navl_schema: dict[str, Any], context: Context) -> DataDict:
    data, errors = tk.navl_validate(data_dict, navl_schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def khtourism_record_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a draft (or rejected) record for review.

    :param id: id or name of the record
    :returns: the record
    """
    data = _validated(data_dict, schema.record_reference_schema(), context)
    pkg = transitions.record_or_error(data)
    tk.check_access("khtourism_record_submit", context, {"id": pkg.id})
    return transitions.submit(context, pkg)


def khtourism_record_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish a submitted record, or apply the pending revision of a published one.

    :param id: id or name of the record
    :returns: the record
    """
    data = _validated(data_dict, schema.record_reference_schema(), context)
    pkg = transitions.record_or_error(data)
    tk.check_access("khtourism_record_approve", context, {"id": pkg.id})
    return transitions.approve(context, pkg)


def khtourism_record_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Send a submitted record back to its business, or reject a pending revision.

    :param id: id or name of the record
    :param reason: why (required; shown to the business)
    :returns: the record
    """
    data = _validated(data_dict, schema.record_reject_schema(), context)
    pkg = transitions.record_or_error(data)
    tk.check_access("khtourism_record_reject", context, {"id": pkg.id})
    return transitions.reject(context, pkg, data.get("reason") or "")


@tk.side_effect_free
def khtourism_revision_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The pending revision of a record (or the one named) with a field-by-field diff.

    :param id: id or name of the record
    :param revision_id: a revision of that record (optional; default: the pending one)
    """
    data = _validated(data_dict, schema.revision_show_schema(), context)
    pkg = transitions.record_or_error(data)
    tk.check_access("khtourism_revision_show", context, {"id": pkg.id})
    if data.get("revision_id"):
        revision = model.Session.get(PendingRevision, data["revision_id"])
        if revision is None or revision.package_id != pkg.id:
            revision = None
    else:
        revision = PendingRevision.pending_for(pkg.id)
    if revision is None:
        raise tk.ObjectNotFound(messages.text("no_pending_revision"))
    return revisions.revision_dict(revision, pkg)


@tk.side_effect_free
def khtourism_review_queue(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Records submitted for review and pending revisions of published records (curators)."""
    tk.check_access("khtourism_review_queue", context, data_dict)
    return queue.review_queue()


@tk.side_effect_free
def khtourism_business_records(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The records of the organizations the user belongs to, with their workflow states."""
    tk.check_access("khtourism_business_records", context, data_dict)
    return queue.business_records(context["user"])


def _check_harvest_source_url(data_dict: DataDict, pkg: model.Package | None = None) -> None:
    """A harvest source (create, update, patch; API or form) must name a URL the portal may
    contact: http(s), not resolving to an internal address (outbound.check_url)."""
    if data_dict.get("type") != "harvest" and (pkg is None or pkg.type != "harvest"):
        return
    url = data_dict.get("url", pkg.url if pkg is not None else None)
    if not url or not isinstance(url, str):
        return  # the harvest schema reports a missing URL
    try:
        outbound.check_url(url)
    except outbound.AddressRefused as error:
        raise tk.ValidationError(
            {"url": [messages.text("outbound_refused", detail=str(error))]}
        ) from error


@tk.chained_action
def package_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    if data_dict.get("type") == harvest_access.HARVEST_TYPE and not context.get("ignore_auth"):
        tk.check_access("package_create", context, data_dict)
        harvest_access.check_source_write(context, data_dict, None)
    field_limits.check(data_dict)  # security: sizes, NUL characters
    _check_harvest_source_url(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def api_token_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # security: a user may hold a bounded number of API tokens (one shared quota anyway)
    user = model.User.get(data_dict.get("user") or "")
    limit = tk.config.get("ckanext.khtourism.api.max_tokens_per_user")
    if user is not None and limit and not user.sysadmin:
        held = model.Session.query(model.ApiToken).filter(model.ApiToken.user_id == user.id)
        if held.count() >= limit:
            raise tk.ValidationError(
                {"name": [messages.text("too_many_tokens", count=held.count(), max=limit)]}
            )
    return next_action(context, data_dict)


def _guide_or_error(data: DataDict) -> model.Package:
    pkg = transitions.record_or_error(data)
    if not privacy.private_fields(pkg.type):
        raise tk.ValidationError({"id": [messages.text("no_personal_data")]})
    return pkg


@tk.side_effect_free
def khtourism_personal_data_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Everything the portal holds about the person of a guide record (curators, sysadmins).

    :param id: id or name of the record
    :returns: the record with its personal data, pending revisions, raw harvest rows and
        the log of accesses to its personal data, with the purpose and legal basis
    """
    data = _validated(data_dict, schema.record_reference_schema(), context)
    pkg = _guide_or_error(data)
    tk.check_access("khtourism_personal_data_export", context, {"id": pkg.id})
    return personal_data_rights.export(context, pkg)


def khtourism_personal_data_erase(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Erase the personal data of a guide record, keeping the public card data (curators).

    :param id: id or name of the record
    :returns: what was erased and what was kept by law
    """
    data = _validated(data_dict, schema.record_reference_schema(), context)
    pkg = _guide_or_error(data)
    tk.check_access("khtourism_personal_data_erase", context, {"id": pkg.id})
    return personal_data_rights.erase(context, pkg)


@tk.side_effect_free
def khtourism_privacy_access_log(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Accesses to personal data, newest first (sysadmins).

    :param id: id or name of a record (optional)
    :param user: a user name (optional)
    :param limit: rows (default 100, at most 1000)
    :param offset: rows skipped
    """
    tk.check_access("khtourism_privacy_access_log", context, data_dict)
    data = _validated(data_dict, schema.privacy_access_log_schema(), context)
    package_id = None
    if data.get("id"):
        pkg = model.Package.get(data["id"])
        package_id = pkg.id if pkg is not None else data["id"]
    return personal_data.access_log(
        package_id=package_id,
        user_name=data.get("user"),
        limit=min(int(data.get("limit") or 100), 1000),
        offset=int(data.get("offset") or 0),
    )


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # no lost update: the row is locked until this update commits, and an edit based on an
    # older read (``if_unmodified_since``, sent by the edit form) is refused
    read = data_dict.pop(concurrency.PARAMETER, None)
    concurrency.lock(data_dict)
    concurrency.refuse_if_stale(data_dict, read)
    pkg = revisions._package_for(data_dict)
    if pkg is not None and pkg.type == harvest_secrets.HARVEST_DATASET_TYPE:
        # the edit form and harvest_source_patch send the masks back: keep the secrets
        source = HarvestSource.get(pkg.id)
        harvest_secrets.restore_update(data_dict, source.config if source else None)
    if (
        pkg is not None
        and pkg.type == harvest_access.HARVEST_TYPE
        and not context.get("ignore_auth")
    ):
        tk.check_access("package_update", context, data_dict)
        harvest_access.check_source_write(context, data_dict, pkg)
    field_limits.check(data_dict)  # security: sizes, NUL characters
    _check_harvest_source_url(data_dict, pkg)
    if pkg is not None and pkg.type == harvest_access.HARVEST_TYPE:
        return next_action(context, data_dict)
    if revisions.needs_review(context, pkg):
        return revisions.propose(context, data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def package_patch(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # the read-modify-write of a patch under the row lock, from fresh values: two patches of
    # different fields at once both land (logic/concurrency.py)
    concurrency.lock(data_dict)
    return next_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def package_show(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # The search index keeps records without personal data, so CKAN's cached
    # copy (``use_cache``) of a record type with private fields would hide them
    # from entitled readers too: read those records from the database.
    ref = data_dict.get("id") or data_dict.get("name_or_id")
    pkg = model.Package.get(ref) if ref else None
    from_database = pkg is not None and bool(privacy.private_fields(pkg.type))
    if from_database:
        context["use_cache"] = False
    if context.get("for_update"):
        # package_patch's read-modify-write (under the row lock ``for_update`` takes) reads
        # the database: CKAN would accept the index copy when its metadata_modified matches
        # to 22 characters (Solr's precision: 10 ms), and two patches 10 ms apart lost one
        # change (logic/concurrency.py)
        context["use_cache"] = False
        return next_action(context, data_dict)
    result = next_action(context, data_dict)
    if from_database and isinstance(result, dict):
        # what the index copy of any other type carries: ckanext-harvest's extras
        privacy.add_harvest_extras(result)
    return result


@tk.chained_action
def activity_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    return next_action(context, privacy.strip_from_activity(data_dict))


@tk.chained_action
def harvest_job_create(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's, with its own exceptions as a 409 naming the source (they were
    HTTP 500: a job on a deleted source, or on a source with a job waiting).

    The exceptions raised are still ckanext-harvest's classes (its CLI, views and scheduler
    catch them) and also ``ValidationError`` (what the action API answers with 409)."""
    from ckanext.harvest.logic import HarvestJobExists, HarvestSourceInactiveError

    class SourceInactive(tk.ValidationError, HarvestSourceInactiveError):
        pass

    class JobExists(tk.ValidationError, HarvestJobExists):
        pass

    source = data_dict.get("source_id") or ""
    try:
        return next_action(context, data_dict)
    except HarvestSourceInactiveError as error:
        message = messages.text("harvest_source_inactive", source=source)
        raise SourceInactive({"source_id": [message]}) from error
    except HarvestJobExists as error:
        message = messages.text("harvest_job_exists", source=source)
        raise JobExists({"source_id": [message]}) from error


# api room
@tk.chained_action
def dataset_purge(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """A purge of a record consumers hold is a removal (``deleted``) in the change feed.

    The row is written before the purge, after the permission check, and CKAN's
    purge commits it together with the purge; if the purge fails the row is
    rolled back with it.
    """
    ref = data_dict.get("id")
    pkg = model.Package.get(ref) if isinstance(ref, str) and ref else None
    if pkg is None:
        return next_action(context, data_dict)  # CKAN's own NotFound / ValidationError
    tk.check_access("dataset_purge", {**context, "package": pkg}, data_dict)
    changelog.record_purge(pkg)
    harvest_raw_rows.purge_for_packages([pkg.id])  # harvest room: no raw row outlives it
    try:
        return next_action(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise


# --- duplicates (curators) ------------------------------------------------------------------
def _pair_ids(data_dict: DataDict) -> tuple[str, str]:
    missing = {k: [messages.text("required")] for k in ("id", "other_id") if not data_dict.get(k)}
    if missing:
        raise tk.ValidationError(missing)
    ids = []
    for key in ("id", "other_id"):
        package = model.Package.get(str(data_dict[key]))
        if package is None or package.state != "active":
            raise tk.ObjectNotFound(f"{key}: record not found")
        ids.append(package.id)
    return ids[0], ids[1]


@tk.side_effect_free
def khtourism_duplicate_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Possible duplicate records, side by side: stored harvest candidates and pairs with the
    same enterprise code, the same name within 100 m or the same phone (curators only).

    Pairs marked "not a duplicate" or merged are not listed.
    """
    tk.check_access("khtourism_duplicate_list", context, data_dict)
    pairs = duplicates.list_pairs()
    return {"count": len(pairs), "results": pairs}


def khtourism_record_merge(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Merge two records of one establishment (curators only).

    :param id: one record (id or name)
    :param other_id: the other record
    The record with the older establishment identifier is kept (its empty fields filled
    from the other); the other is deleted, its URL redirects to the kept one, and the change
    feed reports its removal with ``replaced_by``.
    """
    tk.check_access("khtourism_record_merge", context, data_dict)
    one, other = _pair_ids(data_dict)
    return merge.merge(context, one, other)


def khtourism_not_duplicate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remember that two records are different establishments (curators only).

    :param id: one record (id or name)
    :param other_id: the other record
    """
    tk.check_access("khtourism_not_duplicate", context, data_dict)
    one, other = _pair_ids(data_dict)
    pair = duplicates.decide(one, other, duplicates.NOT_DUPLICATE, context.get("user") or "")
    model.Session.commit()
    return {"record_a": pair.record_a, "record_b": pair.record_b, "state": pair.state}
