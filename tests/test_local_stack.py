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
from pathlib import Path

import psutil
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
    env.update(PORT=str(port), KHTOURISM_DEMO="0", KHTOURISM_HARVEST_RUN_INTERVAL="5")
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
        time.sleep(1)
    raise AssertionError(f"portal not served in time:\n{log.read_text(errors='replace')[-4000:]}")


def _ctrl_c(process: subprocess.Popen[bytes]) -> int:
    """What a terminal does on Ctrl-C: SIGINT to the whole foreground group."""
    os.killpg(process.pid, signal.SIGINT)
    return process.wait(90)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_run_serves_stops_cleanly_and_reuses_data(tmp_path):
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
        for secret_file in ("ckan.ini", "secrets.json", "credentials.json"):
            assert _mode(var / secret_file) == 0o600, secret_file
        credentials = json.loads((var / "credentials.json").read_text())

        # Workers run beside the web server.
        descendants = psutil.Process(first.pid).children(recursive=True)
        command_lines = [" ".join(p.cmdline()) for p in descendants]
        for worker in ("harvester gather-consumer", "harvester fetch-consumer", "jobs worker"):
            assert any(worker in line for line in command_lines), (worker, command_lines)

        # Leave some data behind, through the real API, as the sysadmin.
        token = (
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
    time.sleep(1)
    alive = [
        pid
        for pid in started
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert alive == [], f"processes left running: {alive}"
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
    finally:
        assert _ctrl_c(second) == 0
