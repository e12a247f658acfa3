"""The commune of a record found from its point (issue 13, records/communes.py): the
shipped centres of the 65 units of 2025 (nearest_centre, flagged), boundaries from a
configured GeoJSON file (polygon), never replacing a given commune; facets, filters and
the API find the records; ``ckan khtourism records assign-communes`` for existing ones."""

from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.khtourism.records import communes

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# Real places: the Nha Trang seafront, Cam Ranh town, a point in Hà Nội.
NHA_TRANG = (109.1953, 12.2654)
CAM_RANH = (109.162, 11.940)
HA_NOI = (105.8542, 21.0285)


def _point(lon: float, lat: float) -> str:
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


def _square(code: str, west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "properties": {"ma_xa": code, "ten": "test square"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.fixture
def people():
    sysadmin = factories.Sysadmin()
    member = factories.User()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "editor"}])
    return {"sysadmin": sysadmin, "member": member, "org": org}


def _create(people, role="member", **fields):
    data = {
        "type": "accommodation",
        "title": "Khách sạn Thử Xã",
        "accommodation_type": "khach_san",
        "owner_org": people["org"]["id"],
        **fields,
    }
    data.setdefault("name", f"ks-thu-xa-{abs(hash(json.dumps(fields, sort_keys=True))) % 10**6}")
    return helpers.call_action(
        "package_create", {"user": people[role]["name"], "ignore_auth": False}, **data
    )


def _publish(people, record):
    helpers.call_action(
        "package_patch",
        {"user": people["sysadmin"]["name"]},
        id=record["id"],
        workflow_state="published",
    )


def _update(people, record, **changes):
    data = {k: v for k, v in record.items() if k not in ("admin_unit_method",)}
    data.update(changes)
    return helpers.call_action(
        "package_update", {"user": people["member"]["name"], "ignore_auth": False}, **data
    )


def test_the_shipped_centres_cover_the_65_units():
    from ckanext.khtourism.records.geo import inside_province
    from ckanext.khtourism.records.vocabularies import admin_units

    centres = communes.centres()
    assert set(centres) == set(admin_units())
    assert all(inside_province(lon, lat) for lon, lat in centres.values())


def test_nearest_centre_inside_the_province_only():
    found = communes.nearest_centre(*NHA_TRANG)
    assert found is not None and found.code == "22366" and found.method == "nearest_centre"
    assert 1_000 < found.distance_m < 3_000  # the Nha Trang ward's centre, ~2.2 km south
    assert communes.nearest_centre(*CAM_RANH).code == "22420"
    assert communes.nearest_centre(*HA_NOI) is None


def test_a_record_without_a_commune_gets_it_from_its_point_flagged(people, app):
    record = _create(people, spatial=_point(*NHA_TRANG))
    assert record["admin_unit"] == "22366"
    assert record["admin_unit_method"] == "nearest_centre"
    # the public sees how it was found, on the record page and in the API
    _publish(people, record)
    page = app.get(f"/accommodation/{record['name']}")
    assert page.status_code == 200
    assert "trung tâm xã/phường gần nhất" in page.body
    item = app.get(f"/api/tourism/v1/accommodations/{record['name']}?lang=en").json
    assert item["admin_unit"] == "22366" and item["admin_unit_method"] == "nearest_centre"
    assert "nearest commune centre" in item["labels"]["admin_unit_method"]


def test_a_given_commune_is_never_replaced(people):
    record = _create(people, admin_unit="22333", spatial=_point(*NHA_TRANG))
    assert record["admin_unit"] == "22333" and not record.get("admin_unit_method")
    moved = _update(people, record, spatial=_point(*CAM_RANH))
    assert moved["admin_unit"] == "22333" and not moved.get("admin_unit_method")


def test_a_found_commune_follows_its_point_and_a_given_one_clears_the_flag(people):
    record = _create(people, spatial=_point(*NHA_TRANG))
    # a form save (the form does not carry the method) keeps it while nothing changed
    same = _update(people, record, phone="0258 3800 001")
    assert (same["admin_unit"], same["admin_unit_method"]) == ("22366", "nearest_centre")
    moved = _update(people, same, spatial=_point(*CAM_RANH))
    assert (moved["admin_unit"], moved["admin_unit_method"]) == ("22420", "nearest_centre")
    given = _update(people, moved, admin_unit="22432")
    assert given["admin_unit"] == "22432" and not given.get("admin_unit_method")


def test_search_facets_and_filters_find_found_communes(people, app):
    record = _create(people, spatial=_point(*NHA_TRANG))
    _publish(people, record)
    found = helpers.call_action(
        "package_search",
        {"ignore_auth": True},
        fq="admin_unit:22366",
        include_private=True,
        **{"facet.field": json.dumps(["admin_unit"])},
    )
    assert [r["id"] for r in found["results"]] == [record["id"]]
    assert {i["name"]: i["count"] for i in found["search_facets"]["admin_unit"]["items"]} == {
        "22366": 1
    }
    listed = app.get("/api/tourism/v1/accommodations?admin_unit=22366").json
    assert [item["id"] for item in listed["items"]] == [record["id"]]


