"""Search indexing of harvested records: deferred during the import, bulk at the end of the job.

CKAN indexes a dataset synchronously when its transaction commits
(``SynchronousSearchPlugin.notify`` from the session's ``before_commit``): a
full ``package_show`` and an index write per notification — and a new dataset
is notified twice (once as new, once as "changed" through its new extras). In
a harvest import that is most of the cost of a record, and the index is not
needed until the job is over: lookups during the import (duplicates, previous
records) read the database.

So, while an import stage runs:

* the search room's ``defer_in_session`` (``search/deferred.py``) flags the
  session; the flag is dropped at the session's next commit or rollback (the
  one that commits the record together with its harvest object). Packages
  notified in a flagged session are not indexed then.
* :func:`mark_pending` adds a ``khtourism_index = pending`` extra to the
  harvest object, in the same transaction as the record: the durable list of
  what still has to be indexed.

Before ``harvest_jobs_run`` marks jobs Finished (``ckan harvester run`` every
minute, ``harvester run-test``, the end of every test job; our chained action,
``logic/action``), :func:`index_finished_jobs` indexes the records of every job
that is *about to finish* (gather done, no object left in progress), so that a
job never shows "Finished" before its records can be found; after it, the same
function indexes what is left of *finished* jobs (a job ended by the timeout)
that still has pending objects,
through ``ckan.lib.search.rebuild(package_ids=…)`` (the portal's bulk reindex),
in chunks, removing the markers of each chunk in the same transaction. A job
that was killed half-way is finished by ckanext-harvest's timeout and then
indexed; an indexing run that fails leaves its markers for the next run.
``ckan search-index rebuild`` (or ``--only-missing``) remains the manual
remedy.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

import ckan.model as model
from ckan.lib import search

from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectExtra

from ckanext.khtourism.search import deferred

log = logging.getLogger(__name__)

PENDING_KEY = "khtourism_index"
PENDING_VALUE = "pending"
CHUNK = 500


def mark_pending(harvest_object: HarvestObject) -> None:
    """Remember (durably, with the record) that the object's record must be indexed."""
    if not any(extra.key == PENDING_KEY for extra in harvest_object.extras):
        harvest_object.extras.append(HarvestObjectExtra(key=PENDING_KEY, value=PENDING_VALUE))


def pending_count(job_id: str | None = None) -> int:
    query = model.Session.query(HarvestObjectExtra.id).filter(HarvestObjectExtra.key == PENDING_KEY)
    if job_id is not None:
        query = query.join(HarvestObject, HarvestObject.id == HarvestObjectExtra.harvest_object_id)
        query = query.filter(HarvestObject.harvest_job_id == job_id)
    return query.count()


def _finished_or_finishing() -> Any:
    """Jobs whose records may be indexed: finished, or about to be (gather done and every
    object complete or errored: what ``harvest_jobs_run`` marks Finished)."""
    other = orm.aliased(HarvestObject)
    in_progress = (
        model.Session.query(other.id)
        .filter(
            other.harvest_job_id == HarvestJob.id,
            other.state.notin_(("COMPLETE", "ERROR")),
        )
        .correlate(HarvestJob)
        .exists()
    )
    return sa.or_(
        HarvestJob.status == "Finished",
        sa.and_(
            HarvestJob.status == "Running",
            HarvestJob.gather_finished.isnot(None),
            ~in_progress,
        ),
    )


def index_finished_jobs() -> int:
    """Index the records of finished (or finishing, see :func:`_finished_or_finishing`)
    jobs still marked pending; returns how many were indexed."""
    indexed = 0
    types: dict[str, str] = {}  # record type -> one indexed record of that type
    while True:
        rows = (
            model.Session.query(HarvestObjectExtra.id, HarvestObject.package_id)
            .join(HarvestObject, HarvestObject.id == HarvestObjectExtra.harvest_object_id)
            .join(HarvestJob, HarvestJob.id == HarvestObject.harvest_job_id)
            .filter(HarvestObjectExtra.key == PENDING_KEY, _finished_or_finishing())
            .limit(CHUNK)
            # a second `harvester run` started while this one still indexes takes other rows
            .with_for_update(of=HarvestObjectExtra, skip_locked=True)
            .all()
        )
        if not rows:
            _refresh_registries(types)
            return indexed
        package_ids = sorted({row.package_id for row in rows if row.package_id})
        found = model.Session.query(model.Package.id, model.Package.type).filter(
            model.Package.id.in_(package_ids), model.Package.state == "active"
        )
        active = []
        for package_id, package_type in found:
            active.append(package_id)
            types[package_type] = package_id
        if active:
            try:
                search.rebuild(package_ids=active, defer_commit=True, quiet=True)
            except Exception:  # noqa: BLE001 - one unindexable record must not block the rest
                model.Session.rollback()
                log.exception("harvest: bulk indexing failed; indexing one by one, skipping errors")
                search.rebuild(package_ids=active, defer_commit=True, quiet=True, force=True)
        model.Session.query(HarvestObjectExtra).filter(
            HarvestObjectExtra.id.in_([row.id for row in rows])
        ).delete(synchronize_session=False)
        model.Session.commit()
        indexed += len(active)
        log.info("harvest: indexed %d harvested record(s)", len(active))


def refresh_registries_of(package_ids: list[str]) -> None:
    """Queue the registry refresh of the record types of ``package_ids`` (indexed now)."""
    if not package_ids:
        return
    types = {
        package_type: package_id
        for package_id, package_type in model.Session.query(
            model.Package.id, model.Package.type
        ).filter(model.Package.id.in_(package_ids))
    }
    _refresh_registries(types)


def _refresh_registries(types: dict[str, str]) -> None:
    """The registry datasets count and date published records from the search index: their
    refresh, queued when each record was written (before it was indexed), is queued again
    by the listeners of the search room's ``DEFERRED_INDEXED`` (one record per type)."""
    deferred.announce_indexed(list(types.values()))


def before_jobs_run() -> None:
    """Before ``harvest_jobs_run`` (chained action): index the jobs it is about to finish.
    A failure leaves the markers for the run's own pass after it (and the next run)."""
    try:
        index_finished_jobs()
    except Exception:  # noqa: BLE001 - the markers stay; indexed after the run or the next one
        model.Session.rollback()
        log.exception("harvest: indexing before the jobs run failed; will retry after it")


def on_action_succeeded(action: str, **kwargs: Any) -> None:
    """``action_succeeded`` listener: after ``harvest_jobs_run``, index finished jobs."""
    if action != "harvest_jobs_run":
        return
    try:
        index_finished_jobs()
    except Exception:  # noqa: BLE001 - the markers stay; the next run retries
        model.Session.rollback()
        log.exception("harvest: indexing of finished jobs failed; will retry on the next run")
