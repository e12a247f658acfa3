"""Catalogues: ckanext-harvest's CKAN harvester and ckanext-dcat's DCAT RDF harvester, landing
as plain datasets, and our mapped variants landing as tourism record types."""

from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import create_source, fixture_reply, run_job

HERITAGE_FROM_CKAN = {
    "record_type": "heritage-site",
    "publish": "direct",
    "mapping": {"xep_hang": "ranking", "loai_di_tich": "heritage_type"},
}
HERITAGE_FROM_DCAT = {
    "record_type": "heritage-site",
    "publish": "direct",
    "rdf_format": "text/turtle",
    "defaults": {"ranking": "quoc_gia", "heritage_type": "lich_su"},
}


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
        "/catalog.ttl", lambda q: fixture_reply(catalogue.file, content_type="text/turtle")
    )
    return catalogue


def _show(package_id):
    return helpers.call_action("package_show", id=package_id)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_ckan_harvester_lands_plain_datasets(remote_ckan):
    org = factories.Organization()
    result = run_job(create_source("ckan", remote_ckan, {}, owner_org=org["id"]))
    assert result.statuses() == {
        "0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01": "added",
        "0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a02": "added",
    }, result.object_errors() + result.gather_errors
    ponagar = _show(result.objects["0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01"]["package_id"])
    assert ponagar["type"] == "dataset" and ponagar["title"] == "Tháp Bà Ponagar"
    assert ponagar["owner_org"] == org["id"]
    assert {e["key"]: e["value"] for e in ponagar["extras"]}["xep_hang"] == "Quốc gia đặc biệt"
    assert ponagar["resources"][0]["format"] == "JPEG"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_ckan_harvester_lands_record_types(remote_ckan):
    org = factories.Organization()
    source = create_source(
        "khtourism_ckan",
        remote_ckan,
        HERITAGE_FROM_CKAN,
        owner_org=org["id"],
        name="cong-du-lieu-tinh",
    )
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
    result = run_job(
        create_source(
            "dcat_rdf", dcat_catalogue.url, {"rdf_format": "text/turtle"}, owner_org=org["id"]
        )
    )
    assert sorted(result.statuses().values()) == ["added", "added"], (
        result.object_errors() + result.gather_errors
    )
    titles = sorted(_show(o["package_id"])["title"] for o in result.objects.values())
    assert titles == ["Hòn Chồng – Hòn Đỏ", "Tháp Po Klong Garai"]
    assert all(_show(o["package_id"])["type"] == "dataset" for o in result.objects.values())


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_dcat_harvester_lands_record_types_and_withdraws(dcat_catalogue):
    org = factories.Organization()
    source = create_source(
        "khtourism_dcat", dcat_catalogue.url, HERITAGE_FROM_DCAT, owner_org=org["id"]
    )
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


