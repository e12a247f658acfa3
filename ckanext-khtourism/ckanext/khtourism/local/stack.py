"""``make run`` and ``make test``: one process that owns everything it starts.

``run`` starts the services, writes ``var/ckan.ini``, prepares the database,
creates the sysadmin once (and, once, the demo data and the visitor statistics' registry
dataset), then serves the portal with ckanext-harvest's
gather and fetch consumers, a background-jobs worker and the periodic
``ckan harvester run`` beside it, and the daily jobs of the production timers (the
nightly dumps, the statistics reminders: ``schedule.py``). A child that exits (a consumer killed, a
worker that lost Redis or PostgreSQL) is started again after a growing pause
and the log says so; nothing else stops. Ctrl-C (SIGINT) or SIGTERM stops every
process it started, then Redis and PostgreSQL, in that order.

``test`` starts its own services under ``var/test/`` (never the portal's
data), writes ``var/test/test.ini`` and runs pytest with CKAN's plugin.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import config_file, schedule, services, test_workers

HARVEST_RUN_INTERVAL = int(os.environ.get("KHTOURISM_HARVEST_RUN_INTERVAL", "60"))
# Harvest objects are imported by this many fetch consumers side by side (Redis hands each
# object to one of them): one per core of the 2-core reference machine.
FETCH_CONSUMERS = max(1, int(os.environ.get("KHTOURISM_FETCH_CONSUMERS", "2")))
# Harvest jobs are gathered by this many gather consumers, so one slow source does not hold
# the others (harvesters/gathering.py: never two on one job).
GATHER_CONSUMERS = max(1, int(os.environ.get("KHTOURISM_GATHER_CONSUMERS", "2")))


# A worker (or the web server) that exits is started again after a pause that doubles with
# each exit in a row (1, 2, 4 … 60 s); one that ran for STABLE_AFTER seconds starts again at 1 s.
RESTART_FIRST_DELAY = float(os.environ.get("KHTOURISM_RESTART_DELAY", "1"))
RESTART_MAX_DELAY = 60.0
STABLE_AFTER = 60.0


@dataclass
class Child:
    name: str
    args: list[str]
    env: dict[str, str] | None
    process: subprocess.Popen[bytes]
    started: float
    exits_in_a_row: int = 0
    restart_at: float | None = None


class Stack:
    """Child processes started in their own sessions, supervised, stopped together.

    :meth:`supervise` (called every second by :func:`run`) starts a child that exited again,
    after a growing pause, and says so on stderr: one worker's fault (Redis or PostgreSQL
    gone for a while, a consumer killed) never stops the portal.
    """

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.stopping = threading.Event()

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.children.append(Child(name, args, env, self._start(args, env), time.monotonic()))

    @staticmethod
    def _start(args: list[str], env: dict[str, str] | None) -> subprocess.Popen[bytes]:
        return subprocess.Popen(args, start_new_session=True, env=env)

    def supervise(self, now: float | None = None) -> None:
        """Schedule the restart of each child that exited; restart those whose pause is over."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            if self.stopping.is_set() or child.process.poll() is None:
                continue
            if child.restart_at is None:
                if now - child.started >= STABLE_AFTER:
                    child.exits_in_a_row = 0
                delay = min(RESTART_MAX_DELAY, RESTART_FIRST_DELAY * 2**child.exits_in_a_row)
                child.exits_in_a_row += 1
                child.restart_at = now + delay
                print(
                    f"[khtourism] worker {child.name} exited with {child.process.returncode}; "
                    f"restarting in {delay:g} s",
                    file=sys.stderr,
                    flush=True,
                )
            elif now >= child.restart_at:
                child.process = self._start(child.args, child.env)
                child.started, child.restart_at = now, None
                print(
                    f"[khtourism] worker {child.name} restarted (pid {child.process.pid})",
                    file=sys.stderr,
                    flush=True,
                )

    def stop_children(self) -> None:
        self.stopping.set()
        for child in self.children:
            if child.process.poll() is None:
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(remaining)
            except subprocess.TimeoutExpired:
                print(f"[khtourism] {child.name} did not stop in time; killing it", file=sys.stderr)
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()


