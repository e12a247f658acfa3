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
(where the fetch consumer, ``harvester run-test`` and the tests look it up),
through the compat room (``compat/registry.py``).

**Batches of new records.** An object of a *new* record (status ``new``) is
not imported alone: :func:`claim` takes it and up to
``ckanext.khtourism.harvest.import_batch_size`` − 1 other waiting objects of
new records of the same job — ``FOR UPDATE SKIP LOCKED``, so two fetch
consumers never take the same object — and marks them ``FETCH`` in a short
transaction of its own. It takes the objects whose messages come *last* in
the queue (the gather stage numbers them in listing order, ``gathered``): the
next messages name objects nobody has taken, so the other consumer starts
its own batch instead of waiting for this one's row locks (ckanext-harvest
updates each object's ``retry_times`` when its message arrives). The harvester imports them together
(``import_new_batch``, ``bulk.py``) and one commit writes the records, their
activities, their search index rows and every object's final state. When
the messages of the other objects of the batch arrive, their objects are no
longer waiting: nothing is done. A record that matches an existing business
is imported alone afterwards; if writing the batch fails, the whole batch is
rolled back and its objects are imported one at a time. A consumer that dies
with a claimed batch leaves its objects ``FETCH``: after
:data:`CLAIM_TIMEOUT` they can be claimed again, and
:func:`release_abandoned_claims` (run with ``harvest_jobs_run``) puts them
back to ``WAITING`` so that ckanext-harvest resubmits them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from ckanext.khtourism import compat

from . import bulk, indexing, liveness

log = logging.getLogger(__name__)

BATCH_SIZE_OPTION = "ckanext.khtourism.harvest.import_batch_size"
# a claimed batch still FETCH after this long was abandoned (a batch takes seconds)
CLAIM_TIMEOUT = dt.timedelta(minutes=15)
STATUS_KEY = "status"


def install() -> None:
    """Wrap ckanext-harvest's fetch callback and fetch + import stages (compat entries
    ``harvest.fetch_callback.batches``, ``harvest.fetch_and_import_stages.single_commit``)."""
    # the fetch consumer (ckanext.harvest.utils.fetch_consumer) imports it when it starts
    compat.wrap("harvest.fetch_callback.batches", _fetch_callback)
    compat.wrap("harvest.fetch_and_import_stages.single_commit", _fetch_and_import_stages)


def _fetch_callback(original: Any) -> Any:
    def fetch_callback(channel: Any, method: Any, header: Any, body: Any) -> Any:
        if _message_of_a_batched_object(body):
            channel.basic_ack(method.delivery_tag)
            return None
        return original(channel, method, header, body)

    return fetch_callback


def _fetch_and_import_stages(original: Any) -> Any:
    def fetch_and_import_stages(harvester: Any, obj: HarvestObject) -> None:
        if getattr(harvester, "SINGLE_COMMIT_STAGES", False):
            size = batch_size()
            batched = size > 1 and getattr(harvester, "BATCH_IMPORT", False)
            if batched and _handled_by_a_batch(obj):
                return None  # imported (or being imported) with another object's batch
            if batched and _is_new(obj) and bulk.available():
                return run_claimed(harvester, obj, size)
            return run(harvester, obj)
        return original(harvester, obj)

    return fetch_and_import_stages


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
        elif imported == "withdrawn":  # base.WITHDRAWN
            state, report = "COMPLETE", "withdrawn"
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


# --- batches of new records -----------------------------------------------------------------
def batch_size() -> int:
    return max(1, tk.asint(tk.config.get(BATCH_SIZE_OPTION, 100) or 1))


_OBJECT_STATE_SQL = sa.text(
    "SELECT o.state, o.fetch_started, s.type FROM harvest_object o "
    "JOIN harvest_source s ON s.id = o.harvest_source_id WHERE o.id = :id"
)


def _batched_source_types() -> set[str]:
    from ckan.plugins import PluginImplementations

    from ckanext.harvest.interfaces import IHarvester

    return {
        harvester.info()["name"]
        for harvester in PluginImplementations(IHarvester)
        if getattr(harvester, "BATCH_IMPORT", False)
    }


def _message_of_a_batched_object(body: Any) -> bool:
    """Whether a fetch message names an object a batch has imported (or is importing).

    One query, instead of ckanext-harvest's three statements and a commit (object,
    ``retry_times`` update, job) before it would find the object done.
    """
    try:
        object_id = json.loads(body)["harvest_object_id"]
        row = model.Session.execute(_OBJECT_STATE_SQL, {"id": object_id}).first()
        handled = (
            row is not None
            and row.type in _batched_source_types()
            and _done_or_claimed(row.state, row.fetch_started)
        )
    except Exception:  # noqa: BLE001 - ckanext-harvest's callback handles every other case
        handled = False
    model.Session.remove()
    return bool(handled)


def _done_or_claimed(state: str | None, fetch_started: dt.datetime | None) -> bool:
    if state in ("COMPLETE", "ERROR"):
        return True
    return bool(
        state == "FETCH" and fetch_started is not None and fetch_started >= _now() - CLAIM_TIMEOUT
    )


def _handled_by_a_batch(obj: HarvestObject) -> bool:
    """The object is done, or claimed (not abandoned) by a batch: its message has nothing
    left to do. (Only a batch leaves an object of our harvesters in these states when its
    message arrives; ckanext-harvest queues waiting objects only.)"""
    return _done_or_claimed(obj.state, obj.fetch_started)


def _is_new(obj: HarvestObject) -> bool:
    return any(extra.key == STATUS_KEY and extra.value == "new" for extra in obj.extras)


