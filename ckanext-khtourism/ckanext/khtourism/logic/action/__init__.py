"""Actions of the tourism records and their curation workflow.

``khtourism_record_submit``, ``khtourism_record_approve``,
``khtourism_record_reject``, ``khtourism_revision_show``,
``khtourism_review_queue``, ``khtourism_business_records``; and chained core
actions: ``package_update`` (an edit of a published record by its business
becomes a pending revision), ``activity_create`` (personal data never
enters the activity stream) and, for the tourism API's change feed,
``dataset_purge`` (a purged record is reported as removed).
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.khtourism.api import changes as api_changes  # api room: purges in the change feed
from ckanext.khtourism.dcat.actions import (  # dcat room: chained ckanext-dcat actions
    dcat_catalog_search,
    dcat_catalog_show,
    dcat_dataset_show,
)
from ckanext.khtourism.logic import concurrency, schema
from ckanext.khtourism.records import messages, privacy
from ckanext.khtourism.workflow import queue, revisions, transitions
from ckanext.khtourism.workflow.model import PendingRevision

__all__ = [
    "khtourism_record_submit",
    "khtourism_record_approve",
    "khtourism_record_reject",
    "khtourism_revision_show",
    "khtourism_review_queue",
    "khtourism_business_records",
    "package_update",
    "package_patch",
    "package_show",
    "activity_create",
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


@tk.chained_action
def package_update(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    # no lost update: the row is locked until this update commits, and an edit based on an
    # older read (``if_unmodified_since``, sent by the edit form) is refused
    read = data_dict.pop(concurrency.PARAMETER, None)
    concurrency.lock(data_dict)
    concurrency.refuse_if_stale(data_dict, read)
    pkg = revisions._package_for(data_dict)
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
    if pkg is not None and privacy.private_fields(pkg.type):
        context["use_cache"] = False
    if context.get("for_update"):
        # package_patch's read-modify-write (under the row lock ``for_update`` takes) reads
        # the database: CKAN would accept the index copy when its metadata_modified matches
        # to 22 characters (Solr's precision: 10 ms), and two patches 10 ms apart lost one
        # change (logic/concurrency.py)
        context["use_cache"] = False
    return next_action(context, data_dict)


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
    api_changes.record_purge(pkg)
    try:
        return next_action(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise
