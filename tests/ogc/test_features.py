"""OGC API – Features Part 1 (Core, GeoJSON, HTML, OAS 3.0) and Part 2 (CRS) at /ogc/.

Each test names the requirement class it checks (docs/ogcapi.md lists them).
"""

from __future__ import annotations

import json
import re

import pytest
from pyproj import Geod, Transformer

from ckan.tests.helpers import call_action

from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.harvesters import geometry
from ckanext.khtourism.ogc import crs as ogc_crs
from tests.harvesters.test_geometry import PUBLISHED_PAIRS, dms

BASE = "/ogc"
GEOD = Geod(ellps="WGS84")
CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
PRIVATE = ("079000000001", "1990-01-01", "0900000000")


def get(api, url: str, status: int = 200, **headers):
    response = api.get(url, headers=headers, status=status)
    return response


def body(api, url: str, status: int = 200) -> dict:
    return json.loads(get(api, url, status).body)


def rels(document: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for link in document["links"]:
        assert {"href", "rel", "type"} <= set(link), link  # links are {href, rel, type}
        found.setdefault(link["rel"], []).append(link)
    return found


def all_items(api, url: str) -> list[dict]:
    """Every feature, following the ``next`` links."""
    features, seen = [], 0
    while url:
        page = body(api, url)
        features += page["features"]
        nxt = rels(page).get("next")
        url = nxt[0]["href"].split("//", 1)[1].split("/", 1)[1] if nxt else ""
        url = "/" + url if url else ""
        seen += 1
        assert seen < 50
    return features


# --- Core: landing page, conformance, collections (/req/core/root-success, …) -----------------


def test_landing_page(api, sample):
    response = get(api, f"{BASE}/")
    assert response.headers["Content-Type"].startswith("application/json")
    links = rels(json.loads(response.body))
    assert links["conformance"][0]["type"] == "application/json"
    assert links["data"][0]["href"].endswith("/ogc/collections?f=json")
    assert links["service-desc"][0]["type"].startswith("application/vnd.oai.openapi+json")
    assert links["alternate"][0]["type"] == "text/html"


def test_conformance_declares_the_classes(api, sample):
    declared = set(body(api, f"{BASE}/conformance")["conformsTo"])
    assert {CONF + c for c in ("core", "geojson", "html", "oas30")} <= declared
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in declared


def test_api_definition_is_openapi_3_0(api, sample):
    from openapi_spec_validator import validate

    response = get(api, f"{BASE}/api")
    assert response.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.body)
    validate(document)
    for record_type in RECORD_TYPES:
        assert f"/collections/{record_type}/items" in document["paths"]


def test_collections_one_per_public_record_type(api, sample):
    document = body(api, f"{BASE}/collections")
    rels(document)
    assert [c["id"] for c in document["collections"]] == list(RECORD_TYPES)
    for collection in document["collections"]:
        links = rels(collection)
        assert links["items"][0]["type"] == "application/geo+json"
        assert collection["itemType"] == "feature"
        assert collection["crs"] == list(ogc_crs.SUPPORTED)  # Part 2 /req/crs/fc-md-crs-list
        assert collection["storageCrs"] == ogc_crs.CRS84
        single = body(api, f"{BASE}/collections/{collection['id']}")
        assert single["id"] == collection["id"]
    get(api, f"{BASE}/collections/dataset", status=404)


# --- Core + GeoJSON: items -------------------------------------------------------------------


