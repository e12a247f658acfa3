"""``ckan harvester run-test``: one job, gathered once, in this process only; refused while
harvest consumers wait on the queues (issue 13: with `make run`'s consumers up, upstream's
command gathered the job twice and duplicated its records)."""

from __future__ import annotations

import threading
import time

import pytest

from ckan.tests import factories

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from tests.harvesters.harvest_fixtures import create_source

HOTELS = {"record_type": "accommodation", "publish": "direct"}


@pytest.fixture
def register_source(fixture_server):
    org = factories.Organization()
    return create_source(
        "khtourism_spreadsheet",
        fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv"),
        HOTELS,
        owner_org=org["id"],
        name="so-dang-ky-run-test",
    )


@pytest.fixture(autouse=True)
def _empty_harvest_queues():
    """Messages another test left on this worker's harvest queues would be popped by the
    waiting consumer below and counted as queued by run-test: start from empty queues."""
    queue.purge_queues()


def _gather_queue_length() -> int:
    return queue.get_connection().llen(queue.get_gather_routing_key())


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_run_test_gathers_once_in_process_without_queueing(cli, register_source):
    from ckanext.harvest.cli import harvester

    result = cli.invoke(harvester, ["run-test", "so-dang-ky-run-test"])
    assert result.exit_code == 0, result.output
    (job,) = HarvestJob.filter(source_id=register_source["id"]).all()
    assert job.status == "Finished"
    objects = HarvestObject.filter(harvest_job_id=job.id).all()
    assert len(objects) == 3  # the register's 3 rows, gathered once
    assert {obj.report_status for obj in objects} == {"added"}
    assert _gather_queue_length() == 0  # nothing was queued for the consumers
    assert "added: 3" in result.output


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_run_test_refuses_while_consumers_wait_on_the_queues(cli, register_source):
    from ckanext.harvest.cli import harvester

    def consumer() -> None:
        # what ckanext-harvest's gather consumer does while it waits (RedisConsumer.consume)
        queue.get_connection().blpop(queue.get_gather_routing_key(), timeout=3)

    thread = threading.Thread(target=consumer, daemon=True)
    thread.start()
    # until Redis sees the consumer waiting on this worker's database (no fixed pause)
    connection = queue.get_connection()
    database = int(connection.connection_pool.connection_kwargs.get("db", 0))
    deadline = time.monotonic() + 10
    while not any(
        c.get("cmd") == "blpop" and int(c.get("db", -1)) == database
        for c in connection.client_list()
    ):
        assert time.monotonic() < deadline, "the consumer never waited on the queue"
        time.sleep(0.01)
    result = cli.invoke(harvester, ["run-test", "so-dang-ky-run-test"])
    thread.join()
    assert result.exit_code != 0
    assert "consumer(s) are running" in result.output
    assert HarvestJob.filter(source_id=register_source["id"]).count() == 0
