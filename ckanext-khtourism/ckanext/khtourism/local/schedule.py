"""The daily jobs of ``make run``: what the production systemd timers run
(``deployment/systemd/*.timer``), run by the local supervisor beside the minute timer of
the harvests.

* ``ckan khtourism dumps build`` — the nightly bulk dumps, at 02:00 Khánh Hòa time; and
  once shortly after start when no dump exists yet, so that a fresh ``make run`` serves
  ``/api/tourism/v1/dumps/`` without waiting for the night;
* ``ckan khtourism statistics remind`` — the visitor-report reminders, daily at 08:00
  Khánh Hòa time (the e-mails go out only when
  ``ckanext.khtourism.statistics.send_reminders`` is on).

Each run is logged on stderr (start, end, exit status, duration) with the command's own
output, line by line, after it ends. Nothing here imports CKAN (it runs in the supervisor, before any configuration).
"""

from __future__ import annotations

import configparser
import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
# How often the supervisor looks at the clock, and how long after start a missing dump is
# built (the portal and its workers are up by then).
TICK_SECONDS = 30.0
STARTUP_DELAY = dt.timedelta(seconds=float(os.environ.get("KHTOURISM_STARTUP_JOBS_DELAY", "120")))
# core/dumps.py MANIFEST and PATH (not imported: that module needs CKAN's configuration)
DUMPS_MANIFEST = "manifest.json"
DUMPS_PATH_SETTING = "ckanext.khtourism.dumps.path"


@dataclass(frozen=True)
class DailyJob:
    name: str
    command: tuple[str, ...]  # after ``ckan -c <config>``
    at: dt.time  # Khánh Hòa time
    timer: str  # the production timer that runs it
    # when a first run shortly after start is due (None: never)
    needed_at_start: Callable[[Path], bool] | None = None


def dumps_directory(config: Path) -> Path:
    """The dumps' folder the configuration names (as core/dumps.py ``directory`` reads it)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(config, encoding="utf-8")
    section = parser["app:main"] if parser.has_section("app:main") else {}
    configured = section.get(DUMPS_PATH_SETTING)
    if configured:
        return Path(configured)
    return Path(section.get("ckan.storage_path") or "/tmp") / "khtourism-dumps"


def no_dump_yet(config: Path) -> bool:
    return not (dumps_directory(config) / DUMPS_MANIFEST).exists()


DAILY_JOBS = (
    DailyJob(
        "nightly dumps",
        ("khtourism", "dumps", "build"),
        dt.time(2, 0),
        "khtourism-dumps.timer",
        needed_at_start=no_dump_yet,
    ),
    DailyJob(
        "statistics reminders",
        ("khtourism", "statistics", "remind"),
        dt.time(8, 0),
        "khtourism-statistics-remind.timer",
    ),
)


def next_run(at: dt.time, now: dt.datetime) -> dt.datetime:
    """The first instant after ``now`` when Khánh Hòa's clock shows ``at`` (UTC)."""
    local_now = now.astimezone(LOCAL_TIME)
    candidate = dt.datetime.combine(local_now.date(), at, tzinfo=LOCAL_TIME)
    if candidate <= local_now:
        candidate = dt.datetime.combine(
            local_now.date() + dt.timedelta(days=1), at, tzinfo=LOCAL_TIME
        )
    return candidate.astimezone(dt.timezone.utc)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def log(message: str) -> None:
    print(f"[khtourism] {message}", file=sys.stderr, flush=True)


class Scheduler:
    """When each daily job runs next; :meth:`tick` runs those that are due, one after
    another, and schedules their next run."""

    def __init__(
        self,
        config: Path,
        jobs: tuple[DailyJob, ...] = DAILY_JOBS,
        launch: Callable[[Path, DailyJob], int] | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        self.config = config
        self.jobs = jobs
        self.launch = launch or run_job
        start = now or utc_now()
        self.due: dict[str, dt.datetime] = {}
        for job in jobs:
            self.due[job.name] = next_run(job.at, start)
            if job.needed_at_start is not None and job.needed_at_start(config):
                self.due[job.name] = start + STARTUP_DELAY
                log(f"{job.name}: none yet; the first run in {STARTUP_DELAY.seconds} s")
        for job in jobs:
            log(f"{job.name}: next run {self._local(self.due[job.name])} (Asia/Ho_Chi_Minh)")

    @staticmethod
    def _local(instant: dt.datetime) -> str:
        return instant.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")

    def tick(self, now: dt.datetime | None = None) -> list[tuple[str, int]]:
        """Run the jobs due at ``now``; (name, exit status) of each run."""
        now = now or utc_now()
        ran = []
        for job in self.jobs:
            if self.due[job.name] > now:
                continue
            ran.append((job.name, self.launch(self.config, job)))
            self.due[job.name] = next_run(job.at, now)
            log(f"{job.name}: next run {self._local(self.due[job.name])} (Asia/Ho_Chi_Minh)")
        return ran


def ckan_command(config: Path, job: DailyJob) -> list[str]:
    return [str(Path(sys.executable).with_name("ckan")), "-c", str(config), *job.command]


def run_job(config: Path, job: DailyJob) -> int:
    """Run one job to its end, its output on the console, logged around it."""
    args = ckan_command(config, job)
    log(f"{job.name}: started `ckan {' '.join(job.command)}`")
    started = time.monotonic()
    result = subprocess.run(
        args,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    for line in result.stdout.splitlines():
        log(f"{job.name} | {line}")
    log(f"{job.name}: finished with exit {result.returncode} in {time.monotonic() - started:.0f} s")
    return result.returncode


def run_daily_jobs(stopping: threading.Event, config: Path) -> None:
    """The supervisor's thread: look at the clock every :data:`TICK_SECONDS` until
    ``stopping`` is set."""
    scheduler = Scheduler(config)
    while not stopping.wait(TICK_SECONDS):
        scheduler.tick()
