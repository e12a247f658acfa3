"""Several gather consumers: one slow source does not hold the other jobs, and no job is
gathered twice (harvesters/gathering.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.harvest.tests.factories import HarvestJobObj

from tests.harvesters.harvest_fixtures import Reply, create_source, fixture_reply

HOTELS = {"record_type": "accommodation", "publish": "direct"}
# The longest the slow source of the two-consumer test holds its answer (it is released as
# soon as the other job is gathered)
SLOW_SOURCE_HOLD = 120


class Channel:
    """What ckanext-harvest's Redis consumer gives the callback: only acks are used."""

    def __init__(self) -> None:
        self.acked: list[object] = []

    def basic_ack(self, tag: object) -> None:
        self.acked.append(tag)


class Method:
    def __init__(self, tag: object) -> None:
        self.delivery_tag = tag


def _new_job(source: dict) -> HarvestJob:
    from ckanext.harvest.model import HarvestSource

    job = HarvestJobObj(source=HarvestSource.get(source["id"]), run=False)
    job.status = "Running"
    job.save()
    return job


def _objects(job_id: str) -> int:
    return model.Session.query(HarvestObject).filter_by(harvest_job_id=job_id).count()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_job_queued_twice_is_gathered_once(fixture_server):
    org = factories.Organization()
    url = fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv")
    source = create_source("khtourism_spreadsheet", url, HOTELS, owner_org=org["id"])
    job_id = _new_job(source).id
    body = json.dumps({"harvest_job_id": job_id})

    channel = Channel()
    queue.gather_callback(channel, Method(body), None, body)
    model.Session.remove()
    assert _objects(job_id) == 3
    assert len(fixture_server.requests) == 1

    # the same message again (resubmitted by harvest_jobs_run, or sent twice)
    queue.gather_callback(channel, Method(body), None, body)
    model.Session.remove()
    assert _objects(job_id) == 3
    assert len(fixture_server.requests) == 1
    assert len(channel.acked) == 2


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_job_being_gathered_by_another_consumer_is_skipped(fixture_server):
    org = factories.Organization()
    url = fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv")
    source = create_source("khtourism_spreadsheet", url, HOTELS, owner_org=org["id"])
    job_id = _new_job(source).id
    body = json.dumps({"harvest_job_id": job_id})
    # another consumer holds the job's lock (its gather is under way)
    with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
        assert other.execute(
            sa.text("SELECT pg_try_advisory_lock(hashtextextended('khtourism-gather:' || :id, 0))"),
            {"id": job_id},
        ).scalar()
        channel = Channel()
        assert queue.gather_callback(channel, Method(body), None, body) is False
        assert channel.acked == [body]
    model.Session.remove()
    assert _objects(job_id) == 0
    assert fixture_server.requests == []
    assert HarvestJob.get(job_id).gather_started is None
    # the lock released (consumer finished or died), the job can be gathered
    queue.gather_callback(Channel(), Method(body), None, body)
    model.Session.remove()
    assert _objects(job_id) == 3


def _start_consumer(ini: str, log: Path) -> subprocess.Popen[bytes]:
    ckan = str(Path(sys.executable).with_name("ckan"))
    return subprocess.Popen(
        [ckan, "-c", ini, "harvester", "gather-consumer"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=dict(os.environ),
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_two_gather_consumers_a_slow_source_does_not_hold_a_fast_one(
    fixture_server, pytestconfig, tmp_path
):
    """Two jobs queued: a slow source first, then a fast one. With two gather consumers
    (make run's default) the fast job is gathered while the slow one still waits.

    The slow source answers only once the fast job has been gathered (or after
    :data:`SLOW_SOURCE_HOLD` seconds, which fails the test): what is proven is the order,
    and no fixed pause is waited out."""
    org = factories.Organization()
    release = threading.Event()
    asked: list[float] = []

    def slow_reply(_query: dict[str, str]) -> Reply:
        asked.append(time.monotonic())
        release.wait(SLOW_SOURCE_HOLD)
        return fixture_reply("spreadsheets/hotels-utf8.csv")

    slow_url = fixture_server.handler("/slow.csv", slow_reply)
    fast_url = fixture_server.file("/fast.csv", "spreadsheets/hotels-utf8-bom.csv")
    slow = create_source(
        "khtourism_spreadsheet",
        slow_url,
        dict(HOTELS, timeout=SLOW_SOURCE_HOLD + 60),
        owner_org=org["id"],
    )
    fast = create_source("khtourism_spreadsheet", fast_url, HOTELS, owner_org=org["id"])
    queue.purge_queues()
    sysadmin = factories.Sysadmin()
    slow_job = helpers.call_action(
        "harvest_job_create", {"user": sysadmin["name"]}, source_id=slow["id"]
    )
    fast_job = helpers.call_action(
        "harvest_job_create", {"user": sysadmin["name"]}, source_id=fast["id"]
    )
    model.Session.remove()

    ini = pytestconfig.getoption("ckan_ini")
    consumers = [_start_consumer(ini, tmp_path / f"gather-{n}.log") for n in (1, 2)]
    slow_when_fast_was_gathered: object = "not yet"
    slow_asked_when_fast_was_gathered = False
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            jobs = {j: HarvestJob.get(j) for j in (slow_job["id"], fast_job["id"])}
            finished = {j: job.gather_finished for j, job in jobs.items()}
            model.Session.remove()
            if finished[fast_job["id"]] and not release.is_set():
                # the fast job is gathered: where was the slow one?
                slow_when_fast_was_gathered = finished[slow_job["id"]]
                slow_asked_when_fast_was_gathered = bool(asked)
                release.set()
            if all(finished.values()):
                break
            for consumer in consumers:
                assert consumer.poll() is None, (tmp_path / "gather-1.log").read_text()
            time.sleep(0.1)
        else:
            raise AssertionError(
                "jobs not gathered in time:\n"
                + "\n".join((tmp_path / f"gather-{n}.log").read_text()[-3000:] for n in (1, 2))
            )
    finally:
        release.set()
        for consumer in consumers:
            if consumer.poll() is None:
                os.killpg(consumer.pid, signal.SIGTERM)
        for consumer in consumers:
            consumer.wait(30)
    # the slow source had been asked, and was still being waited for, when the fast job
    # was gathered: the fast job did not wait behind it
    assert slow_asked_when_fast_was_gathered, "the slow source was not being asked"
    assert slow_when_fast_was_gathered is None, slow_when_fast_was_gathered
    assert finished[fast_job["id"]] < finished[slow_job["id"]]
    assert _objects(slow_job["id"]) == 3 and _objects(fast_job["id"]) == 3