_CLAIMABLE = "(o.state = 'WAITING' OR (o.state = 'FETCH' AND o.fetch_started < :abandoned))"
_CLAIM_FIRST_SQL = sa.text(
    f"SELECT o.id FROM harvest_object o WHERE o.id = :first_id AND {_CLAIMABLE} "
    "FOR UPDATE SKIP LOCKED"
)
# The batch is selected in a MATERIALIZED CTE: evaluated once. (As ``id IN (SELECT … LIMIT
# n FOR UPDATE SKIP LOCKED)`` the planner may re-run the subquery and update more rows.)
_CLAIM_SQL = sa.text(
    f"""
    WITH batch AS MATERIALIZED (
        SELECT o.id FROM harvest_object o
        JOIN harvest_object_extra e
          ON e.harvest_object_id = o.id AND e.key = :status_key AND e.value = 'new'
        WHERE o.harvest_job_id = :job_id AND {_CLAIMABLE}
        ORDER BY (o.id = :first_id) DESC, o.gathered DESC, o.id
        LIMIT :size
        FOR UPDATE OF o SKIP LOCKED
    )
    UPDATE harvest_object SET state = 'FETCH', fetch_started = :now
    FROM batch WHERE harvest_object.id = batch.id
    RETURNING harvest_object.id
    """
)


def claim(obj: HarvestObject, size: int) -> list[str]:
    """Take ``obj`` and up to ``size - 1`` other waiting objects of new records of its job
    (committed as ``FETCH``, this consumer named as their owner); [] when ``obj`` is taken
    or done already."""
    now = _now()
    params = {
        "now": now,
        "status_key": STATUS_KEY,
        "job_id": obj.harvest_job_id,
        "abandoned": now - CLAIM_TIMEOUT,
        "first_id": obj.id,
        "size": size,
    }
    if model.Session.execute(_CLAIM_FIRST_SQL, params).first() is None:
        # another consumer's batch holds it, or has imported it: nothing to do here
        model.Session.rollback()
        return []
    ids = [row.id for row in model.Session.execute(_CLAIM_SQL, params)]
    # this consumer owns the claimed objects: if it dies, harvest_jobs_run requeues them.
    # Named before the claim commits: killed between the two, it would leave FETCH objects
    # with no owner, which recover() leaves alone (a name on objects still WAITING, should
    # the commit not happen, is overwritten by the next claim and never read meanwhile).
    liveness.working_on_objects(ids)
    model.Session.commit()
    return ids


def run_claimed(harvester: Any, obj: HarvestObject, size: int) -> None:
    ids = claim(obj, size)
    if not ids:
        return
    try:
        found = {
            o.id: o for o in model.Session.query(HarvestObject).filter(HarvestObject.id.in_(ids))
        }
        run_batch(harvester, [found[i] for i in ids if i in found])
    finally:
        liveness.done_with_objects(ids)


def run_batch(harvester: Any, objects: list[HarvestObject]) -> None:
    """Import claimed objects of new records together (one commit), then those the batch
    left to the one-by-one path (:func:`run`, one commit each)."""
    started = _now()
    try:
        one_by_one, failed = harvester.import_new_batch(objects)
    except Exception:  # noqa: BLE001 - nothing of the batch is kept; each is imported alone
        log.exception(
            "harvest: a batch of %d new records failed; importing them one by one", len(objects)
        )
        model.Session.rollback()
        one_by_one, failed = list(objects), set()
    else:
        finished = _now()
        alone = {obj.id for obj in one_by_one}
        created: list[str] = []
        for obj in objects:
            if obj.id in alone:
                continue
            obj.fetch_started = obj.fetch_started or started
            obj.fetch_finished = obj.import_started = started
            obj.import_finished = finished
            if obj.id in failed:
                obj.state, obj.report_status = "ERROR", "errored"
            else:
                obj.state, obj.report_status = "COMPLETE", "added"
                created.append(obj.package_id)
            model.Session.add(obj)
        model.Session.commit()
        # the registry datasets count indexed records: refresh them now the batch is
        indexing.refresh_registries_of(created)
    for obj in one_by_one:
        run(harvester, obj)


def release_abandoned_claims() -> int:
    """Objects of batches claimed longer than :data:`CLAIM_TIMEOUT` ago and still ``FETCH``
    (their consumer died) go back to ``WAITING``; ckanext-harvest resubmits them."""
    new_objects = sa.select(HarvestObjectExtra.harvest_object_id).where(
        HarvestObjectExtra.key == STATUS_KEY, HarvestObjectExtra.value == "new"
    )
    released = (
        model.Session.query(HarvestObject)
        .filter(
            HarvestObject.state == "FETCH",
            HarvestObject.fetch_started < _now() - CLAIM_TIMEOUT,
            HarvestObject.id.in_(new_objects),
        )
        .update({"state": "WAITING"}, synchronize_session=False)
    )
    model.Session.commit()
    if released:
        log.warning("harvest: %d object(s) of abandoned batches are waiting again", released)
    return released


def on_action_succeeded(action: str, **_kwargs: Any) -> None:
    """``action_succeeded`` listener: with every ``harvest_jobs_run``, recover the work of
    consumers that died (liveness.py) and release abandoned batches."""
    if action != "harvest_jobs_run":
        return
    try:
        liveness.recover()
    except Exception:  # noqa: BLE001 - retried on the next run
        model.Session.rollback()
        log.exception("harvest: recovering the work of stopped consumers failed; will retry")
    try:
        release_abandoned_claims()
    except Exception:  # noqa: BLE001 - retried on the next run
        model.Session.rollback()
        log.exception("harvest: releasing abandoned batches failed; will retry on the next run")
