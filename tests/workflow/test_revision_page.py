"""The revision (pending edit) page (issue 16): every changed field under its human label
(never a machine name), licences and organizations by their titles, the state in the
user's language, and — when the location changed — a before/after map."""

from __future__ import annotations

import html
import json
import re

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

MOVED = {"type": "Point", "coordinates": [109.2041, 12.2719]}


def _published(world, name="revision-hotel"):
    record = world.create("member_a", "accommodation", name=name)
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    return world.call("curator", "khtourism_record_approve", id=record["id"])


def _page(app, world, record, prefix=""):
    response = app.get(
        f"{prefix}/khtourism/record/{record['name']}/revision",
        extra_environ={"REMOTE_USER": world.person("curator").name},
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "prefix, labels, before, after, state",
    [
        (
            "",
            {"spatial": "Vị trí", "license_id": "Giấy phép dữ liệu"},
            "Trước",
            "Sau",
            "Đang chờ duyệt",
        ),
        (
            "/en",
            {"spatial": "Location", "license_id": "Data licence"},
            "Before",
            "After",
            "Waiting for review",
        ),
    ],
)
def test_a_moved_record_shows_a_before_after_map_and_human_labels(
    app, world, prefix, labels, before, after, state
):
    record = _published(world)
    old_point = json.loads(record["spatial"])
    world.call(
        "member_a",
        "package_patch",
        id=record["id"],
        spatial=json.dumps(MOVED),
        license_id="odc-odbl",
    )
    raw = _page(app, world, record, prefix)
    body = html.unescape(raw)
    rows = dict(re.findall(r'<tr data-field="([^"]+)">\s*<th scope="row">([^<]+)</th>', body))
    assert {field: rows[field] for field in labels} == labels
    for field, label in rows.items():
        assert label.strip() != field, f"{field} is shown by its machine name"
    # coordinates as "lat, lon", the licence by its title
    assert "12.27190, 109.20410" in body
    assert f"{old_point['coordinates'][1]:.5f}, {old_point['coordinates'][0]:.5f}" in body
    assert "Open Data Commons Open Database License" in body
    assert f'<strong class="khtourism-revision-state">{state}</strong>' in body
    heading = re.search(r"<h1>(.*?)</h1>", body).group(1)
    assert heading.endswith(record["title_en"] if prefix == "/en" else record["title"])
    # the map: one feature per side, labelled in the page's language
    features = json.loads(
        html.unescape(
            re.search(r'data-mode="diff"[^>]*?data-features="([^"]+)"', raw, re.S).group(1)
        )
    )
    sides = {f["properties"]["side"]: f for f in features["features"]}
    assert set(sides) == {"before", "after"}
    assert sides["after"]["geometry"] == MOVED
    assert sides["before"]["geometry"]["coordinates"] == old_point["coordinates"]
    assert (sides["before"]["properties"]["label"], sides["after"]["properties"]["label"]) == (
        before,
        after,
    )


def test_no_map_when_the_location_did_not_change(app, world):
    record = _published(world, "revision-phone")
    world.call("member_a", "package_patch", id=record["id"], phone="0999 999 999")
    body = _page(app, world, record)
    assert 'data-field="phone"' in body
    assert 'data-mode="diff"' not in body
