"""Background jobs that bring something up to date, queued at most once while they wait.

A registry dataset's refresh, a record's cached catalogue description and the visitor
statistics dataset's refresh each read the current state when they run, so one waiting
job covers every change committed before it starts. RQ does not coalesce by itself: a
job id given again puts the id in the queue again, and the worker runs it as many times
(the demo load queued 89 refreshes of the accommodation registry and ten descriptions of
each record, several minutes of the jobs worker's time).

:func:`enqueue_once` queues a job unless a job of the same id is waiting (queued, not
started). A job that has started may have read the state before the caller's change, so
it is queued again. Two callers that check at the same moment may both queue it: a second
run, never a lost one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

import ckan.plugins.toolkit as tk
from ckan.lib import jobs

# the states of a job that has not started: it will read what the caller committed
WAITING = frozenset({JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED})


def is_waiting(job_id: str, queue: str = jobs.DEFAULT_QUEUE_NAME) -> bool:
    """A job of this id waits in this site's queue and has not started (another portal
    on the same Redis has queues of its own name: its job of the same id does not count)."""
    rq_queue = jobs.get_queue(queue)
    try:
        job = Job.fetch(job_id, connection=rq_queue.connection)
    except NoSuchJobError:
        return False
    return job.origin == rq_queue.name and job.get_status(refresh=False) in WAITING


def enqueue_once(
    function: Callable[..., Any],
    args: Sequence[Any],
    *,
    job_id: str,
    title: str,
    queue: str = jobs.DEFAULT_QUEUE_NAME,
) -> bool:
    """Queue ``function(*args)`` as job ``job_id`` unless that job is waiting already;
    whether it was queued. Redis errors reach the caller (each decides what an outage
    means for its user)."""
    if is_waiting(job_id, queue):
        return False
    tk.enqueue_job(function, list(args), title=title, queue=queue, rq_kwargs={"job_id": job_id})
    return True