def test_items_published_public_records_with_counts(api, sample):
    response = get(api, f"{BASE}/collections/accommodation/items")
    assert response.headers["Content-Type"].startswith("application/geo+json")
    assert response.headers["Content-Crs"] == f"<{ogc_crs.CRS84}>"
    page = json.loads(response.body)
    assert page["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in page["features"]}
    assert names == {"khach-san-bien-xanh", "resort-cam-ranh", "homestay-doc-let"}  # no draft
    assert page["numberMatched"] == 3 and page["numberReturned"] == 3
    hotel = next(f for f in page["features"] if f["properties"]["name"] == "khach-san-bien-xanh")
    assert hotel["id"] == sample.hotel["id"]
    assert hotel["geometry"] == {"type": "Point", "coordinates": [109.1953, 12.2654]}
    assert hotel["properties"]["star_rating"] == "4"
    assert hotel["properties"]["rooms"] == 120
    assert hotel["properties"]["organization_name"] == "bien-xanh"
    assert rels(page)["self"][0]["type"] == "application/geo+json"


def test_personal_data_never_in_features(api, sample):
    for url in (
        f"{BASE}/collections/tour-guide/items",
        f"{BASE}/collections/tour-guide/items?f=html",
        f"{BASE}/collections/tour-guide/items/{sample.guide['id']}",
        f"{BASE}/collections/tour-guide/items/{sample.guide['id']}?f=html",
    ):
        text = get(api, url).body
        assert "Nguyễn Văn A" in text  # the public part is there
        for value in PRIVATE:
            assert value not in text, (url, value)
    page = body(api, f"{BASE}/collections/tour-guide/items")
    properties = page["features"][0]["properties"]
    assert not {"id_number", "date_of_birth", "personal_phone"} & set(properties)
    assert page["features"][0]["geometry"] is None  # a guide has no location


def test_limit_offset_and_next_links(api, sample):
    page = body(api, f"{BASE}/collections/accommodation/items?limit=1")
    assert page["numberReturned"] == 1 and page["numberMatched"] == 3
    assert "next" in rels(page) and "prev" not in rels(page)
    features = all_items(api, f"{BASE}/collections/accommodation/items?limit=1")
    assert len(features) == 3 and len({f["id"] for f in features}) == 3
    last = body(api, f"{BASE}/collections/accommodation/items?limit=1&offset=2")
    assert "next" not in rels(last) and "prev" in rels(last)
    # a limit above the maximum is answered with the maximum (/per/core/limit-response-1)
    assert body(api, f"{BASE}/collections/accommodation/items?limit=100000")["numberReturned"] == 3
    for bad in ("limit=0", "limit=x", "offset=-1", "limit=1&limit=2"):
        error = body(api, f"{BASE}/collections/accommodation/items?{bad}", status=400)
        assert error["code"] in ("invalid_parameter", "repeated_parameter")
        assert error["parameter"] in ("limit", "offset")


def test_unknown_parameter_is_a_400(api, sample):
    # /req/core/query-param-unknown
    error = body(api, f"{BASE}/collections/accommodation/items?colour=red", status=400)
    assert error["code"] == "unknown_parameter" and error["parameter"] == "colour"
    # a filter of another type is unknown here
    body(api, f"{BASE}/collections/heritage-site/items?star_rating=5", status=400)


def test_bbox(api, sample):
    page = body(api, f"{BASE}/collections/accommodation/items?bbox=109.1,12.2,109.3,12.3")
    assert {f["properties"]["name"] for f in page["features"]} == {"khach-san-bien-xanh"}
    assert page["numberMatched"] == 1
    # six numbers (with heights) are accepted
    page6 = body(api, f"{BASE}/collections/accommodation/items?bbox=109.1,12.2,0,109.3,12.3,10")
    assert page6["numberMatched"] == 1
    body(api, f"{BASE}/collections/accommodation/items?bbox=1,2,3", status=400)
    body(api, f"{BASE}/collections/accommodation/items?bbox=109.3,12.2,109.1,12.3", status=400)


def test_datetime_on_last_modification(api, sample):
    items = f"{BASE}/collections/accommodation/items"
    assert body(api, f"{items}?datetime=2000-01-01T00:00:00Z/..")["numberMatched"] == 3
    assert body(api, f"{items}?datetime=../2000-01-01T00:00:00Z")["numberMatched"] == 0
    assert body(api, f"{items}?datetime=2999-01-01T00:00:00Z/..")["numberMatched"] == 0
    call_action(
        "package_patch", {"user": sample.sysadmin["name"]}, id=sample.resort["id"], rooms=301
    )
    modified = call_action("package_show", id=sample.resort["id"])["metadata_modified"]
    # from the modification's own instant: the sample's other records may have been
    # written within the same second (a start truncated to the second matched them too)
    page = body(api, f"{items}?datetime={modified}Z/..")
    assert {f["properties"]["name"] for f in page["features"]} == {"resort-cam-ranh"}
    instant = body(api, f"{items}?datetime={modified}Z")
    assert {f["properties"]["name"] for f in instant["features"]} == {"resort-cam-ranh"}
    for bad in ("yesterday", "2026-01-02T00:00:00Z/2026-01-01T00:00:00Z", "a/b/c"):
        assert body(api, f"{items}?datetime={bad}", status=400)["parameter"] == "datetime"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("star_rating=5", {"resort-cam-ranh"}),
        ("accommodation_type=homestay", {"homestay-doc-let"}),
        ("operating_status=suspended", {"homestay-doc-let"}),
        ("former_district=568&languages=en", {"khach-san-bien-xanh"}),
        ("admin_unit=22366,22390", {"resort-cam-ranh", "homestay-doc-let"}),
    ],
)
def test_property_filters(api, sample, query, expected):
    page = body(api, f"{BASE}/collections/accommodation/items?{query}")
    assert {f["properties"]["name"] for f in page["features"]} == expected
    assert page["numberMatched"] == len(expected)


def test_bad_filter_value_names_the_parameter(api, sample):
    error = body(api, f"{BASE}/collections/accommodation/items?star_rating=9", status=400)
    assert error["parameter"] == "star_rating"
    assert "9" in error["description"]


