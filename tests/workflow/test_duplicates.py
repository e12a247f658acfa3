"""Establishment identifiers, possible duplicates, merge and "not a duplicate" (issue 13):
through the action API (HTTP, each role's token) and the curators' page."""

from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ROLES = ("anonymous", "member_a", "member_b", "curator", "sysadmin")
POINT_A = json.dumps({"type": "Point", "coordinates": [109.1960, 12.2400]})
POINT_A_NEAR = json.dumps({"type": "Point", "coordinates": [109.1963, 12.2401]})


def _post(app, world, role, action, data):
    person = world.person(role)
    headers = person.headers if person else {}
    response = app.post(f"/api/3/action/{action}", json=data, headers=headers)
    return response.status_code, response.json


def _published(world, name, **fields):
    record = world.create("member_a", "accommodation", name=name, **fields)
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    return world.call("curator", "khtourism_record_approve", id=record["id"])


def test_every_place_record_gets_a_stable_identifier_independent_of_the_enterprise_code(world):
    first = world.create("member_a", "accommodation", name="ks-a", enterprise_code="4209876543")
    second = world.create("member_a", "accommodation", name="ks-b", enterprise_code="4209876543")
    homestay = world.create("member_a", "accommodation", name="homestay-khong-ma")
    ids = [record["establishment_id"] for record in (first, second, homestay)]
    assert all(i.startswith("KH-LT-") for i in ids) and len(set(ids)) == 3
    # not editable: an update that sends another identifier keeps the minted one
    changed = world.call(
        "member_a", "package_patch", id=first["id"], establishment_id="KH-LT-999999", rooms="50"
    )
    assert changed["establishment_id"] == ids[0]
    guide = world.create("member_a", "tour-guide", name="hdv")
    assert "establishment_id" not in guide  # guides are persons, not establishments
    # searchable by the identifier
    found = helpers.call_action(
        "package_search", {"ignore_auth": True}, q=ids[1], include_private=True
    )
    assert [r["id"] for r in found["results"]] == [second["id"]]


def test_official_identifiers_are_validated(world):
    import ckan.plugins.toolkit as tk

    record = world.create(
        "member_a",
        "accommodation",
        name="ks-ids",
        enterprise_code="4209876543001",
        tax_code="4209876543",
        household_business_number="37a8012345",
        register_number="123/QĐ-SVHTTDL",
    )
    assert record["enterprise_code"] == "4209876543-001"
    assert record["household_business_number"] == "37A8012345"
    with pytest.raises(tk.ValidationError) as raised:
        world.create("member_a", "accommodation", name="ks-bad", tax_code="12345")
    assert "tax_code" in raised.value.error_dict


# operation -> expected outcome per role, in ROLES order
MATRIX = {
    "khtourism_duplicate_list": (False, False, False, True, True),
    "khtourism_not_duplicate": (False, False, False, True, True),
    "khtourism_record_merge": (False, False, False, True, True),
}


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_authorization_matrix(app, world, action, role_index):
    role = ROLES[role_index]
    one = _published(world, "ks-mot", title="Khách sạn Một", spatial=POINT_A)
    two = _published(world, "ks-mot-2", title="Khách sạn Một", spatial=POINT_A_NEAR)
    data = {} if action == "khtourism_duplicate_list" else {"id": one["id"], "other_id": two["id"]}
    status, body = _post(app, world, role, action, data)
    allowed = MATRIX[action][role_index]
    assert (status == 200) is allowed, (role, action, status, body)
    if not allowed:
        assert status == 403


