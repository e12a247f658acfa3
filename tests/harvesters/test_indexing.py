"""Search indexing of records imported one by one (updates, withdrawals, matches, and every
record with ``import_batch_size = 1``): deferred during the import, done when the job ends.
New records imported in batches are indexed with their batch (``test_batch_import.py``)."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.khtourism.harvesters import indexing
from tests.harvesters.harvest_fixtures import create_source, indexed_accommodations, start_job

HOTELS = {"record_type": "accommodation", "publish": "direct"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.import_batch_size", "1")
def test_records_are_indexed_in_bulk_when_the_job_finishes(fixture_server):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv"),
        HOTELS,
        owner_org=org["id"],
    )
    harvester, job, ids = start_job(source)
    assert len(ids) >= 3
    for obj_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
    imported = {
        obj.package_id for obj in HarvestObject.filter(harvest_job_id=job.id) if obj.package_id
    }
    assert len(imported) == len(ids)
    # imported and committed (the database has them), not yet in the search index
    assert all(model.Package.get(package_id).state == "active" for package_id in imported)
    assert not imported & indexed_accommodations()
    assert indexing.pending_count(job.id) == len(ids)

    # an ordinary edit after the import is indexed at once, as always
    other = factories.Dataset(owner_org=org["id"])
    assert helpers.call_action("package_search", q=f"id:{other['id']}")["count"] == 1

    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    assert HarvestJob.get(job.id).status == "Finished"
    assert imported <= indexed_accommodations()
    assert indexing.pending_count(job.id) == 0


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.harvest.timeout", "5")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.import_batch_size", "1")
def test_records_of_a_job_that_died_half_way_are_indexed_when_the_timeout_ends_it(
    fixture_server,
):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv"),
        HOTELS,
        owner_org=org["id"],
    )
    harvester, job, ids = start_job(source)
    # the fetch consumer imports one record, then dies: the other objects stay WAITING
    first = HarvestObject.get(ids[0])
    queue.fetch_and_import_stages(harvester, first)
    package_id = HarvestObject.get(ids[0]).package_id
    assert package_id and package_id not in indexed_accommodations()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    assert HarvestJob.get(job.id).status == "Running"  # still waiting for its objects
    assert package_id not in indexed_accommodations()

    long_ago = dt.datetime.utcnow() - dt.timedelta(minutes=30)
    imported = HarvestObject.get(ids[0])
    imported.import_finished = long_ago
    imported.save()
    stale = HarvestJob.get(job.id)
    stale.gather_finished = stale.created = long_ago
    stale.save()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    model.Session.expire_all()
    assert HarvestJob.get(job.id).status == "Finished"
    assert package_id in indexed_accommodations()
    assert indexing.pending_count(job.id) == 0


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.import_batch_size", "1")
def test_a_job_is_finished_only_once_its_records_are_searchable(fixture_server):
    """ckanext-harvest marks the job Finished, commits, then reindexes the source: at that
    moment every record of the job must already be in the search index (issue 13: jobs
    showed "Finished" about 10 s before their records could be found)."""
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv"),
        HOTELS,
        owner_org=org["id"],
    )
    harvester, job, ids = start_job(source)
    for obj_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
    imported = {
        obj.package_id for obj in HarvestObject.filter(harvest_job_id=job.id) if obj.package_id
    }
    seen_when_finished: list[set[str]] = []

    def on_action(action: str, **kwargs) -> None:
        # sent right after harvest_jobs_run has committed the job as Finished
        if action == "harvest_source_reindex":
            status = model.Session.query(HarvestJob.status).filter_by(id=job.id).scalar()
            assert status == "Finished"
            seen_when_finished.append(indexed_accommodations())

    tk.signals.action_succeeded.connect(on_action)
    try:
        tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    finally:
        tk.signals.action_succeeded.disconnect(on_action)
    assert seen_when_finished, "the job was not finished"
    assert imported <= seen_when_finished[0]
