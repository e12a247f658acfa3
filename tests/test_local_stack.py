"""``make run``'s stack: serves the portal on embedded services, Ctrl-C stops
everything it started, and a second run reuses the same data."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import requests

STARTUP_TIMEOUT = 240


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# What would point a program at the test suite's (or its worker's) services and files
# instead of the ones the stack under test starts.
SUITE_ENVIRONMENT = ("CKAN_SQLALCHEMY_URL", "CKAN_REDIS_URL", "CKAN_STORAGE_PATH", "CKAN_INI")


def _stack_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in SUITE_ENVIRONMENT}


def _start(root: Path, port: int) -> subprocess.Popen[bytes]:
    env = _stack_env()
    # The periodic harvest run and webhook dispatch (two CKAN commands, each a CKAN start)
    # come about once in a start's lifetime, not every 5 s; one gather consumer (make run
    # starts two: tests/harvesters/test_gather_consumers.py runs two side by side) — every
    # process started costs a CKAN start's CPU, which the other test worker waits for;
    # one fetch consumer too (make run starts two; the drills kill and restart one kind
    # at a time, so one of each proves the same).
    env.update(
        PORT=str(port),
        KHTOURISM_DEMO="0",
        KHTOURISM_HARVEST_RUN_INTERVAL="20",
        KHTOURISM_GATHER_CONSUMERS="1",
        KHTOURISM_FETCH_CONSUMERS="1",
    )
    # harvest sources on this machine (make run refuses internal addresses by default)
    env.update(KHTOURISM_OUTBOUND_ALLOWED_HOSTS="127.0.0.1")
    log = (root / f"run-{port}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "ckanext.khtourism.local", "run", "--root", str(root)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_until_served(process: subprocess.Popen[bytes], url: str, log: Path) -> dict:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
        try:
            response = requests.get(url, timeout=5)
            if response.status_code == 200:
                return response.json()["result"]
        except requests.RequestException:
            pass
        time.sleep(0.25)  # a refused connection costs nothing: notice the start soon
    raise AssertionError(f"portal not served in time:\n{log.read_text(errors='replace')[-4000:]}")


def _ctrl_c(process: subprocess.Popen[bytes]) -> int:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground group."""
    os.killpg(process.pid, signal.SIGINT)
    return process.wait(90)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@dataclass
class RunningStack:
    """A stack left serving by one drill for the next: its data root, a sysadmin token,
    its process and port."""

    root: Path
    token: str
    process: subprocess.Popen[bytes]
    port: int


@pytest.fixture(scope="module")
def running_stacks() -> Iterator[list[RunningStack]]:
    """Stacks the first drill leaves serving: its second start (of the data its first
    start left) goes on to the kill drill, instead of being stopped and a third start
    paid for it (every start loads CKAN in seven processes). Run alone, the kill drill
    starts on a fresh root. A stack no drill took is stopped here, by Ctrl-C, and must
    exit cleanly."""
    stacks: list[RunningStack] = []
    yield stacks
    for stack in stacks:
        assert _ctrl_c(stack.process) == 0


