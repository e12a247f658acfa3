"""The embedded PostgreSQL of ``make run`` keeps its data safe; the test suite's need not."""

from __future__ import annotations

import sqlalchemy as sa

from ckanext.khtourism.local import services, stack


def _settings(url: str) -> dict[str, str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(sa.text(f"SHOW {name}")).scalar()
                for name in services.NOT_DURABLE
            }
    finally:
        engine.dispose()


def test_the_suites_server_skips_flushing_and_make_runs_keeps_postgres_defaults(tmp_path):
    for durable, expected in ((False, services.NOT_DURABLE), (True, {})):
        template, stop = services.start_postgres(
            tmp_path / f"pg-{durable}", ["probe"], durable=durable
        )
        try:
            settings = _settings(template.format(db="probe"))
        finally:
            stop()
        assert settings == {**dict.fromkeys(services.NOT_DURABLE, "on"), **expected}


def test_the_suites_redis_keeps_nothing_on_disk_and_make_runs_keeps_its_snapshots(tmp_path):
    import redis

    for durable, saves in ((False, ""), (True, "60 1")):
        data_dir = tmp_path / f"redis-{durable}"
        for start in range(2):
            url, stop = services.start_redis(data_dir, durable=durable)
            try:
                client = redis.Redis.from_url(url)
                assert client.config_get("save")["save"] == saves
                if start == 0:
                    client.set("left-by-the-first-start", "1")
                else:
                    kept = client.get("left-by-the-first-start")
                    assert kept == (b"1" if durable else None), durable
                client.close()
            finally:
                stop()
        assert (data_dir / "dump.rdb").exists() is durable


def _run_make_test(tmp_path, monkeypatch) -> tuple[list[dict], list[dict]]:
    """``stack.test`` with the services and pytest replaced: (what it asked the services
    for, the keyword arguments pytest's process got)."""
    asked: list[dict] = []
    called: list[dict] = []

    class Running:
        sqlalchemy_url = "postgresql://postgres@/ckan_test?host=/nowhere"
        redis_url = "unix:///nowhere/redis.sock?db=1"

        def stop(self) -> None:
            pass

    def start(var_dir, **kwargs):
        asked.append(kwargs)
        return Running()

    monkeypatch.setattr(services, "start", start)
    monkeypatch.setattr(
        stack.subprocess, "call", lambda *args, **kwargs: called.append(kwargs) or 0
    )
    assert stack.test(tmp_path, ["-q"]) == 0
    return asked, called


def test_make_test_asks_for_the_server_without_flushing(tmp_path, monkeypatch):
    asked, _called = _run_make_test(tmp_path, monkeypatch)
    assert asked == [{"database": "ckan_test", "redis_db": 1, "durable": False}]


def test_make_test_keeps_compiled_bytecode_whatever_the_environment_says(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    _asked, called = _run_make_test(tmp_path, monkeypatch)
    assert "PYTHONDONTWRITEBYTECODE" not in called[0]["env"]
    assert called[0]["env"]["KHTOURISM_TEST_INI"].endswith("test.ini")
