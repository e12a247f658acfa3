"""HTTP access to sources: the portal's outbound guard, bounds per request and per job.

Every request goes through :mod:`ckanext.khtourism.outbound` (public addresses only,
checked after DNS resolution and after every redirect; one deadline for the whole
request; a maximum size). A gather also has a :class:`Budget` for the whole job: total
bytes, total records (features) and total time, so a server that never stops paging
ends the job with a clear error instead of holding the gather consumer.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

import ckan.plugins.toolkit as tk

from ckanext.khtourism import outbound

from .base import SourceError

USER_AGENT = outbound.USER_AGENT
DEFAULT_TIMEOUT = 30.0
DEFAULT_JOB_BYTES = 1024 * 1024 * 1024
DEFAULT_JOB_RECORDS = 100_000
DEFAULT_JOB_SECONDS = 3600


@dataclass
class Budget:
    """What one gather may still download: bytes, records and time."""

    max_bytes: int = DEFAULT_JOB_BYTES
    max_records: int = DEFAULT_JOB_RECORDS
    max_seconds: float = DEFAULT_JOB_SECONDS
    used_bytes: int = 0
    used_records: int = 0
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def from_config(cls) -> Budget:
        return cls(
            max_bytes=tk.asint(
                tk.config.get("ckanext.khtourism.harvest.max_job_bytes") or DEFAULT_JOB_BYTES
            ),
            max_records=max_records(),
            max_seconds=float(
                tk.config.get("ckanext.khtourism.harvest.max_gather_seconds") or DEFAULT_JOB_SECONDS
            ),
        )

    def remaining_seconds(self) -> float:
        return self.max_seconds - (time.monotonic() - self.started)

    def add_bytes(self, count: int, url: str) -> None:
        self.used_bytes += count
        if self.used_bytes > self.max_bytes:
            raise SourceError(
                f"{url}: the source sent more than {self.max_bytes} bytes in all for this job "
                "(ckanext.khtourism.harvest.max_job_bytes); nothing imported or withdrawn"
            )

    def add_records(self, count: int, url: str) -> None:
        self.used_records += count
        if self.used_records > self.max_records:
            raise SourceError(
                f"{url}: the source listed more than {self.max_records} records "
                "(ckanext.khtourism.harvest.max_records); nothing imported or withdrawn"
            )


_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "khtourism_harvest_budget", default=None
)


def max_records() -> int:
    return tk.asint(tk.config.get("ckanext.khtourism.harvest.max_records") or DEFAULT_JOB_RECORDS)


@contextlib.contextmanager
def job_budget(budget: Budget | None = None) -> Iterator[Budget]:
    """Count every request made inside the block against one job's budget."""
    budget = budget or Budget.from_config()
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def count_records(count: int, url: str) -> None:
    """Records a reader has just listed (a page of features), against the job's budget."""
    budget = _budget.get()
    if budget is not None:
        budget.add_records(count, url)


def get(
    url: str,
    *,
    params: dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """GET ``url`` whole; any failure is a :class:`SourceError` naming the URL and the cause.

    ``timeout`` bounds the whole request (connection, redirects, headers and body), not each
    read. urllib3 enforces Content-Length, so a body cut short raises instead of being
    returned truncated. The remote body never appears in the error.
    """
    rules = outbound.policy()
    budget = _budget.get()
    max_bytes = rules.max_bytes
    if budget is not None:
        remaining = budget.remaining_seconds()
        if remaining <= 0:
            raise SourceError(
                f"{url}: the gather took longer than {budget.max_seconds:g} s "
                "(ckanext.khtourism.harvest.max_gather_seconds); nothing imported or withdrawn"
            )
        timeout = min(timeout, remaining)
        max_bytes = min(max_bytes, max(1, budget.max_bytes - budget.used_bytes + 1))
    try:
        response = outbound.fetch(
            url, params=params, headers=headers, timeout=timeout, max_bytes=max_bytes, rules=rules
        )
    except outbound.TooLarge as error:
        if budget is not None and max_bytes < rules.max_bytes:
            budget.add_bytes(max_bytes, url)
        raise SourceError(str(error)) from error
    except outbound.OutboundError as error:
        raise SourceError(str(error)) from error
    if budget is not None:
        budget.add_bytes(len(response.content), url)
    return response


def get_json(
    url: str,
    *,
    params: dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    headers: dict[str, str] | None = None,
) -> Any:
    """GET and parse JSON; malformed or truncated JSON is a :class:`SourceError`."""
    response = get(url, params=params, timeout=timeout, headers=headers)
    try:
        return json.loads(response.content)  # JSON is UTF-8/16/32: detected from the bytes
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(
            f"{outbound.redact_url(response.url)}: malformed or truncated JSON ({error})"
        ) from error