def test_one_item(api, sample):
    url = f"{BASE}/collections/heritage-site/items/{sample.ponagar['id']}"
    response = get(api, url)
    assert response.headers["Content-Type"].startswith("application/geo+json")
    feature = json.loads(response.body)
    assert feature["type"] == "Feature" and feature["id"] == sample.ponagar["id"]
    assert feature["properties"]["ranking"] == "quoc_gia_dac_biet"
    assert {"self", "alternate", "collection"} <= set(rels(feature))
    by_name = body(api, f"{BASE}/collections/heritage-site/items/thap-ba-ponagar")
    assert by_name["id"] == sample.ponagar["id"]
    # not in this collection, not published, unknown: 404 (/req/core/f-op)
    get(api, f"{BASE}/collections/accommodation/items/{sample.ponagar['id']}", status=404)
    get(api, f"{BASE}/collections/accommodation/items/{sample.draft['id']}", status=404)
    get(api, f"{BASE}/collections/accommodation/items/khong-co", status=404)


# --- HTML -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/conformance",
        "/collections",
        "/collections/accommodation",
        "/collections/accommodation/items",
    ],
)
def test_html_encoding(api, sample, path):
    by_param = get(api, f"{BASE}{path}?f=html")
    assert by_param.headers["Content-Type"].startswith("text/html")
    by_accept = get(api, f"{BASE}{path}", Accept="text/html,application/xhtml+xml")
    assert by_accept.headers["Content-Type"].startswith("text/html")
    if path.endswith("/items"):
        assert "Khách sạn Biển Xanh" in by_param.body
        assert "Khách sạn Nháp" not in by_param.body


# --- Part 2: CRS ----------------------------------------------------------------------------


def test_crs_epsg_4326_is_latitude_first(api, sample):
    url = f"{BASE}/collections/accommodation/items?crs=http://www.opengis.net/def/crs/EPSG/0/4326"
    response = get(api, url)
    assert response.headers["Content-Crs"] == f"<{ogc_crs.EPSG_4326}>"
    page = json.loads(response.body)
    hotel = next(f for f in page["features"] if f["properties"]["name"] == "khach-san-bien-xanh")
    assert hotel["geometry"]["coordinates"] == [12.2654, 109.1953]
    # bbox in EPSG:4326 (lat, lon order)
    box = f"bbox=12.2,109.1,12.3,109.3&bbox-crs={ogc_crs.EPSG_4326}"
    assert body(api, f"{BASE}/collections/accommodation/items?{box}")["numberMatched"] == 1


def test_crs_vn2000_uses_the_harvesters_transformation(api, sample):
    url = f"{BASE}/collections/accommodation/items?crs={ogc_crs.VN2000_KHANH_HOA}"
    response = get(api, url)
    assert response.headers["Content-Crs"] == f"<{ogc_crs.VN2000_KHANH_HOA}>"
    hotel = next(
        f
        for f in json.loads(response.body)["features"]
        if f["properties"]["name"] == "khach-san-bien-xanh"
    )
    easting, northing = hotel["geometry"]["coordinates"]
    assert 550_000 < easting < 650_000 and 1_300_000 < northing < 1_400_000
    # harvested back (the harvesters' VN-2000 -> WGS 84) it is where it was, to a centimetre
    back = geometry.to_wgs84(hotel["geometry"], geometry.resolve_crs("vn2000-khanhhoa"))
    assert GEOD.inv(back.x, back.y, 109.1953, 12.2654)[2] < 0.01
    # a VN-2000 bbox around it finds it, and only it
    box = f"{easting - 500},{northing - 500},{easting + 500},{northing + 500}"
    page = body(
        api,
        f"{BASE}/collections/accommodation/items?bbox={box}&bbox-crs={ogc_crs.VN2000_KHANH_HOA}",
    )
    assert {f["properties"]["name"] for f in page["features"]} == {"khach-san-bien-xanh"}
    item = get(api, f"{BASE}/collections/accommodation/items/{sample.hotel['id']}?crs=EPSG:9217")
    assert item.headers["Content-Crs"] == f"<{ogc_crs.VN2000_KHANH_HOA}>"
    assert json.loads(item.body)["geometry"]["coordinates"] == [easting, northing]


@pytest.mark.parametrize("point", sorted(PUBLISHED_PAIRS))
def test_vn2000_control_points_in_reverse(point):
    """The published WGS 84 positions (Circular 20/2019/TT-BGTVT), served in VN-2000: within
    5 m of the published VN-2000 positions projected to the provincial grid."""
    (wgs_lat, wgs_lon), (vn_lat, vn_lon) = PUBLISHED_PAIRS[point]
    easting, northing = ogc_crs.from_wgs84(dms(*wgs_lon), dms(*wgs_lat), ogc_crs.VN2000_KHANH_HOA)
    grid = Transformer.from_crs("EPSG:4756", "EPSG:9217", always_xy=True)
    expected = grid.transform(dms(*vn_lon), dms(*vn_lat))
    error_m = ((easting - expected[0]) ** 2 + (northing - expected[1]) ** 2) ** 0.5
    assert error_m < 5, f"{point}: {error_m:.1f} m"