def ckan(config: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("ckan")), "-c", str(config), *args]


def _check(args: list[str], what: str, answer: bytes | None = None) -> None:
    result = subprocess.run(args, input=answer)
    if result.returncode != 0:
        raise SystemExit(f"[khtourism] {what} failed (exit {result.returncode}): {' '.join(args)}")


def prepare_database(config: Path) -> None:
    """Create the schema and apply every pending migration (core and plugins).

    In CKAN 2.11 ``ckan db init`` is ``ckan db upgrade``: the core migrations, then every
    enabled plugin's pending ones (a second ``db pending-migrations --apply`` process found
    nothing left to do, at every start)."""
    _check(ckan(config, "db", "init"), "database initialisation")


def ensure_sysadmin(config: Path, var_dir: Path) -> dict[str, str]:
    """Create the sysadmin once; keep its credentials in var/ (mode 600)."""
    credentials_path = var_dir / "credentials.json"
    if credentials_path.exists():
        return json.loads(credentials_path.read_text())
    stored = config_file.load_secrets(var_dir)
    credentials = {
        "username": os.environ.get("KHTOURISM_SYSADMIN", "admin"),
        "password": stored["sysadmin_password"],
        "email": "admin@localhost.invalid",
    }
    # one CKAN process: `ckan sysadmin add` of a user that does not exist yet asks whether
    # to create it ("y") and creates it with the given fields, as `ckan user add` does
    _check(
        ckan(
            config,
            "sysadmin",
            "add",
            credentials["username"],
            f"email={credentials['email']}",
            f"password={credentials['password']}",
        ),
        "sysadmin creation",
        answer=b"y\n",
    )
    fd = os.open(credentials_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(credentials, handle, indent=2)
    return credentials


def load_demo_data(config: Path, var_dir: Path) -> None:
    """Load the demo set once (the marker file records that it was loaded)."""
    marker = var_dir / "demo-loaded"
    if marker.exists() or os.environ.get("KHTOURISM_DEMO", "1") == "0":
        return
    result = subprocess.run(
        ckan(
            config,
            "khtourism",
            "demo",
            "load",
            "--credentials-file",
            str(var_dir / "demo-users.json"),
        )
    )
    if result.returncode == 0:
        marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))
    else:
        print(
            "[khtourism] demo data was not loaded (see above); the portal runs without it",
            file=sys.stderr,
        )


def ensure_statistics_dataset(config: Path, var_dir: Path) -> None:
    """Create the registry dataset of the open visitor statistics (``visitor-statistics``)
    once, with or without demo data (the marker file records that it was created); from then
    on the jobs worker refreshes it whenever a curator accepts a report."""
    marker = var_dir / "statistics-dataset"
    if marker.exists():
        return
    result = subprocess.run(ckan(config, "khtourism", "statistics", "refresh-dataset"))
    if result.returncode == 0:
        marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))
    else:
        print(
            "[khtourism] the visitor statistics dataset was not created (see above); "
            "`ckan khtourism statistics refresh-dataset` creates it",
            file=sys.stderr,
        )


def periodic_harvest(stack: Stack, config: Path) -> None:
    """ckanext-harvest's scheduler: ``ckan harvester run`` every minute; and the
    webhook dispatch (``ckan khtourism webhooks dispatch``)."""
    while not stack.stopping.wait(HARVEST_RUN_INTERVAL):
        subprocess.run(
            ckan(config, "harvester", "run"), start_new_session=True, stdout=subprocess.DEVNULL
        )
        # clients: webhook retries and anything the jobs worker missed
        subprocess.run(
            ckan(config, "khtourism", "webhooks", "dispatch"),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )


