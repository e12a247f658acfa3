"""The curation workflow through the real action API: states, pending revisions, activity."""

from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from tests.record_fixtures import valid

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _search(world, role: str, **params):
    return world.call(role, "package_search", include_private=True, **params)


def _names(result) -> set[str]:
    return {r["name"] for r in result["results"]}


def test_new_record_is_a_private_draft_of_its_business(world):
    record = world.create("member_a", "accommodation", name="draft-hotel")
    assert record["workflow_state"] == "draft"
    assert record["private"] is True
    assert "draft-hotel" not in _names(_search(world, "anonymous", q="*:*"))
    assert "draft-hotel" in _names(_search(world, "member_a", q="*:*"))
    assert "draft-hotel" not in _names(_search(world, "member_b", q="*:*"))
    # curators see every business's private records (permission label)
    assert "draft-hotel" in _names(_search(world, "curator", q="*:*"))


def test_submit_approve_publishes_the_record(world):
    record = world.create("member_a", "accommodation", name="to-publish")
    submitted = world.call("member_a", "khtourism_record_submit", id=record["id"])
    assert submitted["workflow_state"] == "submitted"
    assert submitted["private"] is True
    queue = world.call("curator", "khtourism_review_queue")
    assert [r["name"] for r in queue["submitted"]] == ["to-publish"]

    published = world.call("curator", "khtourism_record_approve", id=record["id"])
    assert published["workflow_state"] == "published"
    assert published["private"] is False
    assert world.call("curator", "khtourism_review_queue")["submitted"] == []
    shown = world.call("anonymous", "package_show", id="to-publish")
    assert shown["workflow_state"] == "published"
    assert "to-publish" in _names(_search(world, "anonymous", q="*:*"))


def test_reject_sends_the_record_back_with_the_reason(world):
    record = world.create("member_a", "tour-operator", name="to-reject")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    with pytest.raises(tk.ValidationError) as caught:
        world.call("curator", "khtourism_record_reject", id=record["id"], reason="  ")
    assert "reason" in caught.value.error_dict

    rejected = world.call(
        "curator", "khtourism_record_reject", id=record["id"], reason="Thiếu số giấy phép"
    )
    assert rejected["workflow_state"] == "rejected"
    assert rejected["workflow_reason"] == "Thiếu số giấy phép"
    assert rejected["private"] is True
    mine = {r["name"]: r for r in world.call("member_a", "khtourism_business_records")}
    assert mine["to-reject"]["workflow_state"] == "rejected"
    assert mine["to-reject"]["workflow_reason"] == "Thiếu số giấy phép"
    # the business fixes it and submits again
    world.call("member_a", "package_patch", id=record["id"], office_address="Nha Trang")
    again = world.call("member_a", "khtourism_record_submit", id=record["id"])
    assert again["workflow_state"] == "submitted"


def test_transitions_outside_the_graph_are_refused(world):
    record = world.create("member_a", "accommodation", name="graph")
    with pytest.raises(tk.ValidationError) as caught:
        world.call("curator", "khtourism_record_approve", id=record["id"])
    assert "workflow_state" in caught.value.error_dict
    with pytest.raises(tk.ValidationError):
        world.call("curator", "khtourism_record_reject", id=record["id"], reason="x")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    with pytest.raises(tk.ValidationError):
        world.call("member_a", "khtourism_record_submit", id=record["id"])


def test_business_cannot_set_workflow_fields_directly(world):
    record = world.create("member_a", "accommodation", name="sneaky")
    for fields in (
        {"workflow_state": "published"},
        {"private": False},
        {"workflow_reason": "approved by me"},
    ):
        try:
            world.call("member_a", "package_patch", id=record["id"], **fields)
        except tk.ValidationError as error:
            assert set(error.error_dict) & {"workflow_state", "workflow_reason"}, error.error_dict
        shown = world.call("member_a", "package_show", id=record["id"])
        assert shown["workflow_state"] == "draft"
        assert shown["private"] is True
        assert shown.get("workflow_reason", "") == ""
    with pytest.raises(tk.ValidationError) as caught:
        world.create("member_a", "accommodation", name="born-published", workflow_state="published")
    assert "workflow_state" in caught.value.error_dict
    assert model.Package.get("born-published") is None


