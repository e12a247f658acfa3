"""Jobs whose consumer died: found within a minute, recovered or ended with a reason.

A consumer killed in the middle of a job (``kill -9``, out of memory, a host restart) used to
leave the job "Running" until ``ckan.harvest.timeout``: the objects of a batch it had claimed
stayed ``FETCH`` for :data:`.stages.CLAIM_TIMEOUT` (15 minutes), and a job whose gather it was
running stayed without ``gather_finished`` (ckanext-harvest resends a gather message after two
hours).

How a dead consumer is told from a busy one — a heartbeat in Redis:

- every consumer process that handles a message (the callbacks wrapped in
  :mod:`.containment`) keeps ``<site>:khtourism:harvest:consumer:<host>:<pid>:<start>`` alive
  with a :data:`HEARTBEAT_TTL` expiry, refreshed every third of it by a daemon thread;
- while it works on a job's gather it sets ``…:gather:<job id>`` to its name, and while it
  works on objects (the object of its message, or a claimed batch) ``…:object:<id>``.

``harvest_jobs_run`` (every minute under ``ckan harvester run``) then calls
:func:`recover`: an object in ``FETCH``/``IMPORT`` whose worker's heartbeat is gone goes back
to ``WAITING`` and onto the fetch queue (our harvesters commit a record and its object's
final state together, so nothing of it was kept: it is imported once, no record lost or
doubled); a job whose gather worker's heartbeat is gone ends "Finished" with the gather error
"the gather consumer stopped during the gather …", its objects removed (none was queued).
An object or job with no owner key (run in-process by ``harvester run-test`` or the tests) is
left alone. With a RabbitMQ queue (``ckan.harvest.mq.type = amqp``) nothing of this runs:
the broker redelivers the messages of a dead consumer itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject

from ckanext.khtourism.core import messages

log = logging.getLogger(__name__)

HEARTBEAT_OPTION = "ckanext.khtourism.harvest.heartbeat_seconds"

_worker_name = f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"
_heartbeat: threading.Thread | None = None
_heartbeat_lock = threading.Lock()


def heartbeat_ttl() -> int:
    return max(3, tk.asint(tk.config.get(HEARTBEAT_OPTION, 30) or 30))


def enabled() -> bool:
    return str(tk.config.get("ckan.harvest.mq.type", "amqp")).lower() == "redis"


def _redis() -> Any:
    return queue.get_connection()


def _prefix() -> str:
    return f"{tk.config.get('ckan.site_id') or 'default'}:khtourism:harvest"


def _worker_key(name: str) -> str:
    return f"{_prefix()}:consumer:{name}"


def _gather_key(job_id: str) -> str:
    return f"{_prefix()}:gather:{job_id}"


def _object_key(object_id: str) -> str:
    return f"{_prefix()}:object:{object_id}"


def worker_name() -> str:
    """This process's name in the heartbeat keys (after a fork, a new one)."""
    global _worker_name
    if f":{os.getpid()}:" not in _worker_name:
        _worker_name = f"{socket.gethostname()}:{os.getpid()}:{int(time.time())}"
    return _worker_name


def beat() -> None:
    _redis().set(_worker_key(worker_name()), "alive", ex=heartbeat_ttl())


def start_heartbeat() -> None:
    """Keep this consumer's heartbeat alive (a daemon thread; started once per process)."""
    global _heartbeat
    if not enabled():
        return
    with _heartbeat_lock:
        if _heartbeat is not None and _heartbeat.is_alive():
            return
        ttl = heartbeat_ttl()
        _quietly("the heartbeat", lambda _r: beat())

        def loop() -> None:
            while True:
                time.sleep(ttl / 3)
                try:
                    beat()
                except Exception:  # noqa: BLE001 - Redis away for a moment: beat again later
                    log.warning("harvest: heartbeat not written (Redis unavailable?)")

        _heartbeat = threading.Thread(target=loop, name="khtourism-harvest-heartbeat", daemon=True)
        _heartbeat.start()


