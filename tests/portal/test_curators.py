"""Curators' screens: no false tag change in a revision, times in the portal's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.khtourism.portal.display import local_time
from tests.portal.portal_helpers import publish

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_a_form_edit_shows_no_false_tag_change(app, world):
    publish(world, "accommodation", name="tagged-hotel", tag_string="accommodation,lưu trú")
    form = {
        "name": "tagged-hotel",
        "title": "Tên mới",
        "owner_org": world.business_a["id"],
        "accommodation_type": "khach_san",
        "hotel_subtype": "city",
        "star_rating": "4",
        "admin_unit": "22366",
        "tag_string": "accommodation,lưu trú",
        # the form's hidden stage field: CKAN then also sends the tags as a list
        "_ckan_phase": "dataset_new_1",
        "save": "",
    }
    response = app.post(
        "/accommodation/edit/tagged-hotel",
        data=form,
        headers=world.people["member_a"].headers,
        follow_redirects=False,
    )
    assert response.status_code == 302
    revision = world.call("curator", "khtourism_revision_show", id="tagged-hotel")
    changed = {change["field"]: change for change in revision["changes"]}
    assert "title" in changed
    assert "tag_string" not in changed, changed.get("tag_string")
    page = app.get(
        "/khtourism/record/tagged-hotel/revision", headers=world.people["curator"].headers
    ).body
    assert "accommodation, accommodation" not in page
    # approving applies the tags once
    world.call("curator", "khtourism_record_approve", id="tagged-hotel")
    record = world.call("curator", "package_show", id="tagged-hotel")
    assert sorted(t["name"] for t in record["tags"]) == ["accommodation", "lưu trú"]


def test_times_are_shown_in_the_portals_zone():
    utc = dt.datetime(2026, 12, 4, 18, 30, tzinfo=dt.timezone.utc)
    assert local_time(utc) == "05/12/2026 01:30 (UTC+07:00)"
    assert local_time("2026-12-04T18:30:00") == "05/12/2026 01:30 (UTC+07:00)"  # naive: UTC
    assert local_time(None) == ""


def test_my_records_and_revision_pages_show_local_times(app, world):
    record = world.create("member_a", "accommodation", name="timed-hotel")
    body = app.get("/khtourism/my-records", headers=world.people["member_a"].headers).body
    assert local_time(record["metadata_modified"]) in body
    assert "(UTC+07:00)" in body
