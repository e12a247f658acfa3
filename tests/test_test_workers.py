"""``make test`` in parallel workers: each on its own database, Redis database and files."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.local import test_workers


def test_each_worker_gets_its_own_database_name_on_the_same_server():
    socket_url = "postgresql://postgres@/ckan_test?host=/srv/var/test/postgres"
    assert (
        test_workers.database_url(socket_url, "gw0")
        == "postgresql://postgres@/ckan_test_gw0?host=/srv/var/test/postgres"
    )
    assert (
        test_workers.database_url("postgresql://ckan:secret@db.internal:5433/test", "gw3")
        == "postgresql://ckan:secret@db.internal:5433/test_gw3"
    )
    with pytest.raises(ValueError, match="names no database"):
        test_workers.database_url("postgresql://postgres@localhost", "gw0")
    with pytest.raises(ValueError, match="not a pytest-xdist worker id"):
        test_workers.database_url(socket_url, "master")


def test_each_worker_gets_a_redis_database_after_the_suites_own():
    assert test_workers.redis_url("unix:///v/redis.sock?db=1", "gw0") == "unix:///v/redis.sock?db=2"
    assert test_workers.redis_url("unix:///v/redis.sock?db=1", "gw2") == "unix:///v/redis.sock?db=4"
    assert test_workers.redis_url("unix:///v/redis.sock", "gw0") == "unix:///v/redis.sock?db=1"
    assert test_workers.redis_url("redis://localhost:6379/1", "gw1") == "redis://localhost:6379/3"
    assert test_workers.redis_url("redis://localhost:6379", "gw0") == "redis://localhost:6379/1"
    assert (
        test_workers.redis_url("redis://:pw@h:6379/0?ssl=0", "gw1") == "redis://:pw@h:6379/2?ssl=0"
    )
    with pytest.raises(ValueError, match="Redis database 16"):
        test_workers.redis_url("redis://localhost:6379/1", "gw14")
    with pytest.raises(ValueError, match="not a redis:// or unix:// URL"):
        test_workers.redis_url("http://localhost:6379/1", "gw0")


def test_workers_are_added_unless_the_arguments_choose(monkeypatch):
    monkeypatch.setenv(test_workers.WORKERS_VAR, "3")
    assert test_workers.pytest_args(["-q", "tests/api"]) == ["-n", "3", "-q", "tests/api"]
    for chosen in (["-n", "0"], ["-n4"], ["--numprocesses=2"], ["-p", "no:xdist"]):
        assert test_workers.pytest_args(["-q", *chosen]) == ["-q", *chosen]
    for interactive in ("-s", "--capture=no", "--pdb", "--trace"):
        assert test_workers.pytest_args(["-x", interactive]) == ["-n", "0", "-x", interactive]
    monkeypatch.setenv(test_workers.WORKERS_VAR, "many")
    with pytest.raises(ValueError, match="KHTOURISM_TEST_WORKERS must be a whole number"):
        test_workers.default_count()
    monkeypatch.delenv(test_workers.WORKERS_VAR)
    cores = os.cpu_count() or 1
    assert test_workers.default_count() == max(1, min(cores, test_workers.MAX_DEFAULT_WORKERS))


def test_create_database_creates_once_on_the_real_server():
    server_url = tk.config["sqlalchemy.url"]
    probe = test_workers.database_url(server_url, f"gw{uuid.uuid4().int % 10_000}")
    name = sa.engine.make_url(probe).database
    test_workers.create_database(probe)
    test_workers.create_database(probe)  # already there: nothing to do, no error
    engine = sa.create_engine(probe, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT current_database()")).scalar() == name
    finally:
        engine.dispose()
    admin = sa.create_engine(
        sa.engine.make_url(server_url), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}"'))
    finally:
        admin.dispose()


def test_this_process_runs_on_the_database_and_redis_its_worker_was_given():
    """Under ``make test`` this runs in a worker (``gwN``); with ``-n 0``, in the one process
    on the suite's own database. Either way CKAN uses what the environment says."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    database = model.meta.engine.url.database
    redis_url = tk.config["ckan.redis.url"]
    if worker_id:
        assert database.endswith(f"_{worker_id}")
        assert os.environ["CKAN_SQLALCHEMY_URL"] == tk.config["sqlalchemy.url"]
        assert os.environ["CKAN_REDIS_URL"] == redis_url
        assert tk.config["ckan.storage_path"].endswith(f"-{worker_id}")
    else:
        assert not database.endswith("_gw0")
        assert "PYTEST_XDIST_WORKER" not in os.environ