def test_run_serves_stops_cleanly_and_reuses_data(tmp_path, running_stacks):
    root = tmp_path
    port = _free_port()
    status_url = f"http://127.0.0.1:{port}/api/3/action/status_show"

    first = _start(root, port)
    try:
        status = _wait_until_served(first, status_url, root / f"run-{port}.log")
        assert {"khtourism", "scheming_datasets", "dcat", "harvest", "spatial_metadata"} <= set(
            status["extensions"]
        )

        var = root / "var"
        assert _pending_migrations(var / "ckan.ini") == {}
        for secret_file in ("ckan.ini", "secrets.json", "credentials.json"):
            assert _mode(var / secret_file) == 0o600, secret_file
        assert json.loads((var / "credentials.json").read_text())["username"]

        # Workers run beside the web server.
        descendants = psutil.Process(first.pid).children(recursive=True)
        command_lines = [" ".join(p.cmdline()) for p in descendants]
        for worker in ("harvester gather-consumer", "harvester fetch-consumer", "jobs worker"):
            assert any(worker in line for line in command_lines), (worker, command_lines)

        # The registry dataset of the open visitor statistics exists without demo data
        # (issue 18: the stack creates it once; the jobs worker refreshes it on acceptance).
        statistics = requests.get(
            f"http://127.0.0.1:{port}/api/3/action/package_show?id=visitor-statistics",
            timeout=30,
        )
        assert statistics.status_code == 200, statistics.text
        assert {"CSV", "JSON", "CSVW"} <= {
            r["format"] for r in statistics.json()["result"]["resources"]
        }
        assert (var / "statistics-dataset").exists()

        # Leave some data behind, through the real API, as the sysadmin.
        token = _token(var)
        created = requests.post(
            f"http://127.0.0.1:{port}/api/3/action/organization_create",
            json={"name": "stack-test-org", "title": "Stack test"},
            headers={"Authorization": token},
            timeout=30,
        )
        assert created.status_code == 200, created.text

        postgres_pid = int((var / "postgres" / "postmaster.pid").read_text().split()[0])
        redis_pid = int((var / "redis" / "redis.pid").read_text().strip())
        started = [p.pid for p in descendants] + [postgres_pid, redis_pid]
    finally:
        exit_code = _ctrl_c(first)

    assert exit_code == 0

    def alive() -> list[int]:
        found = []
        for pid in started:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    found.append(pid)
            except psutil.NoSuchProcess:
                continue
        return found

    # polled within the same second the fixed pause gave: most runs find them gone at once
    deadline = time.monotonic() + 1
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive() == [], f"processes left running: {alive()}"
    assert not (var / "postgres" / "postmaster.pid").exists()  # nothing left locked
    assert not (var / "redis" / "redis.sock").exists()

    # Second run: same secrets, same sysadmin, same data.
    secrets_before = (var / "secrets.json").read_text()
    second = _start(root, port)
    try:
        _wait_until_served(second, status_url, root / f"run-{port}.log")
        assert (var / "secrets.json").read_text() == secrets_before
        shown = requests.get(
            f"http://127.0.0.1:{port}/api/3/action/organization_show?id=stack-test-org", timeout=30
        )
        assert shown.status_code == 200 and shown.json()["result"]["title"] == "Stack test"
    except BaseException:
        _ctrl_c(second)
        raise
    # serving on: the kill drill goes on with it (stopped by Ctrl-C there or by the fixture)
    running_stacks.append(RunningStack(root, token, second, port))


def _pending_migrations(ini: Path) -> dict[str, tuple[set[str], set[str]]]:
    """The plugins whose tables in the stack's database are not at their migrations' head
    (plugin: (applied, heads)); read from the database, without another CKAN process."""
    import configparser
    import importlib

    import sqlalchemy as sa
    from alembic.script import ScriptDirectory

    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini)
    engine = sa.create_engine(parser["app:main"]["sqlalchemy.url"])
    pending = {}
    try:
        with engine.connect() as connection:
            for plugin in ("activity", "harvest", "khtourism"):
                package = importlib.import_module(f"ckanext.{plugin}")
                folder = Path(package.__file__).parent / "migration" / plugin
                heads = set(ScriptDirectory(str(folder)).get_heads())
                applied = set(
                    connection.execute(
                        sa.text(f"SELECT version_num FROM {plugin}_alembic_version")
                    ).scalars()
                )
                if applied != heads:
                    pending[plugin] = (applied, heads)
    finally:
        engine.dispose()
    return pending


def _token(var: Path) -> str:
    credentials = json.loads((var / "credentials.json").read_text())
    return (
        subprocess.run(
            [
                str(Path(sys.executable).with_name("ckan")),
                "-c",
                str(var / "ckan.ini"),
                "user",
                "token",
                "add",
                credentials["username"],
                "stack-test",
            ],
            capture_output=True,
            text=True,
            check=True,
            env=_stack_env(),
        )
        .stdout.strip()
        .splitlines()[-1]
        .strip()
    )


def _workers(stack_pid: int, name: str) -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process(stack_pid).children(recursive=True)
        if name in " ".join(p.cmdline()) and p.status() != psutil.STATUS_ZOMBIE
    ]


