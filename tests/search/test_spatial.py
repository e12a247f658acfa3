"""ext_bbox, radius and polygon searches (no PostGIS), through the API and the pages."""

from __future__ import annotations

import json

import pytest

from ckan.lib.search.common import SearchQueryError

from tests.search.search_helpers import point, search_config, titles

# Real places of Khánh Hòa (approximate)
PONAGAR = (109.1955, 12.2654)  # Tháp Bà Ponagar, Nha Trang
NHA_TRANG_BEACH = (109.1967, 12.2388)  # Trần Phú beach, ~3 km south
CAM_RANH = (109.2197, 11.9983)  # Cam Ranh, ~30 km south
PHAN_RANG = (108.9888, 11.5643)  # Phan Rang, ~80 km south-west


@pytest.fixture
def places(portal):
    portal.create("Tháp Bà Ponagar", spatial=point(*PONAGAR))
    portal.create("Bãi biển Trần Phú", spatial=point(*NHA_TRANG_BEACH))
    portal.create("Cam Ranh resort", spatial=point(*CAM_RANH))
    portal.create("Tháp Po Klong Garai", spatial=point(*PHAN_RANG))
    portal.create(
        "Vùng vịnh Nha Trang",
        spatial=json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [109.15, 12.15],
                        [109.35, 12.15],
                        [109.35, 12.35],
                        [109.15, 12.35],
                        [109.15, 12.15],
                    ]
                ],
            }
        ),
    )
    portal.create("No location")
    return portal


@search_config
def test_bbox_keeps_intersecting_datasets_ordered_by_overlap(places):
    result = places.search(ext_bbox="109.1,12.1,109.4,12.4")
    assert set(titles(result)) == {"Tháp Bà Ponagar", "Bãi biển Trần Phú", "Vùng vịnh Nha Trang"}
    # the area overlaps the box; points have no area
    assert titles(result)[0] == "Vùng vịnh Nha Trang"
    assert result["count"] == 3
    assert titles(places.search(ext_bbox="108.9,11.5,109.0,11.6")) == ["Tháp Po Klong Garai"]
    both = places.search(ext_bbox="108.5,11.0,109.5,13.0", q="thap")
    assert set(titles(both)) == {"Tháp Bà Ponagar", "Tháp Po Klong Garai"}


@search_config
def test_radius_keeps_datasets_within_distance_ordered_by_distance(places):
    result = places.search(ext_lat=PONAGAR[1], ext_lon=PONAGAR[0], ext_radius=5000)
    # the bay area contains the tower: both at distance 0, then the beach
    assert set(titles(result)[:2]) == {"Tháp Bà Ponagar", "Vùng vịnh Nha Trang"}
    assert titles(result)[2:] == ["Bãi biển Trần Phú"]
    distances = [d["distance_m"] for d in result["results"]]
    assert distances[:2] == [0, 0]
    beach = next(d for d in result["results"] if d["title"] == "Bãi biển Trần Phú")
    assert 2800 < beach["distance_m"] < 3100  # ~2.9 km great-circle
    wide = places.search(ext_lat=PONAGAR[1], ext_lon=PONAGAR[0], ext_radius=40000)
    assert "Cam Ranh resort" in titles(wide)
    assert "Tháp Po Klong Garai" not in titles(wide)


