"""Catalogues: ckanext-harvest's CKAN harvester and ckanext-dcat's DCAT RDF harvester, landing
as plain datasets, and our mapped variants landing as tourism record types."""
from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import create_source, fixture_reply, run_job

HERITAGE_FROM_CKAN = {"record_type": "heritage-site", "publish": "direct",
                      "mapping": {"xep_hang": "ranking", "loai_di_tich": "heritage_type"}}
HERITAGE_FROM_DCAT = {"record_type": "heritage-site", "publish": "direct",
                      "rdf_format": "text/turtle",
                      "defaults": {"ranking": "quoc_gia", "heritage_type": "lich_su"}}


@pytest.fixture
def remote_ckan(fixture_server):
    def search(query):
        if query.get("start", "0") != "0":
            return fixture_reply("catalogue/ckan-package-search-empty.json")
        return fixture_reply("catalogue/ckan-package-search.json")

    fixture_server.handler("/api/3/action/package_search", search)
    return fixture_server.url("/")


@pytest.fixture
def dcat_catalogue(fixture_server):
    class Catalogue:
        file = "catalogue/catalog.ttl"

    catalogue = Catalogue()
    catalogue.url = fixture_server.handler(
        "/catalog.ttl", lambda q: fixture_reply(catalogue.file, content_type="text/turtle"))
    return catalogue


def _show(package_id):
    return helpers.call_action("package_show", id=package_id)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_ckan_harvester_lands_plain_datasets(remote_ckan):
    org = factories.Organization()
    result = run_job(create_source("ckan", remote_ckan, {}, owner_org=org["id"]))
    assert result.statuses() == {"0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01": "added",
                                 "0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a02": "added"}, \
        result.object_errors() + result.gather_errors
    ponagar = _show(result.objects["0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01"]["package_id"])
    assert ponagar["type"] == "dataset" and ponagar["title"] == "Tháp Bà Ponagar"
    assert ponagar["owner_org"] == org["id"]
    assert {e["key"]: e["value"] for e in ponagar["extras"]}["xep_hang"] == "Quốc gia đặc biệt"
    assert ponagar["resources"][0]["format"] == "JPEG"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_ckan_harvester_lands_record_types(remote_ckan):
    org = factories.Organization()
    source = create_source("khtourism_ckan", remote_ckan, HERITAGE_FROM_CKAN,
                           owner_org=org["id"], name="cong-du-lieu-tinh")
    result = run_job(source)
    guid = "0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01"
    assert result.statuses()[guid] == "added", result.object_errors() + result.gather_errors
    ponagar = _show(result.objects[guid]["package_id"])
    assert ponagar["type"] == "heritage-site"
    assert ponagar["ranking"] == "quoc_gia_dac_biet"
    assert ponagar["heritage_type"] == "kien_truc_nghe_thuat"
    assert ponagar["notes"].startswith("Quần thể kiến trúc Chăm Pa")
    assert json.loads(ponagar["spatial"])["coordinates"] == [109.19545, 12.26546]
    assert ponagar["source_name"] == "cong-du-lieu-tinh"
    assert ponagar["source_record_id"] == guid
    assert ponagar["source_url"] == remote_ckan.rstrip("/") + "/dataset/thap-ba-ponagar"
    assert ponagar["workflow_state"] == "published"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_dcat_rdf_harvester_lands_plain_datasets(dcat_catalogue):
    org = factories.Organization()
    result = run_job(create_source("dcat_rdf", dcat_catalogue.url, {"rdf_format": "text/turtle"},
                                   owner_org=org["id"]))
    assert sorted(result.statuses().values()) == ["added", "added"], \
        result.object_errors() + result.gather_errors
    titles = sorted(_show(o["package_id"])["title"] for o in result.objects.values())
    assert titles == ["Hòn Chồng – Hòn Đỏ", "Tháp Po Klong Garai"]
    assert all(_show(o["package_id"])["type"] == "dataset" for o in result.objects.values())


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_dcat_harvester_lands_record_types_and_withdraws(dcat_catalogue):
    org = factories.Organization()
    source = create_source("khtourism_dcat", dcat_catalogue.url, HERITAGE_FROM_DCAT,
                           owner_org=org["id"])
    first = run_job(source)
    hon_chong = "https://dulieu.khanhhoa.example/dataset/hon-chong-hon-do"
    assert first.statuses()[hon_chong] == "added", first.object_errors() + first.gather_errors
    record = _show(first.objects[hon_chong]["package_id"])
    assert record["type"] == "heritage-site" and record["ranking"] == "quoc_gia"
    assert json.loads(record["spatial"])["coordinates"] == [109.205, 12.273]
    assert record["source_url"] == hon_chong

    dcat_catalogue.file = "catalogue/catalog-one-removed.ttl"
    second = run_job(source)
    assert second.objects[hon_chong]["report_status"] != "errored", second.object_errors()
    gone = model.Package.get(record["id"])
    assert gone.state == "active"  # ckanext-dcat would delete it; we withdraw
    assert _show(record["id"])["operating_status"] == "withdrawn"