def run(root: Path, port: int) -> int:
    var_dir = root / "var"
    running = services.start(var_dir, database="ckan", redis_db=0)
    stack = Stack()
    stop_requested = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        config = config_file.write_config(
            var_dir / "ckan.ini",
            var_dir=var_dir,
            sqlalchemy_url=running.sqlalchemy_url,
            redis_url=running.redis_url,
            port=port,
        )
        prepare_database(config)
        credentials = ensure_sysadmin(config, var_dir)
        load_demo_data(config, var_dir)
        ensure_statistics_dataset(config, var_dir)
        stack.spawn(
            "web",
            ckan(
                config,
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--disable-reloader",
                "--threaded",
            ),
        )
        for number in range(1, GATHER_CONSUMERS + 1):
            stack.spawn(f"gather-consumer-{number}", ckan(config, "harvester", "gather-consumer"))
        for number in range(1, FETCH_CONSUMERS + 1):
            stack.spawn(f"fetch-consumer-{number}", ckan(config, "harvester", "fetch-consumer"))
        # clients: webhook deliveries first, then the default queue (clients/webhooks.py)
        stack.spawn("jobs-worker", ckan(config, "jobs", "worker", "khtourism-webhooks", "default"))
        threading.Thread(target=periodic_harvest, args=(stack, config), daemon=True).start()
        # the nightly dumps and the daily statistics reminders (local/schedule.py)
        threading.Thread(
            target=schedule.run_daily_jobs, args=(stack.stopping, config), daemon=True
        ).start()
        demo_users = var_dir / "demo-users.json"
        demo_line = (
            f"[khtourism] Demo logins (curator, business): {demo_users}\n"
            if demo_users.exists()
            else ""
        )
        print(
            f"\n[khtourism] Portal: http://127.0.0.1:{port}\n"
            f"[khtourism] Sysadmin login: {credentials['username']} "
            f"(password in {var_dir / 'credentials.json'})\n"
            f"{demo_line}"
            f"[khtourism] Config: {config}  (use: .venv/bin/ckan -c {config} ...)\n"
            "[khtourism] Ctrl-C stops everything.\n",
            flush=True,
        )
        while not stop_requested.wait(1):
            stack.supervise()
        return 0
    finally:
        print("[khtourism] stopping…", file=sys.stderr)
        stack.stop_children()
        running.stop()
        print("[khtourism] stopped.", file=sys.stderr)


def test(root: Path, pytest_args: list[str]) -> int:
    var_dir = root / "var" / "test"
    # the suite's data is rebuilt by every run: commits need not wait for the disk
    running = services.start(var_dir, database="ckan_test", redis_db=1, durable=False)
    try:
        config = config_file.write_config(
            var_dir / "test.ini",
            var_dir=var_dir,
            sqlalchemy_url=running.sqlalchemy_url,
            redis_url=running.redis_url,
            port=5000,
            log_level="WARNING",
            extra={
                "ckan.tracking_enabled": "false",
                "testing": "true",
                # the suite calls the action API thousands of times from one IP; the tests
                # of the limit enable it with low values (tests/security/test_rate_limits.py)
                "ckanext.khtourism.action_api.rate_limit.enabled": "false",
                # maps: no basemap tiles, so no test ever asks the internet for one
                # (the maps show the vendored province outline and the markers)
                "ckanext.khtourism.maps.tile_url": "none",
            },
            # the fixture servers of the harvester tests (tests that prove refusals clear it)
            outbound_allowed_hosts="127.0.0.0/8 ::1",
        )
        env = dict(os.environ, KHTOURISM_TEST_INI=str(config))
        # Compiled bytecode kept (__pycache__, ignored by git) even where the environment
        # says not to write it: every process of the suite — the workers, the CKAN
        # processes its drills start — would otherwise compile the package, and pytest
        # rewrite the tests, again (~25 s of CPU a run; docs/performance.md).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # The database is created and migrated by the test session itself
        # (tests/conftest.py), so that every run starts from the same state.
        # Temporary folders of this checkout only: pytest's shared default
        # (/tmp/pytest-of-USER) is pruned by any other pytest session of the user.
        basetemp = var_dir / "pytest-tmp"
        args = [
            sys.executable,
            "-m",
            "pytest",
            f"--ckan-ini={config}",
            f"--basetemp={basetemp}",
            *test_workers.pytest_args(pytest_args),
        ]
        return subprocess.call(args, cwd=root, env=env)
    finally:
        running.stop()