def _quietly(what: str, call: Any) -> None:
    """Bookkeeping only: Redis failing here must never fail the work it describes (the
    consumer loses its queue with Redis anyway, and make run / systemd restart it)."""
    if not enabled():
        return
    try:
        call(_redis())
    except Exception as error:  # noqa: BLE001 - logged; the next run recovers
        log.warning("harvest: could not record %s in Redis: %s", what, error)


def working_on_job(job_id: str) -> None:
    _quietly("the gather's owner", lambda r: r.set(_gather_key(job_id), worker_name()))


def done_with_job(job_id: str) -> None:
    _quietly("the end of a gather", lambda r: r.delete(_gather_key(job_id)))


def working_on_objects(object_ids: Iterable[str]) -> None:
    ids = list(object_ids)
    if ids:
        _quietly(
            "the objects' owner",
            lambda r: r.mset({_object_key(i): worker_name() for i in ids}),
        )


def done_with_objects(object_ids: Iterable[str]) -> None:
    ids = list(object_ids)
    if ids:
        _quietly("the end of objects", lambda r: r.delete(*(_object_key(i) for i in ids)))


def _dead(redis: Any, owners: list[str | None]) -> list[bool]:
    """For each owner (``None``: no owner key), whether its heartbeat is gone."""
    named = sorted({o for o in owners if o})
    alive = (
        dict(zip(named, redis.mget([_worker_key(o) for o in named]), strict=True)) if named else {}
    )
    return [alive.get(o) is None if o else False for o in owners]


def recover() -> tuple[int, int]:
    """Objects of dead consumers back on the queue; jobs of dead gathers ended with a reason.

    Returns (objects requeued, jobs ended)."""
    if not enabled():
        return 0, 0
    redis = _redis()
    in_progress = (
        model.Session.query(HarvestObject.id)
        .join(HarvestJob, HarvestJob.id == HarvestObject.harvest_job_id)
        .filter(HarvestJob.status == "Running", HarvestObject.state.in_(("FETCH", "IMPORT")))
        .all()
    )
    object_ids = [row.id for row in in_progress]
    owners = redis.mget([_object_key(i) for i in object_ids]) if object_ids else []
    orphans = [i for i, dead in zip(object_ids, _dead(redis, owners), strict=True) if dead]
    if orphans:
        model.Session.query(HarvestObject).filter(HarvestObject.id.in_(orphans)).update(
            {"state": "WAITING"}, synchronize_session=False
        )
        model.Session.commit()
        publisher = queue.get_fetch_publisher()
        fetch_key = queue.get_fetch_routing_key()
        for object_id in orphans:
            redis.delete(f"{fetch_key}:{object_id}", _object_key(object_id))
            publisher.send({"harvest_object_id": object_id})
        publisher.close()
        log.warning(
            "harvest: %d object(s) of a consumer that stopped are queued again", len(orphans)
        )

    gathering = (
        model.Session.query(HarvestJob)
        .filter(HarvestJob.status == "Running", HarvestJob.gather_finished.is_(None))
        .all()
    )
    owners = redis.mget([_gather_key(job.id) for job in gathering]) if gathering else []
    ended = 0
    for job, dead in zip(gathering, _dead(redis, owners), strict=True):
        if not dead:
            continue
        end_job_of_dead_gather(job)
        redis.delete(f"{queue.get_gather_routing_key()}:{job.id}", _gather_key(job.id))
        ended += 1
    return len(orphans), ended


def end_job_of_dead_gather(job: HarvestJob) -> None:
    now = dt.datetime.utcnow()
    for obj in model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id):
        model.Session.delete(obj)
    job.gather_finished = job.finished = now
    job.status = "Finished"
    model.Session.add(HarvestGatherError(message=messages.bilingual("dead_gather"), job=job))
    model.Session.add(job)
    model.Session.commit()
    log.warning("harvest: job %s ended: its gather consumer stopped", job.id)