def test_files_are_handed_out_longest_first_each_file_in_its_own_order(monkeypatch):
    from tests import scheduling

    class Item:
        def __init__(self, nodeid: str) -> None:
            self.nodeid = nodeid

    monkeypatch.setattr(
        scheduling, "FILE_SECONDS", {"tests/b/test_drill.py": 90.0, "tests/a/test_x.py": 0.1}
    )
    monkeypatch.setattr(scheduling, "SECONDS_PER_TEST", 1.0)
    collected = [
        "tests/a/test_x.py::test_one",
        "tests/a/test_y.py::test_one",
        "tests/a/test_y.py::test_two[2]",
        "tests/a/test_y.py::test_two[1]",
        "tests/a/test_z.py::test_one",
        "tests/b/test_drill.py::test_long",
        "tests/b/test_drill.py::test_longer",
        "tests/c/test_w.py::test_one",
    ]
    items = [Item(nodeid) for nodeid in collected]
    scheduling.heaviest_files_first(items)
    assert [item.nodeid for item in items] == [
        # 90 s
        "tests/b/test_drill.py::test_long",
        "tests/b/test_drill.py::test_longer",
        # 3 tests x 1 s
        "tests/a/test_y.py::test_one",
        "tests/a/test_y.py::test_two[2]",
        "tests/a/test_y.py::test_two[1]",
        # 1 s each, in collection order
        "tests/a/test_z.py::test_one",
        "tests/c/test_w.py::test_one",
        # listed as 0.1 s
        "tests/a/test_x.py::test_one",
    ]


def test_the_suite_runs_files_whole_in_the_order_given(pytestconfig):
    """The workers get whole files (module fixtures built once) in the order of
    tests/scheduling.py, which xdist would otherwise re-sort by test count."""
    addopts = " ".join(pytestconfig.getini("addopts"))
    assert "--dist loadfile" in addopts and "--no-loadscope-reorder" in addopts


def test_tests_with_the_same_settings_run_together_within_their_file():
    from tests import scheduling

    class Mark:
        def __init__(self, *args: str) -> None:
            self.args, self.kwargs = args, {}

    class Parent:
        def __init__(self, nodeid: str) -> None:
            self.nodeid = nodeid

    class Item:
        def __init__(self, nodeid: str, fixtures: tuple[str, ...], *marks: Mark) -> None:
            self.nodeid, self.fixturenames, self.marks = nodeid, fixtures, marks
            self.parent = Parent(nodeid.rsplit("::", 1)[0])

        def iter_markers(self, name: str):
            assert name == "ckan_config"
            return iter(self.marks)

    plugins = ("with_plugins", "clean_db")
    private = Mark("ckanext.khtourism.webhooks.allow_private_addresses", "true")
    no_wait = Mark("ckanext.khtourism.webhooks.retry_base", "0")
    collected = [
        Item("tests/a/test_x.py::test_1", plugins, private),
        Item("tests/a/test_x.py::test_2", plugins),
        Item("tests/a/test_x.py::test_3", plugins, private, no_wait),
        Item("tests/a/test_x.py::test_4", ()),
        Item("tests/a/test_x.py::test_5", ("app",), private),
        Item("tests/a/test_x.py::TestC::test_6", plugins, private),
        Item("tests/a/test_x.py::TestC::test_7", plugins),
        Item("tests/a/test_w.py::test_1", plugins, no_wait),
        Item("tests/a/test_w.py::test_2", plugins),
    ]
    items = list(collected)
    scheduling.same_settings_together(items)
    assert [item.nodeid for item in items] == [
        "tests/a/test_x.py::test_4",  # no plugins
        "tests/a/test_x.py::test_2",  # the configured settings
        "tests/a/test_x.py::test_3",  # each set of marks together (in the order of their text)
        "tests/a/test_x.py::test_1",  # in collection order within a set
        "tests/a/test_x.py::test_5",
        "tests/a/test_x.py::TestC::test_7",  # a class stays whole
        "tests/a/test_x.py::TestC::test_6",
        "tests/a/test_w.py::test_2",  # the next file after, sorted the same way
        "tests/a/test_w.py::test_1",
    ]
