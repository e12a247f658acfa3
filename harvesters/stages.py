"""Fetch + import of one harvest object in one transaction (our harvesters only).

ckanext-harvest's ``queue.fetch_and_import_stages`` commits five times per
object: state ``FETCH``, ``fetch_finished``, state ``IMPORT``, the result,
the report status. For our harvesters the fetch stage does nothing (the
content came with the gather stage) and the import stage writes the record
without committing, so :func:`fetch_and_import_stages` runs the same steps,
sets the same columns and report statuses, and commits **once**: the record,
its activity and the object's final state together.

What a crash in the middle leaves: the object is still ``WAITING`` in the
database (nothing of the record was committed). ``harvest_jobs_run``
re-queues waiting objects that are missing from Redis, and
``ckan.harvest.timeout`` finishes a job that stops moving — as before.

Objects of every other harvester go through ckanext-harvest's function
unchanged. :func:`install` puts the wrapper in ``ckanext.harvest.queue``
(where the fetch consumer, ``harvester run-test`` and the tests look it up).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject

_original: Any = None


def install() -> None:
    global _original
    if _original is not None:
        return
    _original = queue.fetch_and_import_stages

    def fetch_and_import_stages(harvester: Any, obj: HarvestObject) -> None:
        if getattr(harvester, "SINGLE_COMMIT_STAGES", False):
            return run(harvester, obj)
        return _original(harvester, obj)

    queue.fetch_and_import_stages = fetch_and_import_stages


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


def run(harvester: Any, obj: HarvestObject) -> None:
    """ckanext-harvest's ``fetch_and_import_stages`` with one commit at the end."""
    times: dict[str, dt.datetime] = {"fetch_started": _now()}
    obj.fetch_started = times["fetch_started"]
    obj.state = "FETCH"
    fetched = harvester.fetch_stage(obj)
    times["fetch_finished"] = _now()
    if fetched is True:
        times["import_started"] = _now()
        obj.import_started = times["import_started"]
        obj.state = "IMPORT"
        imported = harvester.import_stage(obj)
        times["import_finished"] = _now()
        if imported == "unchanged":
            state, report = "COMPLETE", "not modified"
        elif imported:
            state, report = "COMPLETE", None
        else:
            state, report = "ERROR", "errored"
    elif fetched == "unchanged":
        state, report = "COMPLETE", "not modified"
    else:
        state, report = "ERROR", "errored"
    # An import error rolled the transaction back (its message is saved): set again what
    # the rollback undid.
    for column, value in times.items():
        setattr(obj, column, value)
    obj.state = state
    if report is None:
        if obj.current is False:
            report = "deleted"
        elif (
            # ckanext-harvest counts two objects with this package after saving this one:
            # another object than this one, before saving it (one UPDATE, not two)
            model.Session.query(HarvestObject.id)
            .filter(HarvestObject.package_id == obj.package_id, HarvestObject.id != obj.id)
            .limit(1)
            .count()
            == 1
        ):
            report = "updated"
        else:
            report = "added"
    obj.report_status = report
    obj.save()
