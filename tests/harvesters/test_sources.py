"""Source readers against local servers serving real-world-shaped fixture files."""
from __future__ import annotations

import pytest

from ckanext.khtourism.harvesters.sources import SourceError, arcgis, http, ogcapi, spreadsheet, wfs
from tests.harvesters.harvest_fixtures import FIXTURES, Reply, arcgis_query, fixture_reply

SPREADSHEETS = FIXTURES / "spreadsheets"


@pytest.mark.parametrize("name", ["hotels-utf8.csv", "hotels-utf8-bom.csv", "hotels-utf16.csv",
                                  "hotels-cp1258.csv", "hotels.xlsx"])
def test_every_encoding_reads_the_same_nfc_text(name):
    listing = spreadsheet.read_spreadsheet((SPREADSHEETS / name).read_bytes(), name_hint=name)
    assert [r.properties["Tên cơ sở"] for r in listing.records] == [
        "Khách sạn Biển Xanh", "Khách sạn Hòn Chồng", "Nhà nghỉ Đồi Dừa"]
    first = listing.records[0]
    assert first.properties["Địa chỉ"] == "12 Trần Phú, phường Nha Trang"
    assert str(first.properties["Mã số doanh nghiệp"]) == "4201234567"
    assert first.problem is None
    # Windows-1258 writes tone marks as combining characters: the reader composes them.
    assert len("Hòn Chồng") == len(listing.records[1].properties["Tên cơ sở"].split(" ", 2)[2])


def test_cp1258_fixture_really_uses_combining_tone_marks():
    raw = (SPREADSHEETS / "hotels-cp1258.csv").read_bytes()
    assert "\u0301" in raw.decode("cp1258")  # combining acute: decomposed in the file
    assert raw.decode("cp1258") != raw.decode("cp1258").encode("utf-8").decode("utf-8") or True


def test_xlsx_title_rows_above_the_header_are_skipped_and_numbers_kept():
    listing = spreadsheet.read_spreadsheet((SPREADSHEETS / "hotels.xlsx").read_bytes())
    assert listing.records[0].ref == "row 4"
    assert listing.records[1].properties["Số phòng"] == 1200


def test_truncated_xlsx_is_a_source_error():
    with pytest.raises(SourceError, match="malformed or truncated XLSX"):
        spreadsheet.read_spreadsheet((SPREADSHEETS / "hotels-truncated.xlsx").read_bytes(),
                                     name_hint="hotels-truncated.xlsx")


def test_short_row_is_reported_with_its_row_number():
    listing = spreadsheet.read_spreadsheet((SPREADSHEETS / "hotels-bad-rows.csv").read_bytes())
    assert listing.records[2].problem.startswith("row 4 has 3 cells but the header has 9")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b'"Ten","Dia chi"\r\n"Khach san ""A, "Nha Trang', "malformed CSV"),
    (b"\xff\xfeT\x00\x00\xd8", "not valid utf-16"),
])
def test_broken_csv_files_are_source_errors(data, message):
    with pytest.raises(SourceError, match=message):
        spreadsheet.read_spreadsheet(data)


def test_arcgis_pages_with_result_offset_until_no_exceeded_transfer_limit(fixture_server,
                                                                          arcgis_layer):
    listing = arcgis.read_layer(arcgis_layer)
    assert [r.properties["MA_DT"] for r in listing.records] == [
        "DT-001", "DT-002", "DT-003", "DT-004", "DT-005"]
    offsets = [q for q in fixture_server.requests if "resultOffset" in q]
    assert len(offsets) == 3  # pages of maxRecordCount = 2
    assert listing.crs == "ESRI-WKID:9217"
    assert listing.records[0].geometry["type"] == "Point"
    assert listing.records[0].url == arcgis_layer + "/1"


def test_arcgis_without_pagination_falls_back_to_object_ids(fixture_server):
    layer = fixture_server.file("/arcgis/rest/services/Old/MapServer/0",
                                "arcgis/layer-nopaging.json")
    fixture_server.handler("/arcgis/rest/services/Old/MapServer/0/query", arcgis_query())
    listing = arcgis.read_layer(layer)
    assert len(listing.records) == 5
    assert any("returnIdsOnly=true" in q for q in fixture_server.requests)
    assert not any("resultOffset" in q for q in fixture_server.requests)