def test_unsupported_crs_is_a_400(api, sample):
    items = f"{BASE}/collections/accommodation/items"
    error = body(api, f"{items}?crs=http://www.opengis.net/def/crs/EPSG/0/3857", status=400)
    assert error["parameter"] == "crs"
    assert body(api, f"{items}?bbox=1,2,3,4&bbox-crs=EPSG:3857", status=400)["parameter"] == (
        "bbox-crs"
    )


# --- Collection metadata: extent (/rec/core/fc-md-extent), queryables (Part 3) ---------------


def _modified(record: dict) -> str:
    return call_action("package_show", id=record["id"])["metadata_modified"][:19] + "Z"


def test_collection_extent_is_that_of_its_published_records(api, sample):
    collection = body(api, f"{BASE}/collections/accommodation")
    # the three published hotels, not the draft at 109.19, 12.26
    assert collection["extent"]["spatial"] == {
        "bbox": [[109.1953, 11.99, 109.4, 12.5]],
        "crs": ogc_crs.CRS84,
    }
    published = (sample.hotel, sample.resort, sample.homestay)
    times = sorted(_modified(record) for record in published)
    temporal = collection["extent"]["temporal"]
    assert temporal["interval"] == [[times[0], times[-1]]]
    assert temporal["trs"] == "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
    # the same extent in the list of collections; a type without points has no spatial
    # extent, a type without published records none at all
    listed = {c["id"]: c for c in body(api, f"{BASE}/collections")["collections"]}
    assert listed["accommodation"]["extent"] == collection["extent"]
    assert set(listed["tour-guide"]["extent"]) == {"temporal"}
    assert any("extent" not in c for c in listed.values())
    # a record that moves and changes moves the extent (nothing stale is kept)
    call_action(
        "package_patch",
        {"user": sample.sysadmin["name"]},
        id=sample.resort["id"],
        spatial=json.dumps({"type": "Point", "coordinates": [109.5, 11.8]}),
    )
    moved = body(api, f"{BASE}/collections/accommodation")["extent"]
    assert moved["spatial"]["bbox"] == [[109.1953, 11.8, 109.5, 12.5]]
    assert moved["temporal"]["interval"][0][1] == _modified(sample.resort)


PATTERNED = {"admin_unit": "22333", "languages": "en"}


def test_queryables_are_the_filters_the_items_accept(api, sample):
    """Part 3 /req/queryables/get-queryables-op and /req/queryables-query-parameters."""
    from ckanext.khtourism.ogc.collections import filter_names, public_collections

    for collection_id, collection in public_collections().items():
        links = rels(body(api, f"{BASE}/collections/{collection_id}"))
        (link,) = links["http://www.opengis.net/def/rel/ogc/1.0/queryables"]
        assert link["type"] == "application/schema+json"
        response = get(api, f"{BASE}/collections/{collection_id}/queryables")
        assert response.headers["Content-Type"].startswith("application/schema+json")
        schema = json.loads(response.body)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].endswith(f"/ogc/collections/{collection_id}/queryables")
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert list(schema["properties"]) == list(filter_names(collection))
        items = f"{BASE}/collections/{collection_id}/items"
        for name, queryable in schema["properties"].items():
            assert queryable["type"] == "string", (collection_id, name)
            # a value of the schema: its first code, or one matching its pattern
            value = queryable["enum"][0] if "enum" in queryable else PATTERNED[name]
            assert re.fullmatch(queryable.get("pattern", ".*").strip("^$"), value), name
            assert body(api, f"{items}?{name}={value}")["type"] == "FeatureCollection"
            refused = body(api, f"{items}?{name}=%20not%20a%20value", status=400)
            assert refused["parameter"] == name
    assert (
        body(api, f"{BASE}/collections/accommodation/items?title=x", status=400)["parameter"]
        == "title"
    )  # not a queryable: refused
    page = get(api, f"{BASE}/collections/accommodation/queryables?f=html")
    assert page.headers["Content-Type"].startswith("text/html") and "star_rating" in page.body
    get(api, f"{BASE}/collections/dataset/queryables", status=404)


def test_conformance_declares_queryables_and_the_api_lists_them(api, sample):
    declared = set(body(api, f"{BASE}/conformance")["conformsTo"])
    part3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
    assert {part3 + "queryables", part3 + "queryables-query-parameters"} <= declared
    document = body(api, f"{BASE}/api")
    for record_type in RECORD_TYPES:
        assert f"/collections/{record_type}/queryables" in document["paths"]