def test_duplicates_view_merge_and_not_a_duplicate_through_the_api(world):
    from ckanext.khtourism.changelog.changes import read_changes

    older = _published(
        world, "ks-hoang-hon", title="Khách sạn Hoàng Hôn", spatial=POINT_A, phone="0258 3811 001"
    )
    newer = _published(
        world,
        "ks-hoang-hon-2",
        title="Khách sạn Hoàng Hôn",
        spatial=POINT_A_NEAR,
        enterprise_code="4209876543",
        register_number="LT-0999",
    )
    sister = _published(world, "ks-chi-em", title="Khách sạn Chị Em", enterprise_code="4209876543")
    pairs = world.call("curator", "khtourism_duplicate_list")["results"]
    by_pair = {frozenset((p["a"]["id"], p["b"]["id"])): p for p in pairs}
    same_name = by_pair[frozenset((older["id"], newer["id"]))]
    assert any("same name" in r for r in same_name["reasons"])
    assert same_name["a"]["establishment_id"] and same_name["b"]["establishment_id"]
    same_code = by_pair[frozenset((newer["id"], sister["id"]))]
    assert "same enterprise code 4209876543" in same_code["reasons"]

    # two hotels of one company: not a duplicate, remembered
    world.call("curator", "khtourism_not_duplicate", id=sister["id"], other_id=newer["id"])
    pairs = world.call("curator", "khtourism_duplicate_list")["results"]
    assert frozenset((newer["id"], sister["id"])) not in {
        frozenset((p["a"]["id"], p["b"]["id"])) for p in pairs
    }

    # merge: the older identifier is kept, the other record's empty fields fill gaps
    merged = world.call("curator", "khtourism_record_merge", id=newer["id"], other_id=older["id"])
    assert merged["kept"]["id"] == older["id"]
    assert merged["removed"]["id"] == newer["id"]
    kept = world.call("curator", "package_show", id=older["id"])
    assert kept["establishment_id"] == older["establishment_id"]
    assert kept["register_number"] == "LT-0999"  # filled from the removed record
    assert kept["enterprise_code"] == older["enterprise_code"]  # a differing value is kept
    assert model.Package.get(newer["id"]).state == "deleted"
    rows, _more = read_changes(
        after_seq=None, since=None, dataset_types=["accommodation"], limit=100
    )
    removal = [r for r in rows if r["id"] == newer["id"]][-1]
    assert removal["removal"] is True and removal["replaced_by"] == older["id"]
    activities = helpers.call_action("package_activity_list", {"ignore_auth": True}, id=older["id"])
    assert any(
        (a.get("data") or {}).get("workflow", {}).get("transition") == "merge_kept"
        for a in activities
    )
    assert world.call("curator", "khtourism_duplicate_list")["results"] == []


def test_duplicates_page_merge_and_redirect(app, world):
    one = _published(world, "ks-trung", title="Khách sạn Trùng", spatial=POINT_A)
    two = _published(world, "ks-trung-2", title="Khách sạn Trùng", spatial=POINT_A_NEAR)
    curator = world.person("curator")
    member = world.person("member_a")
    assert app.get("/khtourism/duplicates", headers=member.headers).status_code == 403
    page = app.get("/khtourism/duplicates", headers=curator.headers)
    assert page.status_code == 200
    assert one["establishment_id"] in page.body and two["establishment_id"] in page.body
    # the record page shows its identifier
    record_page = app.get("/accommodation/ks-trung")
    assert one["establishment_id"] in record_page.body
    response = app.post(
        "/khtourism/duplicates/merge",
        data={"id": one["id"], "other_id": two["id"]},
        headers=curator.headers,
        follow_redirects=False,
    )
    assert response.status_code == 302, response.body
    assert model.Package.get(two["id"]).state == "deleted"
    moved = app.get("/accommodation/ks-trung-2", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/accommodation/ks-trung")


def test_not_a_duplicate_through_the_page(app, world):
    one = _published(world, "ks-x", title="Khách sạn X", spatial=POINT_A)
    two = _published(world, "ks-x-2", title="Khách sạn X", spatial=POINT_A_NEAR)
    curator = world.person("curator")
    response = app.post(
        "/khtourism/duplicates/not-duplicate",
        data={"id": one["id"], "other_id": two["id"]},
        headers=curator.headers,
        follow_redirects=False,
    )
    assert response.status_code == 302
    page = app.get("/khtourism/duplicates", headers=curator.headers)
    assert one["establishment_id"] not in page.body
