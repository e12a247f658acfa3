"""A consumer killed in the middle of a job: the job completes after a restart (no object lost or
imported twice), or — a gather that died — ends "Finished" with a reason; never "Running" until
the timeout (liveness.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.khtourism.harvesters import liveness
from tests.harvesters.harvest_fixtures import Reply, create_source

HEADER = "Tên cơ sở,Địa chỉ,Loại hình,Hạng sao,Số phòng,Mã số doanh nghiệp,Điện thoại,Kinh độ,Vĩ độ"
ROWS = 400
HEARTBEAT = 3


def _register(rows: int) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        lines.append(
            f"Khách sạn Thử {n:04d},{n} Trần Phú phường Nha Trang,Khách sạn,3 sao,{20 + n % 50},"
            f"42{n:08d},0258 38{n:05d},{109.19 + n / 100000:.5f},{12.24 + n / 100000:.5f}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def _consumer_ini(tmp_path: Path) -> Path:
    """The suite's configuration with a short heartbeat, for the consumer processes."""
    text = Path(os.environ["KHTOURISM_TEST_INI"]).read_text()
    text = text.replace(
        "[app:main]\n",
        f"[app:main]\nckanext.khtourism.harvest.heartbeat_seconds = {HEARTBEAT}\n",
        1,
    )
    ini = tmp_path / "consumer.ini"
    ini.write_text(text)
    return ini


def _fetch_consumer(ini: Path, tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ckan")),
            "-c",
            str(ini),
            "harvester",
            "fetch-consumer",
        ],
        stdout=(tmp_path / f"{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _states(job_id: str) -> dict[str, int]:
    model.Session.remove()
    rows = model.Session.execute(
        sa.text("SELECT state, count(*) FROM harvest_object WHERE harvest_job_id = :j GROUP BY 1"),
        {"j": job_id},
    )
    return {state: count for state, count in rows}


def _jobs_run(source_id: str) -> str:
    model.Session.remove()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source_id})
    model.Session.remove()
    return model.Session.execute(
        sa.text("SELECT status FROM harvest_job WHERE source_id = :s"), {"s": source_id}
    ).scalar()