@search_config
def test_polygon_in_geojson_and_wkt(places):
    # a triangle around Ponagar that misses the beach 3 km south
    triangle = [[109.18, 12.255], [109.21, 12.255], [109.195, 12.28], [109.18, 12.255]]
    geojson = json.dumps({"type": "Polygon", "coordinates": [triangle]})
    result = places.search(ext_polygon=geojson)
    assert set(titles(result)) == {"Tháp Bà Ponagar", "Vùng vịnh Nha Trang"}
    assert result["count"] == 2
    wkt = "POLYGON((" + ", ".join(f"{x} {y}" for x, y in triangle) + "))"
    assert set(titles(places.search(ext_polygon=wkt))) == {"Tháp Bà Ponagar", "Vùng vịnh Nha Trang"}
    # the bbox of the triangle contains a point that the triangle itself does not
    corner = places.create("Corner", spatial=point(109.182, 12.278))
    assert "Corner" not in titles(places.search(ext_polygon=wkt))
    assert corner["id"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"ext_bbox": "109,12,110"}, "ext_bbox: expected minx,miny,maxx,maxy"),
        ({"ext_bbox": "109,12,abc,13"}, "is not a number"),
        ({"ext_bbox": "200,12,201,13"}, "longitude 200.0 is outside"),
        ({"ext_bbox": "110,12,109,13"}, "minimum is greater than maximum"),
        ({"ext_lat": "12.2", "ext_lon": "109.2"}, "missing: ext_radius"),
        ({"ext_lat": "95", "ext_lon": "109.2", "ext_radius": "10"}, "latitude 95.0 is outside"),
        ({"ext_lat": "12", "ext_lon": "109.2", "ext_radius": "-5"}, "ext_radius"),
        ({"ext_polygon": "POINT(1 2)"}, "expected a Polygon"),
        ({"ext_polygon": "not a polygon"}, "not a GeoJSON or WKT polygon"),
    ],
)
@search_config
def test_bad_coordinates_are_clear_errors(portal, app, params, message):
    with pytest.raises(SearchQueryError, match=message):
        portal.search(**params)
    response = app.get("/api/3/action/package_search", query_string=params, status=400)
    assert message in response.json["error"]["message"]


@search_config
def test_bbox_on_the_dataset_page(places, app):
    response = app.get("/dataset/", query_string={"ext_bbox": "108.9,11.5,109.0,11.6"})
    assert "Tháp Po Klong Garai" in response.body
    assert "Tháp Bà Ponagar" not in response.body


@search_config
def test_polygon_points_are_tested_in_sql_with_the_same_answers(portal):
    """Point records are tested against a simple polygon in SQL (no geometry read back);
    the answers are those of the exact test: inside and on the edge or a corner are in,
    outside is out; an area crossing the edge is in; a polygon with a hole is tested
    exactly (the point in the hole is out)."""
    square = [[109.10, 12.10], [109.20, 12.10], [109.20, 12.20], [109.10, 12.20], [109.10, 12.10]]
    portal.create("inside", spatial=point(109.15, 12.15))
    portal.create("on the edge", spatial=point(109.20, 12.15))
    portal.create("on a corner", spatial=point(109.10, 12.10))
    portal.create("outside", spatial=point(109.25, 12.15))
    area = [[109.18, 12.05], [109.30, 12.05], [109.30, 12.12], [109.18, 12.12], [109.18, 12.05]]
    portal.create("area across", spatial=json.dumps({"type": "Polygon", "coordinates": [area]}))
    far = [[109.40, 12.40], [109.50, 12.40], [109.50, 12.50], [109.40, 12.40]]
    portal.create("area outside", spatial=json.dumps({"type": "Polygon", "coordinates": [far]}))

    found = portal.search(ext_polygon=json.dumps({"type": "Polygon", "coordinates": [square]}))
    assert set(titles(found)) == {"inside", "on the edge", "on a corner", "area across"}
    assert found["count"] == 4

    hole = [[109.14, 12.14], [109.16, 12.14], [109.16, 12.16], [109.14, 12.16], [109.14, 12.14]]
    with_hole = json.dumps({"type": "Polygon", "coordinates": [square, hole]})
    assert set(titles(portal.search(ext_polygon=with_hole))) == {
        "on the edge",
        "on a corner",
        "area across",
    }


def test_a_results_distance_is_added_to_its_stored_dict_as_if_read_and_written_again():
    from ckanext.khtourism.search.connection import _with_member

    for text in (
        '{"name": "thap-ba", "notes": "Cách biển 2 km"}',
        "{}",
        '{ "name": "x" }  ',
        '{"name": "đã có", "distance_m": 1.5}',  # already there: replaced, not doubled
        '{"notes": "a \\"distance_m\\" in a text"}',
    ):
        written = _with_member(text, "distance_m", 1234.5)
        assert json.loads(written) == {**json.loads(text), "distance_m": 1234.5}, text
        assert written.count('"distance_m"') == 1, written  # one member of that name