def _published(world, name: str = "published-hotel", **fields):
    record = world.create("member_a", "accommodation", name=name, **fields)
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    return world.call("curator", "khtourism_record_approve", id=record["id"])


def test_edit_of_a_published_record_becomes_a_pending_revision(world):
    record = _published(world)
    edited = dict(world.call("member_a", "package_show", id=record["id"]))
    edited.update(
        {
            "title": "Khách sạn Đổi Tên",
            "rooms": "150",
            "star_rating": "5",
            "enterprise_code": "4201234567001",
        }
    )
    result = world.call("member_a", "package_update", **edited)
    assert result["khtourism_pending_revision"]["state"] == "pending"
    assert result["title"] == record["title"]  # the approved version is returned

    # the public keeps seeing the approved version, in the API and in search
    public = world.call("anonymous", "package_show", id=record["id"])
    assert (public["title"], public["rooms"], public["star_rating"]) == (
        record["title"],
        "120",
        "4",
    )
    found = _search(world, "anonymous", q="name:published-hotel")["results"][0]
    assert found["title"] == record["title"]

    # the curator sees a field-by-field diff, in stored form (normalised values)
    revision = world.call("curator", "khtourism_revision_show", id=record["id"])
    changes = {c["field"]: c for c in revision["changes"]}
    assert set(changes) == {"title", "rooms", "star_rating", "enterprise_code"}
    assert (changes["rooms"]["old"], changes["rooms"]["new"]) == ("120", "150")
    assert changes["enterprise_code"]["new"] == "4201234567-001"
    assert changes["title"]["label"] == "Tên (tiếng Việt)"
    queue = world.call("curator", "khtourism_review_queue")
    assert [r["name"] for r in queue["pending_revisions"]] == ["published-hotel"]

    approved = world.call("curator", "khtourism_record_approve", id=record["id"])
    assert approved["title"] == "Khách sạn Đổi Tên"
    assert approved["rooms"] == "150"
    assert approved["workflow_state"] == "published"
    assert approved["private"] is False
    assert world.call("curator", "khtourism_review_queue")["pending_revisions"] == []
    found = _search(world, "anonymous", q="name:published-hotel")["results"][0]
    assert found["title"] == "Khách sạn Đổi Tên"


def test_invalid_edit_of_a_published_record_is_refused_and_not_stored(world):
    record = _published(world)
    with pytest.raises(tk.ValidationError) as caught:
        world.call("member_a", "package_patch", id=record["id"], rooms="-1")
    assert "rooms" in caught.value.error_dict
    with pytest.raises(tk.ObjectNotFound):
        world.call("curator", "khtourism_revision_show", id=record["id"])


def test_rejected_revision_keeps_the_published_version_and_the_reason(world):
    record = _published(world)
    world.call("member_a", "package_patch", id=record["id"], phone="0999 999 999")
    world.call("curator", "khtourism_record_reject", id=record["id"], reason="Số điện thoại sai")
    shown = world.call("anonymous", "package_show", id=record["id"])
    assert shown["phone"] == "0258 3800 000"
    assert shown["workflow_state"] == "published"
    mine = {r["name"]: r for r in world.call("member_a", "khtourism_business_records")}
    assert mine["published-hotel"]["pending_revision"] is None
    assert mine["published-hotel"]["last_revision"]["state"] == "rejected"
    assert mine["published-hotel"]["last_revision"]["reason"] == "Số điện thoại sai"


