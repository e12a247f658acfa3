"""The header's badge of new dashboard activities (``dashboard_new_activities_count``,
re-implemented in logic/action/activity.py to count without loading the activities) gives
the number CKAN's own counting gives: the user's dashboard activities that are not the
user's own and came after the dashboard was last viewed, within the permission labels."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ROLES = ("sysadmin", "curator", "member_a", "member_b")


def _upstream_count(world, role: str, **data: Any) -> int:
    """CKAN's way: the dashboard's activities loaded and dictized, the new ones counted."""
    activities = world.call(role, "dashboard_activity_list", **data)
    return len([activity for activity in activities if activity["is_new"]])


def _counts(world) -> dict[str, tuple[int, int]]:
    return {
        role: (world.call(role, "dashboard_new_activities_count"), _upstream_count(world, role))
        for role in ROLES
    }


def test_the_badge_counts_what_ckan_counts(world):
    for role in ROLES:  # every dashboard viewed: nothing new
        world.call(role, "dashboard_mark_activities_old")
    assert {role: pair[0] for role, pair in _counts(world).items()} == dict.fromkeys(ROLES, 0)

    record = world.create("member_a", "tour-guide", name="hdv-huy-hieu")
    for role in ("curator", "sysadmin"):
        world.call(role, "follow_dataset", id=record["id"])
    # another business follows the author: her private record's activities are in its
    # dashboard query, and the permission labels keep them out
    world.call("member_b", "follow_user", id=world.person("member_a").name)
    for years in ("3", "4"):
        world.call("member_a", "package_patch", id=record["id"], experience_years=years)
    public = world.create("member_b", "tour-guide", owner="b", name="hdv-cong-khai")
    world.call("sysadmin", "follow_user", id=world.person("member_b").name)

    counts = _counts(world)
    for role, (ours, ckan) in counts.items():
        assert ours == ckan, (role, ours, ckan)
    # the record's own author sees none of her own; the sysadmin sees the two edits and
    # the followed user's record; another business does not see a private record's
    assert counts["member_a"][0] == 0
    assert counts["sysadmin"][0] >= 3
    assert counts["member_b"][0] == 0

    # the limit of the dashboard list applies as upstream: only the latest are counted
    with_limit = world.call("sysadmin", "dashboard_new_activities_count", limit=1)
    assert with_limit == _upstream_count(world, "sysadmin", limit=1) == 1

    world.call("sysadmin", "dashboard_mark_activities_old")
    assert world.call("sysadmin", "dashboard_new_activities_count") == 0
    assert _upstream_count(world, "sysadmin") == 0
    assert public["id"]


def test_a_user_who_follows_nothing_counts_as_upstream(world):
    """The short path (nothing followed): her own activities and those about her account
    (CKAN records a change of an account as its owner's, even one made by a sysadmin)."""
    for role in ROLES:
        world.call(role, "dashboard_mark_activities_old")
    world.create("member_a", "tour-guide", name="hdv-khong-theo-doi")
    world.call("sysadmin", "user_patch", id=world.person("member_a").id, fullname="Người Đổi Tên")
    about = world.call("sysadmin", "user_activity_list", id=world.person("member_a").id)
    assert {a["activity_type"] for a in about} >= {"changed user", "new package"}, about
    for role in ("member_a", "curator", "member_b"):
        assert world.call(role, "dashboard_new_activities_count") == _upstream_count(world, role)
        assert world.call(role, "dashboard_new_activities_count") == 0
    # once she follows the sysadmin, his changes are new to her (the long path)
    world.call("member_a", "follow_user", id=world.person("sysadmin").name)
    world.call("sysadmin", "user_patch", id=world.person("sysadmin").id, fullname="Quản Trị")
    assert world.call("member_a", "dashboard_new_activities_count") == 1
    assert _upstream_count(world, "member_a") == 1


@pytest.mark.ckan_config("ckan.activity_list_limit", "2")
def test_the_badge_counts_within_the_configured_limit(world):
    world.call("sysadmin", "dashboard_mark_activities_old")
    record = world.create("member_a", "tour-guide", name="hdv-gioi-han")
    world.call("sysadmin", "follow_dataset", id=record["id"])
    for years in ("3", "4", "5"):
        world.call("member_a", "package_patch", id=record["id"], experience_years=years)
    assert world.call("sysadmin", "dashboard_new_activities_count") == 2
    assert _upstream_count(world, "sysadmin") == 2


def test_the_header_shows_the_count(app, world):
    sysadmin = world.person("sysadmin")
    world.call("sysadmin", "dashboard_mark_activities_old")
    record = world.create("member_a", "tour-guide", name="hdv-tren-dau-trang")
    world.call("sysadmin", "follow_dataset", id=record["id"])
    world.call("member_a", "package_patch", id=record["id"], experience_years="9")
    expected = _upstream_count(world, "sysadmin")
    assert expected >= 1
    body = app.get("/dataset/", headers=sysadmin.headers).body
    badge = re.search(
        r'<li class="notifications[^"]*">.*?<span class="badge">(\d+)</span>', body, re.S
    )
    assert badge, body[:2000]
    assert int(badge.group(1)) == expected
    assert (
        helpers.call_action("dashboard_new_activities_count", {"user": sysadmin.name}) == expected
    )