def _gathered(fixture_server, rows: int) -> tuple[dict, dict]:
    """A register of ``rows`` new establishments, its source and a job whose gather has
    run in this process: every object WAITING on the fetch queue."""
    org = factories.Organization()
    url = fixture_server.handler("/dk.csv", lambda q: Reply(_register(rows), 200, "text/csv"))
    source = create_source(
        "khtourism_spreadsheet",
        url,
        {"record_type": "accommodation", "publish": "direct"},
        owner_org=org["id"],
    )
    queue.purge_queues()
    job = tk.get_action("harvest_job_create")({"ignore_auth": True}, {"source_id": source["id"]})
    consumer = queue.get_gather_consumer()
    method, channel, body = next(consumer.consume(None))
    queue.gather_callback(channel, method, None, body)
    assert _states(job["id"]) == {"WAITING": rows}
    return source, job


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_killed_fetch_consumer_the_job_completes_after_restart(fixture_server, tmp_path):
    source, job = _gathered(fixture_server, ROWS)  # the gather: 400 objects queued

    ini = _consumer_ini(tmp_path)
    first = _fetch_consumer(ini, tmp_path, "first")
    try:
        deadline = time.monotonic() + 240
        while "FETCH" not in _states(job["id"]):  # a batch is claimed: in the middle of it
            assert first.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
            assert time.monotonic() < deadline, _states(job["id"])
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)  # kill -9
    finally:
        first.wait(30)
    at_kill = _states(job["id"])
    assert at_kill.get("FETCH", 0) > 0 and at_kill.get("COMPLETE", 0) < ROWS, at_kill

    # the second consumer starts at once (its start overlaps the wait): what the first had
    # claimed stays FETCH until the first's heartbeat expires (HEARTBEAT s), then
    # harvest_jobs_run (the loop below) puts it back on the queue
    second = _fetch_consumer(ini, tmp_path, "second")
    try:
        deadline = time.monotonic() + 300
        while _jobs_run(source["id"]) != "Finished":
            assert second.poll() is None, (tmp_path / "second.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (at_kill, _states(job["id"]))
            time.sleep(0.25)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)

    assert _states(job["id"]) == {"COMPLETE": ROWS}
    model.Session.remove()
    records = model.Session.execute(
        sa.text(
            "SELECT count(*), count(DISTINCT title) FROM package "
            "WHERE type = 'accommodation' AND state = 'active'"
        )
    ).one()
    assert tuple(records) == (ROWS, ROWS)  # every row once: none lost, none doubled
    errors = model.Session.execute(
        sa.text(
            "SELECT count(*) FROM harvest_object_error e JOIN harvest_object o "
            "ON o.id = e.harvest_object_id WHERE o.harvest_job_id = :j"
        ),
        {"j": job["id"]},
    ).scalar()
    assert errors == 0


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_consumer_killed_right_after_its_claim_has_the_batch_recovered(fixture_server):
    """Suite finding (a full run, 2026-12-05): the drill above killed the consumer after its
    claim of a batch had committed and before it wrote its name on the objects. 99 objects
    stayed FETCH with no owner, which recover() leaves alone, and the job stayed Running
    for the 15 minutes of a claim. The claim now names its owner before it commits."""
    from ckanext.khtourism.harvesters import stages

    _source, job = _gathered(fixture_server, 5)
    try:
        first = HarvestObject.filter(harvest_job_id=job["id"]).first()
        claimed = stages.claim(first, 100)  # ... and this consumer is killed here
        assert len(claimed) == 5 and _states(job["id"]) == {"FETCH": 5}
        redis = queue.get_connection()
        owners = redis.mget([liveness._object_key(i) for i in claimed])
        assert owners == [liveness.worker_name()] * 5
        redis.delete(liveness._worker_key(liveness.worker_name()))  # no heartbeat: dead
        model.Session.remove()
        assert liveness.recover() == (5, 0)
        assert _states(job["id"]) == {"WAITING": 5}
    finally:
        queue.purge_queues()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_job_whose_gather_consumer_died_ends_with_a_reason(fixture_server):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.url("/dk.csv"),
        {"record_type": "accommodation"},
        owner_org=org["id"],
    )
    queue.purge_queues()
    created = tk.get_action("harvest_job_create")(
        {"ignore_auth": True}, {"source_id": source["id"]}
    )
    # What a gather consumer killed during the gather leaves: the job Running without
    # gather_finished, its message taken, the consumer's name on the job, no heartbeat.
    consumer = queue.get_gather_consumer()
    next(consumer.consume(None))
    dead = "host:999999:0"
    consumer.redis.set(liveness._gather_key(created["id"]), dead)
    status = _jobs_run(source["id"])
    assert status == "Finished"
    job = HarvestJob.get(created["id"])
    assert any("gather consumer stopped" in e.message for e in job.gather_errors)

    # a live consumer's gather is left alone
    other = create_source(
        "khtourism_spreadsheet",
        fixture_server.url("/dk2.csv"),
        {"record_type": "accommodation"},
        owner_org=org["id"],
    )
    busy = tk.get_action("harvest_job_create")({"ignore_auth": True}, {"source_id": other["id"]})
    liveness.beat()
    consumer.redis.set(liveness._gather_key(busy["id"]), liveness.worker_name())
    assert _jobs_run(other["id"]) == "Running"


@pytest.mark.ckan_config("ckan.redis.url", "unix:///nonexistent/khtourism-redis.sock?db=0")
def test_liveness_bookkeeping_never_fails_the_work_when_redis_is_gone():
    """Drill finding: Redis stopped right after a batch committed; recording the end of the
    batch raised ConnectionError and the committed objects were reported as errors."""
    liveness.working_on_objects(["a", "b"])
    liveness.done_with_objects(["a", "b"])
    liveness.working_on_job("j")
    liveness.done_with_job("j")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_failure_after_the_outcome_was_saved_keeps_the_outcome(fixture_server):
    from ckanext.khtourism.harvesters import containment
    from tests.harvesters.harvest_fixtures import run_job

    org = factories.Organization()
    url = fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv")
    source = create_source(
        "khtourism_spreadsheet",
        url,
        {"record_type": "accommodation", "publish": "direct"},
        owner_org=org["id"],
    )
    result = run_job(source)
    done = next(iter(result.objects.values()))
    object_id = model.Session.execute(
        sa.text("SELECT id FROM harvest_object WHERE package_id = :p"),
        {"p": done["package_id"]},
    ).scalar()
    containment.save_object_failure(object_id, ConnectionError("Redis went away"), "Fetch")
    model.Session.remove()
    state, errors = model.Session.execute(
        sa.text(
            "SELECT o.state, (SELECT count(*) FROM harvest_object_error e "
            "WHERE e.harvest_object_id = o.id) FROM harvest_object o WHERE o.id = :id"
        ),
        {"id": object_id},
    ).one()
    assert (state, errors) == ("COMPLETE", 0)