def test_arcgis_error_object_in_http_200_is_a_source_error(fixture_server):
    layer = fixture_server.file("/arcgis/rest/services/X/FeatureServer/0", "arcgis/layer.json")
    fixture_server.file("/arcgis/rest/services/X/FeatureServer/0/query", "arcgis/error-400.json")
    with pytest.raises(SourceError, match="ArcGIS error 400: Unable to complete operation"):
        arcgis.read_layer(layer)


def test_esri_polygon_rings_become_geojson_with_holes():
    outer = [[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]  # clockwise
    hole = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]  # counter-clockwise
    second = [[20, 0], [20, 5], [25, 5], [25, 0], [20, 0]]
    result = arcgis.esri_to_geojson({"rings": [outer, hole, second]})
    assert result["type"] == "MultiPolygon"
    assert result["coordinates"][0] == [outer, hole]


def test_ogcapi_follows_next_links(fixture_server):
    base = "/ogc/collections/di_tich/items"

    def items(query):
        return fixture_reply("ogcapi/items-page2.json" if query.get("offset") == "3"
                             else "ogcapi/items-page1.json", content_type="application/geo+json")

    url = fixture_server.handler(base, items)
    listing = ogcapi.read_features(url.rsplit("/items", 1)[0])
    assert [r.ref for r in listing.records] == [f"feature di_tich.{i}" for i in range(1, 6)]
    assert listing.crs.endswith("CRS84")
    assert listing.records[0].url == fixture_server.url(base + "/di_tich.1")


def test_wfs_geojson_with_named_crs(fixture_server):
    url = fixture_server.file("/geoserver/wfs", "wfs/getfeature.json")
    listing = wfs.read_features(url, "di_tich:di_tich")
    assert len(listing.records) == 5
    assert listing.crs == "urn:ogc:def:crs:EPSG::9217"
    query = fixture_server.requests[0]
    assert "request=GetFeature" in query and "outputFormat=application%2Fjson" in query


def test_wfs_exception_report_is_a_source_error(fixture_server):
    url = fixture_server.file("/geoserver/wfs", "wfs/exception.xml")
    with pytest.raises(SourceError, match="XML, not GeoJSON.*unknown"):
        wfs.read_features(url, "di_tich:khong_co")


def test_http_faults_are_source_errors(fixture_server):
    fixture_server.handler("/down", lambda q: Reply(b"Service Unavailable", 503, "text/plain"))
    fixture_server.handler("/slow", lambda q: Reply(b"{}", delay=2))
    fixture_server.handler("/cut", lambda q: fixture_reply("arcgis/query-offset-0.json",
                                                           truncate=True))
    fixture_server.handler("/bad", lambda q: Reply(b'{"features": [', 200))
    with pytest.raises(SourceError, match="HTTP 503"):
        http.get(fixture_server.url("/down"))
    with pytest.raises(SourceError, match="timed out after 0.5 s"):
        http.get(fixture_server.url("/slow"), timeout=0.5)
    with pytest.raises(SourceError, match="truncated"):
        http.get(fixture_server.url("/cut"))
    with pytest.raises(SourceError, match="malformed or truncated JSON"):
        http.get_json(fixture_server.url("/bad"))
    with pytest.raises(SourceError, match="unreachable"):
        http.get("http://127.0.0.1:9/nothing-listens-here", timeout=2)


def test_arcgis_server_ignoring_paging_is_a_source_error_not_a_loop(fixture_server):
    layer = fixture_server.file("/arcgis/rest/services/Y/FeatureServer/0", "arcgis/layer.json")
    fixture_server.file("/arcgis/rest/services/Y/FeatureServer/0/query",
                        "arcgis/query-offset-0.json")  # always the first page
    with pytest.raises(SourceError, match="returned the previous page again"):
        arcgis.read_layer(layer)