@pytest.fixture
def switchable_ckan(fixture_server):
    """A remote CKAN whose package_search answer can be swapped between jobs."""

    class Remote:
        file = "catalogue/ckan-package-search.json"
        queries: list[dict] = []

    remote = Remote()

    def search(query):
        remote.queries.append(query)
        if query.get("start", "0") != "0":
            return fixture_reply("catalogue/ckan-package-search-empty.json")
        return fixture_reply(remote.file)

    fixture_server.handler("/api/3/action/package_search", search)
    remote.url = fixture_server.url("/")
    return remote


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_ckan_harvester_withdraws_datasets_gone_from_the_remote(switchable_ckan):
    org = factories.Organization()
    source = create_source(
        "khtourism_ckan", switchable_ckan.url, HERITAGE_FROM_CKAN, owner_org=org["id"]
    )
    ponagar_guid = "0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01"
    first = run_job(source)
    assert first.statuses()[ponagar_guid] == "added", first.object_errors() + first.gather_errors
    ponagar_id = first.objects[ponagar_guid]["package_id"]
    assert _show(ponagar_id)["operating_status"] == "operating"

    # The remote CKAN no longer lists Ponagar. The second job's own search asks only for
    # datasets modified since the first job (fq metadata_modified:[… TO *]); the complete
    # listing that reveals the disappearance is a second, unfiltered search.
    switchable_ckan.file = "catalogue/ckan-package-search-one-removed.json"
    switchable_ckan.queries.clear()
    second = run_job(source)
    assert any("metadata_modified" in q.get("fq", "") for q in switchable_ckan.queries)
    assert any("metadata_modified" not in q.get("fq", "") for q in switchable_ckan.queries)
    assert second.objects[ponagar_guid]["report_status"] == "withdrawn", (
        second.object_errors() + second.gather_errors
    )
    assert model.Package.get(ponagar_id).state == "active"  # withdrawn, never deleted
    withdrawn = _show(ponagar_id)
    assert withdrawn["operating_status"] == "withdrawn"
    assert withdrawn["source_record_id"] == ponagar_guid

    # A third run with the same listing withdraws nothing more and changes nothing.
    modified = withdrawn["metadata_modified"]
    third = run_job(source)
    assert ponagar_guid not in third.objects or third.objects[ponagar_guid]["report_status"] in (
        "not modified",
    ), third.object_errors()
    assert _show(ponagar_id)["metadata_modified"] == modified

    # Listed again: the record comes back as operating (an update, not a new record).
    switchable_ckan.file = "catalogue/ckan-package-search.json"
    fourth = run_job(source)
    assert fourth.objects[ponagar_guid]["package_id"] == ponagar_id
    assert _show(ponagar_id)["operating_status"] == "operating"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_ckan_harvester_withdraws_nothing_when_the_remote_search_fails(
    switchable_ckan, fixture_server
):
    org = factories.Organization()
    source = create_source(
        "khtourism_ckan", switchable_ckan.url, HERITAGE_FROM_CKAN, owner_org=org["id"]
    )
    first = run_job(source)
    ponagar_id = first.objects["0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01"]["package_id"]

    def failing(query):
        from tests.harvesters.harvest_fixtures import Reply

        if "metadata_modified" in query.get("fq", ""):
            return fixture_reply("catalogue/ckan-package-search-one-removed.json")
        return Reply(b"Service Unavailable", 503, "text/plain")

    fixture_server.handler("/api/3/action/package_search", failing)
    second = run_job(source)
    assert any("NOT withdrawn" in e for e in second.gather_errors), second.gather_errors
    assert _show(ponagar_id)["operating_status"] == "operating"


# --- fidelity: names, titles, multi-valued fields, provenance, publishers (issue 13) --------
ACCOMMODATION_FROM_CATALOGUE = {"record_type": "accommodation", "publish": "direct"}
HAI_AU = "https://dulieu.nhatrang.example/accommodation/ks-hai-au-nha-trang"
HON_TAM = "https://dulieu.nhatrang.example/accommodation/homestay-hon-tam"


