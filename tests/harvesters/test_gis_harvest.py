"""GIS feature services end to end: ArcGIS REST, OGC API – Features, WFS 2.0."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod

import ckan.model as model
from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import (
    FIXTURES,
    Reply,
    arcgis_query,
    create_source,
    fixture_reply,
    run_job,
)

GEOD = Geod(ellps="WGS84")
HERITAGE = {
    "record_type": "heritage-site",
    "publish": "direct",
    "key_field": "MA_DT",
    "mapping": {"TEN": "title", "XEP_HANG": "ranking"},
    "defaults": {"heritage_type": "lich_su"},
}
# WGS 84 positions the fixtures were generated from (fixtures/make_fixtures.py SITES)
POSITIONS = {
    "DT-001": (109.19545, 12.26546),
    "DT-002": (109.20500, 12.27300),
    "DT-003": (109.18860, 12.24600),
    "DT-004": (109.09500, 12.25700),
    "DT-005": (108.94100, 11.60100),
}


def _assert_positions(result) -> None:
    assert set(result.objects) == set(POSITIONS), result.gather_errors
    for guid, outcome in result.objects.items():
        assert outcome["report_status"] == "added", outcome["errors"]
        record = helpers.call_action("package_show", id=outcome["package_id"])
        lon, lat = json.loads(record["spatial"])["coordinates"]
        assert GEOD.inv(lon, lat, *POSITIONS[guid])[2] < 0.05  # reprojected with EPSG:6960
        assert record["type"] == "heritage-site"
        assert record["source_url"].startswith("http://127.0.0.1")


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_arcgis_paged_layer_in_vn2000_lands_in_wgs84(arcgis_layer):
    org = factories.Organization()
    source = create_source("khtourism_arcgis", arcgis_layer, HERITAGE, owner_org=org["id"])
    result = run_job(source)
    _assert_positions(result)
    ponagar = helpers.call_action("package_show", id=result.objects["DT-001"]["package_id"])
    assert ponagar["title"] == "Tháp Bà Ponagar" and ponagar["ranking"] == "quoc_gia_dac_biet"
    assert ponagar["source_url"] == arcgis_layer + "/1"
    assert set(run_job(source).statuses().values()) == {"not modified"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_arcgis_object_id_fallback(fixture_server):
    org = factories.Organization()
    layer = fixture_server.file(
        "/arcgis/rest/services/Cu/MapServer/0", "arcgis/layer-nopaging.json"
    )
    fixture_server.handler("/arcgis/rest/services/Cu/MapServer/0/query", arcgis_query())
    _assert_positions(
        run_job(create_source("khtourism_arcgis", layer, HERITAGE, owner_org=org["id"]))
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_arcgis_unknown_crs_is_reported_and_nothing_imported(fixture_server):
    org = factories.Organization()
    layer = fixture_server.file(
        "/arcgis/rest/services/L/FeatureServer/0", "arcgis/layer-unknown-crs.json"
    )
    fixture_server.file(
        "/arcgis/rest/services/L/FeatureServer/0/query", "arcgis/query-unknown-crs.json"
    )
    result = run_job(create_source("khtourism_arcgis", layer, HERITAGE, owner_org=org["id"]))
    assert result.job.status == "Finished"
    assert result.objects == {}
    assert any(
        "unknown coordinate reference system: ArcGIS WKID 999999" in e for e in result.gather_errors
    ), result.gather_errors
    assert model.Session.query(model.Package).filter_by(type="heritage-site").count() == 0


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_arcgis_malformed_page_keeps_what_was_published(arcgis_layer, fixture_server):
    org = factories.Organization()
    source = create_source("khtourism_arcgis", arcgis_layer, HERITAGE, owner_org=org["id"])
    run_job(source)
    fixture_server.handler(
        "/arcgis/rest/services/VHTT/DiTich/FeatureServer/0/query",
        lambda q: Reply(b'{"features": [{"attributes": {"OBJECTID": 3'),
    )
    result = run_job(source)
    assert result.objects == {}
    assert any("malformed or truncated JSON" in e for e in result.gather_errors)
    records = model.Session.query(model.Package).filter_by(type="heritage-site").all()
    assert len(records) == 5
    assert all(p.extras.get("operating_status") == "operating" for p in records)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_bad_feature_geometry_is_reported_with_its_feature_id(arcgis_layer, fixture_server):
    org = factories.Organization()
    page = json.loads((FIXTURES / "arcgis/query-offset-0.json").read_text("utf-8"))
    page["features"][1]["geometry"] = {"x": 9.0e30, "y": 1.0}

    def query(q):
        if q.get("resultOffset", "0") == "0":
            return Reply(json.dumps(page).encode())
        return fixture_reply(f"arcgis/query-offset-{q['resultOffset']}.json")

    fixture_server.handler("/arcgis/rest/services/VHTT/DiTich/FeatureServer/0/query", query)
    result = run_job(create_source("khtourism_arcgis", arcgis_layer, HERITAGE, owner_org=org["id"]))
    assert result.statuses()["DT-002"] == "errored"
    (error,) = result.objects["DT-002"]["errors"]
    assert error.startswith("OBJECTID 2: geometry:")
    assert sum(s == "added" for s in result.statuses().values()) == 4


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_ogcapi_features_follows_next_links(fixture_server):
    org = factories.Organization()
    url = fixture_server.handler(
        "/ogc/collections/di_tich/items",
        lambda q: fixture_reply(
            "ogcapi/items-page2.json" if q.get("offset") == "3" else "ogcapi/items-page1.json",
            content_type="application/geo+json",
        ),
    )
    config = dict(HERITAGE, key_field="ma_dt", mapping={"ten": "title", "xep_hang": "ranking"})
    _assert_positions(
        run_job(
            create_source(
                "khtourism_ogcapi", url.rsplit("/items", 1)[0], config, owner_org=org["id"]
            )
        )
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_wfs_geojson_in_vn2000(fixture_server):
    org = factories.Organization()
    url = fixture_server.file("/geoserver/ows", "wfs/getfeature.json")
    _assert_positions(
        run_job(
            create_source(
                "khtourism_wfs",
                url,
                dict(HERITAGE, type_name="khanhhoa:di_tich"),
                owner_org=org["id"],
            )
        )
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_wfs_requires_a_type_name(fixture_server):
    org = factories.Organization()
    # the key named, the message in the portal's language (Vietnamese by default; English
    # when the calling request is an /en/ one)
    with pytest.raises(
        Exception, match="type_name: (bắt buộc với loại nguồn này|required for this source type)"
    ):
        create_source(
            "khtourism_wfs", fixture_server.url("/geoserver/ows"), HERITAGE, owner_org=org["id"]
        )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_unexpected_fault_in_gather_still_ends_the_job(fixture_server):
    org = factories.Organization()
    layer = json.loads((FIXTURES / "arcgis/layer.json").read_text("utf-8"))
    layer["maxRecordCount"] = "nhiều"  # a server bug our reader does not anticipate
    url = fixture_server.handler(
        "/arcgis/rest/services/Z/FeatureServer/0", lambda q: Reply(json.dumps(layer).encode())
    )
    result = run_job(create_source("khtourism_arcgis", url, HERITAGE, owner_org=org["id"]))
    assert result.job.status == "Finished"
    assert any("/ gather failed: ValueError" in e for e in result.gather_errors)
