"""Jobs: ``ckan harvester run-test`` for every type, scheduling, timeouts."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestSource

from tests.harvesters.harvest_fixtures import create_source, fixture_reply

HERITAGE = {
    "record_type": "heritage-site",
    "publish": "direct",
    "key_field": "MA_DT",
    "mapping": {"TEN": "title", "XEP_HANG": "ranking", "ten": "title", "xep_hang": "ranking"},
    "defaults": {"heritage_type": "lich_su"},
}


def _sources(server, arcgis_layer) -> dict[str, tuple[str, dict]]:
    return {
        "khtourism_spreadsheet": (
            server.file("/dk.csv", "spreadsheets/hotels-utf8.csv"),
            {"record_type": "accommodation", "publish": "direct"},
        ),
        "khtourism_arcgis": (arcgis_layer, HERITAGE),
        "khtourism_ogcapi": (
            server.handler(
                "/ogc/collections/di_tich/items",
                lambda q: fixture_reply(
                    "ogcapi/items-page2.json"
                    if q.get("offset") == "3"
                    else "ogcapi/items-page1.json"
                ),
            ),
            dict(HERITAGE, key_field="ma_dt"),
        ),
        "khtourism_wfs": (
            server.file("/geoserver/ows", "wfs/getfeature.json"),
            dict(HERITAGE, type_name="khanhhoa:di_tich"),
        ),
        "khtourism_ckan": (
            _remote_ckan(server),
            {
                "record_type": "heritage-site",
                "publish": "direct",
                "mapping": {"xep_hang": "ranking", "loai_di_tich": "heritage_type"},
            },
        ),
        "khtourism_dcat": (
            server.file("/catalog.ttl", "catalogue/catalog.ttl", content_type="text/turtle"),
            {
                "record_type": "heritage-site",
                "rdf_format": "text/turtle",
                "defaults": {"ranking": "quoc_gia", "heritage_type": "lich_su"},
            },
        ),
    }


def _remote_ckan(server) -> str:
    server.handler(
        "/api/3/action/package_search",
        lambda q: fixture_reply(
            "catalogue/ckan-package-search.json"
            if q.get("start", "0") == "0"
            else "catalogue/ckan-package-search-empty.json"
        ),
    )
    return server.url("/")


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(
    "source_type",
    [
        "khtourism_spreadsheet",
        "khtourism_arcgis",
        "khtourism_ogcapi",
        "khtourism_wfs",
        "khtourism_ckan",
        "khtourism_dcat",
    ],
)
def test_run_test_command_works_for_every_type(cli, fixture_server, arcgis_layer, source_type):
    from ckan.cli.cli import ckan

    org = factories.Organization()
    url, config = _sources(fixture_server, arcgis_layer)[source_type]
    source = create_source(source_type, url, config, owner_org=org["id"])
    result = cli.invoke(ckan, ["harvester", "run-test", source["name"]])
    assert result.exit_code == 0, result.output
    objects = HarvestObject.filter(harvest_source_id=source["id"]).all()
    assert objects and all(o.state == "COMPLETE" for o in objects), [
        (o.guid, [e.message for e in o.errors]) for o in objects
    ]
    job = HarvestJob.filter(source_id=source["id"]).one()
    assert job.status == "Finished"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_scheduled_source_gets_a_job_when_due(fixture_server):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.url("/x.csv"),
        {"record_type": "accommodation"},
        owner_org=org["id"],
        frequency="DAILY",
    )
    harvest_source = HarvestSource.get(source["id"])
    harvest_source.next_run = dt.datetime.utcnow() - dt.timedelta(minutes=1)
    harvest_source.save()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    jobs = HarvestJob.filter(source_id=source["id"]).all()
    assert len(jobs) == 1
    assert HarvestSource.get(source["id"]).next_run > dt.datetime.utcnow()


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.harvest.timeout", "5")
def test_job_stuck_running_is_finished_with_a_reason_by_the_timeout(fixture_server):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.url("/y.csv"),
        {"record_type": "accommodation"},
        owner_org=org["id"],
    )
    job = HarvestJob(source_id=source["id"], status="Running")
    job.save()
    # a fetch consumer died mid-object: the object never leaves FETCH
    stuck = HarvestObject(
        guid="4201234567",
        job=job,
        source=job.source,
        state="FETCH",
        import_finished=dt.datetime.utcnow() - dt.timedelta(minutes=30),
    )
    stuck.save()
    job.gather_finished = dt.datetime.utcnow() - dt.timedelta(minutes=30)
    job.created = job.gather_finished
    job.save()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    model.Session.expire_all()
    job = HarvestJob.get(job.id)
    assert job.status == "Finished"
    errors = model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id).all()
    assert any("timeout (5 minutes)" in e.message for e in errors)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_job_report_is_readable_in_the_ui(app, fixture_server):
    from tests.harvesters.harvest_fixtures import Reply, run_job

    org = factories.Organization()
    sysadmin = factories.Sysadmin()
    url = fixture_server.handler(
        "/bad.csv",
        lambda q: Reply(
            "Tên cơ sở,Số phòng,Mã số doanh nghiệp\r\nKhách sạn A,mười,4201111111\r\n".encode(),
            200,
            "text/csv",
        ),
    )
    source = create_source(
        "khtourism_spreadsheet", url, {"record_type": "accommodation"}, owner_org=org["id"]
    )
    result = run_job(source)
    response = app.get(
        f"/harvest/{source['name']}/job/{result.job.id}",
        headers={"Authorization": factories.APIToken(user=sysadmin["name"])["token"]},
    )
    assert response.status_code == 200
    assert (
        "row 2: column &#39;Số phòng&#39; = &#39;mười&#39;" in response.body
        or "row 2: column 'Số phòng' = 'mười'" in response.body
    )