@pytest.fixture
def records_catalogue(fixture_server):
    """Another portal of this software: records of three types and a register, in Turtle."""
    return fixture_server.handler(
        "/catalog.ttl",
        lambda q: fixture_reply("catalogue/records-catalog.ttl", content_type="text/turtle"),
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_ckan_harvester_keeps_name_title_and_lists(fixture_server):
    """A real package_search lists `name` before `title`: the slug is the record's name,
    never its title; multi-valued fields arrive whole; the licence stays the source's."""

    def search(query):
        if query.get("start", "0") != "0":
            return fixture_reply("catalogue/ckan-package-search-empty.json")
        return fixture_reply("catalogue/ckan-package-search-accommodations.json")

    fixture_server.handler("/api/3/action/package_search", search)
    org = factories.Organization()
    source = create_source(
        "khtourism_ckan", fixture_server.url("/"), ACCOMMODATION_FROM_CATALOGUE, owner_org=org["id"]
    )
    result = run_job(source)
    guid = "5e2d7a10-3c4b-4f6e-8a9b-0c1d2e3f4a51"
    assert result.statuses() == {guid: "added"}, result.object_errors() + result.gather_errors
    record = _show(result.objects[guid]["package_id"])
    assert record["title"] == "Khách sạn Hải Âu"
    assert record["name"] == "ks-hai-au-nha-trang"
    assert sorted(record["amenities"]) == ["restaurant", "swimming_pool", "wifi"]
    assert sorted(record["languages"]) == ["en", "ru", "vi"]
    assert record["license_id"] == "odc-odbl"
    assert str(record["rooms"]) == "86"
    # unchanged at the source: not modified
    second = run_job(source)
    assert second.statuses().get(guid, "not modified") == "not modified", second.object_errors()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_mapped_dcat_harvester_keeps_every_field_of_a_record_catalogue(records_catalogue):
    source_org = factories.Organization(name="cong-thu-hoach")
    publisher_org = factories.Organization(name="cong-ty-hai-au", title="Hải Âu (cổng này)")
    source = create_source(
        "khtourism_dcat",
        records_catalogue,
        {**ACCOMMODATION_FROM_CATALOGUE, "rdf_format": "text/turtle"},
        owner_org=source_org["id"],
    )
    result = run_job(source)
    # the tour guide is not an accommodation; the register is about accommodations, not one
    assert result.statuses() == {HAI_AU: "added", HON_TAM: "added"}, (
        result.object_errors() + result.gather_errors
    )
    hai_au = _show(result.objects[HAI_AU]["package_id"])
    assert hai_au["name"] == "ks-hai-au-nha-trang"
    assert hai_au["title"] == "Khách sạn Hải Âu" and hai_au["title_en"] == "Seagull Hotel"
    assert sorted(hai_au["amenities"]) == ["restaurant", "swimming_pool", "wifi"]
    assert sorted(hai_au["languages"]) == ["en", "ru", "vi"]
    assert hai_au["source_url"] == HAI_AU and hai_au["source_record_id"] == HAI_AU
    assert hai_au["owner_org"] == publisher_org["id"]
    assert hai_au["license_id"] == "cc-zero"
    hon_tam = _show(result.objects[HON_TAM]["package_id"])
    assert hon_tam["name"] == "homestay-hon-tam"
    assert hon_tam["owner_org"] == source_org["id"]  # no organization of that publisher here
    # a licence CKAN does not know is kept by its URI
    assert hon_tam["license_id"] == "http://creativecommons.org/licenses/by/3.0/it/"
    second = run_job(source)
    assert set(second.statuses().values()) <= {"not modified"}, (
        second.object_errors() + second.gather_errors
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_plain_dataset_record_type_is_accepted(remote_ckan):
    from ckanext.khtourism.harvesters.config import parse

    assert parse('{"record_type": "dataset"}', type_keys={}).record_type == "dataset"
    org = factories.Organization()
    source = create_source(
        "khtourism_ckan",
        remote_ckan,
        {"record_type": "dataset", "publish": "direct"},
        owner_org=org["id"],
    )
    result = run_job(source)
    guid = "0b8f4c1e-5a41-4c8e-9d8a-7b1f0d6c2a01"
    assert result.statuses()[guid] == "added", result.object_errors() + result.gather_errors
    ponagar = _show(result.objects[guid]["package_id"])
    assert ponagar["type"] == "dataset"
    assert (ponagar["name"], ponagar["title"]) == ("thap-ba-ponagar", "Tháp Bà Ponagar")


# --- any DCAT-AP catalogue lands with stock dcat_rdf (issue 13) -----------------------------
DCAT_AP_FORMATS = {
    "ttl": "text/turtle",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
ARRIVALS = "https://opendata.vinhtourism.example/dataset/visitor-arrivals-2024"
BEACHES = "https://opendata.vinhtourism.example/dataset/beach-water-quality"
MUSEUMS = "https://opendata.vinhtourism.example/dataset/museum-opening-hours"


@pytest.mark.parametrize("extension", sorted(DCAT_AP_FORMATS))
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_dcat_rdf_lands_every_dataset_of_a_dcat_ap_catalogue(fixture_server, extension):
    """Contact points, publishers, creators, temporal coverage, … (what ckanext-dcat parses)
    have fields to land in: the plain `dataset` type is ckanext-dcat's DCAT-AP schema.
    The .rdf and .jsonld files hold the same graph as the .ttl (written from it by rdflib)."""
    media_type = DCAT_AP_FORMATS[extension]
    url = fixture_server.handler(
        f"/catalog.{extension}",
        lambda q: fixture_reply(f"catalogue/dcat-ap-catalog.{extension}", content_type=media_type),
    )
    org = factories.Organization()
    office = factories.Organization(name="regional-tourism-office", title="Sở Du lịch vùng")
    result = run_job(
        create_source("dcat_rdf", url, {"rdf_format": media_type}, owner_org=org["id"])
    )
    assert result.statuses() == {ARRIVALS: "added", BEACHES: "added", MUSEUMS: "added"}, (
        result.object_errors() + result.gather_errors
    )
    arrivals = _show(result.objects[ARRIVALS]["package_id"])
    assert arrivals["type"] == "dataset"
    assert arrivals["title"] == "Visitor arrivals by month, 2024"
    assert arrivals["contact"][0]["email"] == "statistics@vinhtourism.example"
    assert arrivals["publisher"][0]["name"] == "Regional Tourism Office"
    assert arrivals["temporal_coverage"][0]["start"] == "2024-01-01"
    assert arrivals["owner_org"] == office["id"]  # the publisher's organization of this portal
    assert arrivals["license_id"] == "cc-by-4.0"
    assert arrivals["resources"][0]["url"].endswith("arrivals-2024.csv")
    beaches = _show(result.objects[BEACHES]["package_id"])
    assert beaches["owner_org"] == org["id"]
    assert beaches["contact"][0]["name"] == "Nguyễn Thị Lan"
    # a licence CKAN does not know is kept by its URI, not replaced by the default
    assert beaches["license_id"] == "http://creativecommons.org/licenses/by-nc/3.0/"
    museums = _show(result.objects[MUSEUMS]["package_id"])
    assert museums["license_id"] == "cc-zero"
    again = run_job(_source_of(result))
    assert set(again.statuses().values()) <= {"updated", "not modified"}, (
        again.object_errors() + again.gather_errors
    )


def _source_of(result):
    return {"id": result.job.source_id}


# --- licences: the source's, else the portal's default, shown on the source page ------------
@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.harvest.default_license", "cc-by-sa-4.0")
def test_records_keep_the_licence_their_source_declares(app, fixture_server):
    """OpenStreetMap-derived data is ODbL: a source that says so gives its records ODbL;
    a source that says nothing gives them the configured default; each source's page shows
    which licence applies and why."""
    url = fixture_server.file("/dk.csv", "spreadsheets/hotels-utf8.csv")
    org = factories.Organization()
    osm = create_source(
        "khtourism_spreadsheet",
        url,
        {"record_type": "accommodation", "publish": "direct", "license_id": "odc-odbl"},
        owner_org=org["id"],
        name="osm-khach-san",
    )
    result = run_job(osm)
    licences = {_show(o["package_id"])["license_id"] for o in result.objects.values()}
    assert licences == {"odc-odbl"}, result.object_errors() + result.gather_errors
    # a source's page is for its organization and the curators (docs/security.md)
    curator = {"Authorization": factories.SysadminWithToken()["token"]}
    page = app.get("/harvest/osm-khach-san", headers=curator).get_data(as_text=True)
    assert "Open Data Commons Open Database License" in page and "license_id" in page

    plain = create_source(
        "khtourism_spreadsheet",
        fixture_server.file("/dk2.csv", "spreadsheets/hotels-utf8.csv"),
        {"record_type": "accommodation", "publish": "direct", "key_field": "enterprise_code"},
        owner_org=factories.Organization()["id"],
        name="so-dang-ky",
    )
    page = app.get("/harvest/so-dang-ky", headers=curator).get_data(as_text=True)
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in page
    assert "Giấy phép mặc định của cổng" in page  # the page is in the user's language (vi)
    assert plain["id"]
