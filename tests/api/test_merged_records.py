"""A record merged into another (issue 13): its tourism-API item URL moves permanently
to the kept record's item, in every format; a record deleted without a merge stays a 404."""

from __future__ import annotations

import json

import pytest

from ckan.tests import helpers

from tests import snapshots

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

BASE = "/api/tourism/v1/accommodations"
POINT = json.dumps({"type": "Point", "coordinates": [109.1960, 12.2400]})
POINT_NEAR = json.dumps({"type": "Point", "coordinates": [109.1963, 12.2401]})


def _published(world, name, **fields):
    record = world.create("member_a", "accommodation", name=name, **fields)
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    return world.call("curator", "khtourism_record_approve", id=record["id"])


def _merge(world):
    kept = _published(world, "ks-giu", title="Khách sạn Giữ", spatial=POINT)
    removed = _published(world, "ks-giu-2", title="Khách sạn Giữ", spatial=POINT_NEAR)
    result = world.call("curator", "khtourism_record_merge", id=removed["id"], other_id=kept["id"])
    assert result["kept"]["id"] == kept["id"] and result["removed"]["id"] == removed["id"]
    return kept, removed


@pytest.fixture
def merged(world):
    """Two published records, one merged into the other: built once per test process and
    put back before each test (tests/snapshots.py)."""
    return snapshots.restored("api_merged", lambda: _merge(world))


@pytest.mark.parametrize("query", ["", "?format=json", "?format=geojson", "?format=jsonld"])
def test_merged_record_item_moves_permanently_in_every_format(app, merged, query):
    kept, removed = merged
    for key in (removed["name"], removed["id"]):
        response = app.get(f"{BASE}/{key}{query}", follow_redirects=False)
        assert response.status_code == 301, response.body
        location = response.headers["Location"]
        assert location.endswith(f"{BASE}/{kept['name']}{query}")
        # the target answers in the same format
        target = app.get(location[location.index("/api/") :])
        assert target.status_code == 200
        body = target.get_data(as_text=True)
        assert kept["id"] in body or kept["establishment_id"] in body


def test_merged_record_moves_for_an_accept_header_too(app, merged):
    kept, removed = merged
    response = app.get(
        f"{BASE}/{removed['name']}",
        headers={"Accept": "application/geo+json"},
        follow_redirects=False,
    )
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"{BASE}/{kept['name']}")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_plain_deleted_record_stays_not_found(app, world):
    gone = _published(world, "ks-da-xoa", title="Khách sạn Đã Xoá", spatial=POINT)
    helpers.call_action("package_delete", world.context("sysadmin"), id=gone["id"])
    response = app.get(f"{BASE}/{gone['name']}", follow_redirects=False)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_a_merged_record_does_not_move_under_another_resource(app, merged):
    _kept, removed = merged
    response = app.get(f"/api/tourism/v1/heritage-sites/{removed['name']}", follow_redirects=False)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
