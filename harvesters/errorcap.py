"""At most ``ckanext.khtourism.harvest.max_errors_per_job`` error messages stored per job.

A register whose every row is wrong must not write a million error rows. Each job has a
counter in Redis (shared by the gather and every fetch consumer); the first N errors are
stored as usual, the others are only counted, and when ``harvest_jobs_run`` has finished
the job one gather error says how many were not stored. The objects' states and the
report's counts (added / updated / errored) are not affected: only messages are dropped.
If Redis cannot be reached, errors are stored (nothing is lost by the cap failing).
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.harvest.model import HarvestGatherError, HarvestJob

from ckanext.khtourism.core import messages

log = logging.getLogger(__name__)

DEFAULT_MAX_ERRORS = 1000
KEY_PREFIX = "khtourism:harvest:errors:"
KEY_TTL = 14 * 24 * 3600


def max_errors() -> int:
    return tk.asint(
        tk.config.get("ckanext.khtourism.harvest.max_errors_per_job") or DEFAULT_MAX_ERRORS
    )


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


def _key(job_id: str) -> str:
    prefix = tk.config.get("ckan.site_id") or "default"
    return f"{KEY_PREFIX}{prefix}:{job_id}"


def may_store(job_id: str | None) -> bool:
    """Count one error of ``job_id``; True while the job has stored fewer than the cap."""
    if not job_id:
        return True
    try:
        connection = _redis()
        key = _key(job_id)
        count = connection.incr(key)
        if count == 1:
            connection.expire(key, KEY_TTL)
    except Exception:  # noqa: BLE001 - the cap fails open: the error is stored
        log.warning("harvest: error counter unavailable; storing the error", exc_info=True)
        return True
    return int(count) <= max_errors()


def summarise_finished_jobs() -> None:
    """One "N more errors not stored" gather error for each finished job over the cap."""
    connection = _redis()
    prefix = _key("")
    cap = max_errors()
    for key in connection.scan_iter(match=f"{prefix}*", count=500):
        key = key.decode() if isinstance(key, bytes) else key
        job_id = key[len(prefix) :]
        job = model.Session.get(HarvestJob, job_id)
        if job is not None and job.status != "Finished":
            continue
        count = int(connection.get(key) or 0)
        connection.delete(key)
        if job is not None and count > cap:
            HarvestGatherError.create(
                messages.bilingual("errors_not_stored", count=count - cap, cap=cap), job
            )


def on_action_succeeded(action: str, **kwargs: Any) -> None:
    """``action_succeeded`` listener: after ``harvest_jobs_run``, summarise finished jobs."""
    if action != "harvest_jobs_run":
        return
    try:
        summarise_finished_jobs()
    except Exception:  # noqa: BLE001 - retried on the next run
        model.Session.rollback()
        log.exception("harvest: summary of capped errors failed; will retry on the next run")
