"""Maps without a browser: the CSP follows the tile setting, the pages embed the right
GeoJSON, the record page prints the coordinates (tests/browser drives the maps)."""

from __future__ import annotations

import html
import json
import re

import pytest

from ckanext.khtourism.maps.settings import policy_with_tiles, tile_origin

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; img-src 'self' data: https:; connect-src 'self'"
)
PHAN_RANG = {"type": "Point", "coordinates": [108.9886, 11.5643]}


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://tiles.example.test:8080/{z}/{x}/{y}.png", "http://tiles.example.test:8080"),
        ("", ""),
        ("/local/tiles/{z}/{x}/{y}.png", ""),
    ],
)
def test_tile_origin(url, origin):
    assert tile_origin(url) == origin


def test_the_tile_host_is_added_to_img_src_unless_already_allowed():
    http_tiles = "http://tiles.example.test/{z}/{x}/{y}.png"
    assert (
        policy_with_tiles(DEFAULT_POLICY, http_tiles)
        == "default-src 'self'; script-src 'self'; img-src 'self' data: https: "
        "http://tiles.example.test; connect-src 'self'"
    )
    # https tiles are covered by the default policy's "https:"
    https_tiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert policy_with_tiles(DEFAULT_POLICY, https_tiles) == DEFAULT_POLICY
    strict = "default-src 'self'; img-src 'self'"
    assert policy_with_tiles(strict, https_tiles) == (
        "default-src 'self'; img-src 'self' https://tile.openstreetmap.org"
    )
    # no img-src: the default-src sources, plus the tile host
    assert policy_with_tiles("default-src 'self' data:", https_tiles) == (
        "default-src 'self' data:; img-src 'self' data: https://tile.openstreetmap.org"
    )
    assert policy_with_tiles(strict, "") == strict


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config(
    "ckanext.khtourism.maps.tile_url", "http://tiles.example.test/{z}/{x}/{y}.png"
)
def test_pages_allow_the_configured_tile_host_and_name_it_to_the_maps(app):
    response = app.get("/dataset/")
    policy = response.headers["Content-Security-Policy"]
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
    assert "http://tiles.example.test" in img_src.split()
    assert 'data-tile-url="http://tiles.example.test/{z}/{x}/{y}.png"' in response.body


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.maps.tile_url", "none")
def test_no_tiles_means_no_basemap_and_the_policy_unchanged(app, ckan_config):
    response = app.get("/dataset/")
    assert (
        response.headers["Content-Security-Policy"]
        == ckan_config["ckanext.khtourism.security.content_security_policy"]
    )
    assert 'data-tile-url=""' in response.body
    assert "/vendor/khanh-hoa-outline/khanh-hoa.geojson" in response.body


def _published(world, name, **overrides):
    record = world.create("member_a", "accommodation", name=name, **overrides)
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    return world.call("curator", "khtourism_record_approve", id=record["id"])


def _features(body: str) -> list[dict]:
    found = re.search(r'data-features="([^"]*)"', body)
    assert found, "no map on the page"
    return json.loads(html.unescape(found.group(1)))["features"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.datasets_per_page", "1")
def test_search_map_shows_every_result_of_the_search_not_only_the_page(app, world):
    _published(world, "ks-nha-trang-1")
    _published(world, "ks-nha-trang-2")
    _published(world, "ks-phan-rang", spatial=json.dumps(PHAN_RANG))
    features = _features(app.get("/accommodation/").body)
    assert sorted(f["properties"]["url"] for f in features) == [
        "/accommodation/ks-nha-trang-1",
        "/accommodation/ks-nha-trang-2",
        "/accommodation/ks-phan-rang",
    ]
    assert {f["properties"]["type_label"] for f in features} == {"Cơ sở lưu trú"}
    # the ext_bbox filter applies to the map as to the list, and is its initial view
    body = app.get("/accommodation/?ext_bbox=108.9,11.5,109.1,11.7").body
    assert [f["properties"]["url"] for f in _features(body)] == ["/accommodation/ks-phan-rang"]
    assert 'data-bbox="108.9,11.5,109.1,11.7"' in body
    # the query too, and English titles under /en/
    body = app.get("/en/accommodation/?q=name:ks-phan-rang").body
    assert [f["properties"]["title"] for f in _features(body)] == ["Test Hotel"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_record_page_has_a_map_and_the_coordinates_in_text(app, world):
    _published(world, "ks-toa-do")
    body = app.get("/accommodation/ks-toa-do").body
    assert [f["geometry"]["coordinates"] for f in _features(body)] == [[109.1953, 12.2654]]
    assert '<span class="khtourism-coordinates">12.26540, 109.19530</span>' in body


@pytest.mark.usefixtures("with_plugins")
def test_a_record_of_a_type_without_pages_links_to_ckans_dataset_page(app):
    """A dataset type no plugin serves pages for (a schema removed, a test type left in the
    index) made every search page with a map answer 500 (BuildError for '<type>.read')."""
    from ckanext.khtourism.maps.features import record_feature

    record = {
        "type": "retired-type",
        "name": "ban-ghi-cu",
        "title": "Bản ghi cũ",
        "spatial": json.dumps(PHAN_RANG),
    }
    with app.flask_app.test_request_context():
        feature = record_feature(record, "vi")
        ours = record_feature({**record, "type": "accommodation"}, "vi")
    assert feature is not None and ours is not None
    assert feature["properties"]["url"].endswith("/dataset/ban-ghi-cu")
    assert ours["properties"]["url"].endswith("/accommodation/ban-ghi-cu")
    assert feature["geometry"]["coordinates"] == PHAN_RANG["coordinates"]