def test_a_newer_proposal_supersedes_the_pending_one(world):
    record = _published(world)
    world.call("member_a", "package_patch", id=record["id"], rooms="130")
    world.call("member_a", "package_patch", id=record["id"], rooms="140")
    revision = world.call("curator", "khtourism_revision_show", id=record["id"])
    assert [(c["field"], c["new"]) for c in revision["changes"]] == [("rooms", "140")]
    world.call("curator", "khtourism_record_approve", id=record["id"])
    assert world.call("anonymous", "package_show", id=record["id"])["rooms"] == "140"


def test_curator_edits_of_a_published_record_apply_directly(world):
    record = _published(world)
    updated = world.call("curator", "package_patch", id=record["id"], rooms="121")
    assert updated["rooms"] == "121"
    assert "khtourism_pending_revision" not in updated


def test_every_transition_is_in_the_activity_stream_with_who(world):
    record = world.create("member_a", "accommodation", name="audited")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_reject", id=record["id"], reason="Thiếu ảnh")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    world.call("member_a", "package_patch", id=record["id"], rooms="99")
    world.call("curator", "khtourism_record_approve", id=record["id"])

    activities = world.call(
        "curator",
        "package_activity_list",
        id=record["id"],
        activity_types=["khtourism workflow package"],
    )
    steps = [
        (a["data"]["workflow"]["transition"], a["user_id"], a["data"]["workflow"]["reason"])
        for a in reversed(activities)
    ]
    a_id, curator_id = world.people["member_a"].id, world.people["curator"].id
    assert steps == [
        ("submit", a_id, ""),
        ("reject", curator_id, "Thiếu ảnh"),
        ("submit", a_id, ""),
        ("approve", curator_id, ""),
        ("propose_revision", a_id, ""),
        ("approve_revision", curator_id, ""),
    ]
    assert all(a["timestamp"] for a in activities)


def test_business_dashboard_lists_only_its_records(world):
    world.create("member_a", "accommodation", name="a-hotel")
    world.create("member_b", "accommodation", owner="b", name="b-hotel")
    assert [r["name"] for r in world.call("member_a", "khtourism_business_records")] == ["a-hotel"]
    assert [r["name"] for r in world.call("member_b", "khtourism_business_records")] == ["b-hotel"]


def test_a_reused_context_cannot_carry_a_published_state_into_a_new_record(world):
    from ckan.tests import helpers

    record = _published(world, name="published-first")
    context = {"user": world.people["member_a"].name}
    helpers.call_action("package_show", context=context, id=record["id"])
    helpers.call_action("package_patch", context=context, id=record["id"], rooms="122")
    created = helpers.call_action(
        "package_create",
        context=context,
        **valid("accommodation", name="created-after", owner_org=world.business_a["id"]),
    )
    assert created["workflow_state"] == "draft"
    assert created["private"] is True


def test_activity_page_and_header_links(app, world):
    record = world.create("member_a", "accommodation", name="activity-page")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_reject", id=record["id"], reason="Thiếu ảnh mặt tiền")
    page = app.get("/dataset/activity/activity-page", headers=world.people["member_a"].headers)
    assert page.status_code == 200
    assert "khtourism-reject" in page.body and "Thiếu ảnh mặt tiền" in page.body
    assert "khtourism-submit" in page.body
    home = app.get("/", headers=world.people["curator"].headers).body
    assert "/khtourism/my-records" in home and "/khtourism/review" in home
    home = app.get("/", headers=world.people["member_a"].headers).body
    assert "/khtourism/my-records" in home and "/khtourism/review" not in home


def test_bulk_visibility_switches_cannot_publish_records(world):
    import ckan.plugins.toolkit as tk

    record = world.create("member_a", "accommodation", name="bulk-draft")
    for role in ("member_a", "curator", "sysadmin"):
        with pytest.raises(tk.NotAuthorized):
            world.call(
                role, "bulk_update_public", datasets=[record["id"]], org_id=world.business_a["id"]
            )
    shown = world.call("member_a", "package_show", id=record["id"])
    assert shown["private"] is True and shown["workflow_state"] == "draft"
