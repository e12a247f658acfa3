"""Several gather consumers side by side, never two on one job.

``make run`` and the systemd units start more than one ``harvester gather-consumer``
(``KHTOURISM_GATHER_CONSUMERS``, ``khtourism-harvest-gather@N``), so one slow source
does not hold every other harvest job. Redis hands each queued job to one consumer
(``BLPOP``), but a job can be queued twice: ``harvest_jobs_run`` re-queues a gather
that has run for a long time (``queue.resubmit_jobs``), and a job can be sent again by
hand. :func:`gather_callback` (put in ``ckanext.harvest.queue``, where the consumer
looks it up, by :func:`install`, through the compat room) therefore gathers a job only

- while it holds the job's PostgreSQL advisory lock (on a connection of its own, so the
  lock is released if the consumer dies), and
- if the job has not been gathered yet (``gather_finished`` empty) and is not finished.

Otherwise the message is acknowledged and dropped (logged).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.khtourism import compat

log = logging.getLogger(__name__)


def install() -> None:
    """Wrap ckanext-harvest's gather callback (compat entry ``harvest.gather_callback.one_consumer``)."""
    compat.wrap("harvest.gather_callback.one_consumer", _gather_callback)


def _gather_callback(original: Any) -> Any:
    def gather_callback(channel: Any, method: Any, header: Any, body: Any) -> Any:
        job_id = _job_id(body)
        if job_id is None:
            return original(channel, method, header, body)
        # autocommit: the session-level lock outlives statements; no transaction stays open
        with model.meta.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as lock_connection:
            if not _try_lock(lock_connection, job_id):
                log.warning("harvest job %s is being gathered by another consumer: skipped", job_id)
                channel.basic_ack(method.delivery_tag)
                return False
            try:
                row = lock_connection.execute(
                    sa.text("SELECT gather_finished, status FROM harvest_job WHERE id = :id"),
                    {"id": job_id},
                ).first()
                if row is not None and (
                    row.gather_finished is not None or row.status == "Finished"
                ):
                    log.warning("harvest job %s was gathered already: skipped", job_id)
                    channel.basic_ack(method.delivery_tag)
                    return False
                return original(channel, method, header, body)
            finally:
                _unlock(lock_connection, job_id)

    return gather_callback


def _job_id(body: Any) -> str | None:
    try:
        value = json.loads(body).get("harvest_job_id")
    except (TypeError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None


def _try_lock(connection: Any, job_id: str) -> bool:
    locked = connection.execute(
        sa.text("SELECT pg_try_advisory_lock(hashtextextended('khtourism-gather:' || :id, 0))"),
        {"id": job_id},
    ).scalar()
    return bool(locked)


def _unlock(connection: Any, job_id: str) -> None:
    try:
        connection.execute(
            sa.text("SELECT pg_advisory_unlock(hashtextextended('khtourism-gather:' || :id, 0))"),
            {"id": job_id},
        )
    except sa.exc.DBAPIError:  # the connection is closed below either way (lock released)
        log.warning("harvest job %s: could not release the gather lock", job_id, exc_info=True)