def test_a_killed_worker_is_restarted_and_the_portal_keeps_serving(tmp_path, running_stacks):
    """kill -9 of a consumer (and of the web server) restarts it after a pause, with a line in
    the log; the portal never stops. Right after start, 20 parallel harvest_source_create
    calls all succeed (the search engine's commit listeners are in place before any commit:
    the first write after start once answered 500 with "deque mutated during iteration")."""
    from concurrent.futures import ThreadPoolExecutor

    if running_stacks:
        running = running_stacks.pop()
        root, token, stack, port = running.root, running.token, running.process, running.port
    else:
        root, token, port = tmp_path, "", _free_port()
        stack = _start(root, port)
    base = f"http://127.0.0.1:{port}"
    log = root / f"run-{port}.log"
    try:
        _wait_until_served(stack, f"{base}/api/3/action/status_show", log)
        token = token or _token(root / "var")
        headers = {"Authorization": token}
        org = requests.post(
            f"{base}/api/3/action/organization_create",
            json={"name": "so-du-lich", "title": "Sở Du lịch"},
            headers=headers,
            timeout=60,
        )
        assert org.status_code == 200, org.text

        def create_source(number: int) -> tuple[int, str]:
            response = requests.post(
                f"{base}/api/3/action/harvest_source_create",
                json={
                    "name": f"nguon-{number}",
                    "title": f"Nguồn {number}",
                    "url": f"http://127.0.0.1:9/dk-{number}.csv",
                    "source_type": "khtourism_spreadsheet",
                    "config": json.dumps({"record_type": "accommodation"}),
                    "owner_org": "so-du-lich",
                },
                headers=headers,
                timeout=120,
            )
            return response.status_code, response.text[-300:]

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(create_source, range(20)))
        assert [status for status, _text in answers] == [200] * 20, answers

        for name in ("harvester fetch-consumer", "harvester gather-consumer", "jobs worker"):
            victim = _workers(stack.pid, name)[0]
            victim.kill()  # kill -9
            victim.wait(10)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                # the web server answers all along
                assert requests.get(f"{base}/api/3/action/status_show", timeout=10).ok
                if any(p.pid != victim.pid for p in _workers(stack.pid, name)):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError(f"{name} not restarted:\n{log.read_text()[-3000:]}")
            assert stack.poll() is None
        text = log.read_text(errors="replace")
        assert "exited with -9; restarting in" in text, text[-3000:]

        # even the web server: restarted, and serving again
        web = _workers(stack.pid, " run --host")[0]
        web.kill()
        _wait_until_served(stack, f"{base}/api/3/action/status_show", log)
        assert (
            len(
                requests.get(
                    f"{base}/api/3/action/harvest_source_list", headers=headers, timeout=30
                ).json()["result"]
            )
            == 20
        )
    finally:
        assert _ctrl_c(stack) == 0


def test_stack_restarts_an_exited_child_with_a_growing_pause(capsys):
    """The supervision of ``make run`` without real time: pauses of 1, 2, 4 … 60 s in a row,
    back to 1 s after a child ran for a minute; nothing restarts while the stack stops."""
    from ckanext.khtourism.local import stack as stack_module

    stack = stack_module.Stack()
    stack.spawn("fetch-consumer-1", [sys.executable, "-c", "raise SystemExit(3)"])
    child = stack.children[0]
    child.process.wait(30)
    now = child.started
    delays = []
    for _ in range(8):
        stack.supervise(now)
        delays.append(child.restart_at - now)
        now = child.restart_at
        stack.supervise(now)  # restarted
        child.process.wait(30)
    # the pauses are differences of monotonic times (floats): equal to within rounding
    assert delays == pytest.approx([1, 2, 4, 8, 16, 32, 60, 60])
    assert "worker fetch-consumer-1 exited with 3; restarting in 1 s" in capsys.readouterr().err
    stack.supervise(now + stack_module.STABLE_AFTER)  # it ran for a minute: from 1 s again
    assert child.restart_at == now + stack_module.STABLE_AFTER + 1
    stack.stopping.set()
    before = child.process
    stack.supervise(child.restart_at)
    assert child.process is before


def test_systemd_units_restart_every_long_running_service():
    units = Path(__file__).parents[1] / "deployment" / "systemd"
    for name in (
        "khtourism-web.service",
        "khtourism-harvest-gather@.service",
        "khtourism-harvest-fetch@.service",
        "khtourism-jobs.service",
    ):
        text = (units / name).read_text()
        assert "Restart=always" in text or "Restart=on-failure" in text, name
        assert "RestartSec=" in text, name
        assert "StartLimitIntervalSec=0" in text, name  # systemd never gives up