@pytest.fixture
def boundary_file(tmp_path, ckan_config, monkeypatch):
    """A test-made boundary file: two squares, around the Nha Trang point (22333, against
    the nearest centre's 22366) and around Cam Ranh (22420)."""
    path = tmp_path / "communes.geojson"
    document = {
        "type": "FeatureCollection",
        "features": [
            _square("22333", 109.18, 12.25, 109.21, 12.28),
            _square("22420", 109.14, 11.90, 109.18, 11.96),
        ],
    }
    path.write_text(json.dumps(document), "utf-8")
    monkeypatch.setitem(ckan_config, communes.GEOMETRY_FILE_SETTING, str(path))
    return path


def test_boundaries_from_the_configured_file_win_over_centres(people, boundary_file):
    inside = _create(people, spatial=_point(*NHA_TRANG))
    assert (inside["admin_unit"], inside["admin_unit_method"]) == ("22333", "polygon")
    # a point no boundary of the file contains: the nearest centre, flagged
    elsewhere = _create(people, name="ks-cam-lam", spatial=_point(109.147, 12.0843))
    assert (elsewhere["admin_unit"], elsewhere["admin_unit_method"]) == ("22453", "nearest_centre")


def test_a_broken_boundary_file_never_fails_a_save(people, boundary_file):
    boundary_file.write_text('{"type": "FeatureCollection", "features": [{"properties": {}}]}')
    with pytest.raises(communes.GeometryFileError, match="feature #1"):
        communes.assign(*NHA_TRANG)
    record = _create(people, spatial=_point(*NHA_TRANG))
    assert (record["admin_unit"], record["admin_unit_method"]) == ("22366", "nearest_centre")


def test_assign_communes_command_for_existing_records(people, cli):
    with_point = _create(people, name="ks-cu-co-diem", spatial=_point(*CAM_RANH))
    no_point = _create(people, name="ks-cu-khong-diem")
    # records saved before communes were found from points: no commune, no method
    for key in ("admin_unit", "admin_unit_method"):
        model.Session.query(model.PackageExtra).filter_by(
            package_id=with_point["id"], key=key
        ).delete()
    model.Session.commit()
    assert communes.records_without_commune() == [with_point["id"]]
    dry = cli.invoke(ckan, ["khtourism", "records", "assign-communes", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "ks-cu-co-diem: 22420 (nearest_centre)" in dry.output
    assert communes.records_without_commune() == [with_point["id"]]
    result = cli.invoke(ckan, ["khtourism", "records", "assign-communes"])
    assert result.exit_code == 0, result.output
    assert "1 records without a commune" in result.output
    shown = helpers.call_action("package_show", {"ignore_auth": True}, id=with_point["id"])
    assert (shown["admin_unit"], shown["admin_unit_method"]) == ("22420", "nearest_centre")
    assert communes.records_without_commune() == []
    untouched = helpers.call_action("package_show", {"ignore_auth": True}, id=no_point["id"])
    assert not untouched.get("admin_unit")


def test_recheck_estimates_once_boundaries_are_configured(
    people, cli, tmp_path, ckan_config, monkeypatch
):
    estimated = _create(people, name="ks-uoc-tinh", spatial=_point(*NHA_TRANG))
    given = _create(people, name="ks-da-co-xa", admin_unit="22390", spatial=_point(*NHA_TRANG))
    assert estimated["admin_unit_method"] == "nearest_centre"
    path = tmp_path / "communes.geojson"
    document = {
        "type": "FeatureCollection",
        "features": [_square("22333", 109.18, 12.25, 109.21, 12.28)],
    }
    path.write_text(json.dumps(document), "utf-8")
    monkeypatch.setitem(ckan_config, communes.GEOMETRY_FILE_SETTING, str(path))
    plain = cli.invoke(ckan, ["khtourism", "records", "assign-communes"])
    assert plain.exit_code == 0 and "0 records without a commune" in plain.output, plain.output
    result = cli.invoke(ckan, ["khtourism", "records", "assign-communes", "--recheck-estimates"])
    assert result.exit_code == 0, result.output
    assert "ks-uoc-tinh: 22333 (polygon)" in result.output
    shown = helpers.call_action("package_show", {"ignore_auth": True}, id=estimated["id"])
    assert (shown["admin_unit"], shown["admin_unit_method"]) == ("22333", "polygon")
    kept = helpers.call_action("package_show", {"ignore_auth": True}, id=given["id"])
    assert (kept["admin_unit"], kept["admin_unit_method"]) == ("22390", "")
