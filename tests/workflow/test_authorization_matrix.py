"""Who may do what: (anonymous, member of business A, member of business B,
curator, sysadmin) × (create, edit own, edit other's, submit, approve, reject,
view draft, view pending revision, view private guide fields), through the
HTTP action API with each role's API token, and through the pages.

The target records belong to business A ("own" for A's member, "other's" for
B's member; curators and sysadmins may edit any record).
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ROLES = ("anonymous", "member_a", "member_b", "curator", "sysadmin")
Y, N = True, False

# operation -> expected outcome per role, in ROLES order
MATRIX = {
    "create": (N, Y, N, N, Y),  # a record owned by business A
    "edit A's record": (N, Y, N, Y, Y),
    "edit B's record": (N, N, Y, Y, Y),
    "submit": (N, Y, N, Y, Y),
    "approve": (N, N, N, Y, Y),
    "reject": (N, N, N, Y, Y),
    "view draft": (N, Y, N, Y, Y),
    "view pending revision": (N, Y, N, Y, Y),
    "view private guide fields": (N, Y, N, Y, Y),
    "create heritage site": (N, N, N, Y, Y),  # in the curator organization / the Department
    "review queue": (N, N, N, Y, Y),
}


def _post(app, world, role, action, data):
    person = world.person(role)
    headers = person.headers if person else {}
    response = app.post(f"/api/3/action/{action}", json=data, headers=headers)
    return response.status_code, response.json


class Scene:
    """Fresh records of business A (and one of B) in the states the operations need."""

    def __init__(self, world):
        self.draft = world.create("member_a", "accommodation", name="a-draft")
        self.draft_b = world.create("member_b", "accommodation", owner="b", name="b-draft")
        self.submitted = {}
        for index in range(2):
            record = world.create("member_a", "accommodation", name=f"a-submitted-{index}")
            world.call("member_a", "khtourism_record_submit", id=record["id"])
            self.submitted[index] = record
        published = world.create("member_a", "accommodation", name="a-published")
        world.call("member_a", "khtourism_record_submit", id=published["id"])
        world.call("curator", "khtourism_record_approve", id=published["id"])
        world.call("member_a", "package_patch", id=published["id"], rooms="121")
        self.published = published
        guide = world.create("member_a", "tour-guide", name="a-guide")
        world.call("member_a", "khtourism_record_submit", id=guide["id"])
        world.call("curator", "khtourism_record_approve", id=guide["id"])
        self.guide = guide


def _attempt(app, world, scene, operation, role, index):
    """Run one operation as ``role``; True when it was allowed (and did it)."""
    if operation == "create":
        data = dict(
            json.loads(json.dumps(_valid("accommodation"))),
            name=f"new-{role}",
            owner_org=world.business_a["id"],
        )
        status, body = _post(app, world, role, "package_create", data)
        return status == 200 and body["result"]["workflow_state"] == "draft"
    if operation == "create heritage site":
        data = dict(
            _valid("heritage-site"), name=f"heritage-{role}", owner_org=world.curator_org["id"]
        )
        status, _ = _post(app, world, role, "package_create", data)
        return status == 200
    if operation in ("edit A's record", "edit B's record"):
        target = scene.draft if operation == "edit A's record" else scene.draft_b
        status, body = _post(
            app, world, role, "package_patch", {"id": target["id"], "title_en": f"edited by {role}"}
        )
        return status == 200 and body["result"]["title_en"] == f"edited by {role}"
    if operation == "submit":
        status, _ = _post(app, world, role, "khtourism_record_submit", {"id": scene.draft["id"]})
        if status == 200:  # put it back for the next role
            world.call("curator", "khtourism_record_reject", id=scene.draft["id"], reason="again")
        return status == 200
    if operation == "approve":
        target = scene.submitted[0]
        status, _ = _post(app, world, role, "khtourism_record_approve", {"id": target["id"]})
        if status == 200:  # back to "submitted" (curators may set the state directly)
            world.call("curator", "package_patch", id=target["id"], workflow_state="submitted")
        return status == 200
    if operation == "reject":
        target = scene.submitted[1]
        status, _ = _post(
            app,
            world,
            role,
            "khtourism_record_reject",
            {"id": target["id"], "reason": "Thiếu giấy phép"},
        )
        if status == 200:
            world.call("member_a", "khtourism_record_submit", id=target["id"])
        return status == 200
    if operation == "view draft":
        status, _ = _post(app, world, role, "package_show", {"id": scene.draft["id"]})
        return status == 200
    if operation == "view pending revision":
        status, body = _post(
            app, world, role, "khtourism_revision_show", {"id": scene.published["id"]}
        )
        return status == 200 and body["result"]["changes"][0]["field"] == "rooms"
    if operation == "view private guide fields":
        status, body = _post(app, world, role, "package_show", {"id": scene.guide["id"]})
        assert status == 200  # the guide record itself is public
        return "id_number" in body["result"]
    if operation == "review queue":
        status, _ = _post(app, world, role, "khtourism_review_queue", {})
        return status == 200
    raise AssertionError(operation)


def _valid(record_type):
    from tests.record_fixtures import valid

    return valid(record_type)


def test_authorization_matrix_through_the_action_api(app, world):
    scene = Scene(world)
    outcomes = {}
    for operation in MATRIX:
        for index, role in enumerate(ROLES):
            outcomes[(operation, role)] = _attempt(app, world, scene, operation, role, index)
    wrong = {
        key: allowed
        for key, allowed in outcomes.items()
        if allowed != MATRIX[key[0]][ROLES.index(key[1])]
    }
    assert not wrong, wrong


PAGE_MATRIX = {
    # page -> allowed per role (anonymous, member_a, member_b, curator, sysadmin)
    "draft record page": (N, Y, N, Y, Y),
    "edit page of A's draft": (N, Y, N, Y, Y),
    "revision diff page": (N, Y, N, Y, Y),
    "review queue page": (N, N, N, Y, Y),
    "private guide fields on the record page": (N, Y, N, Y, Y),
    "submit button": (N, Y, N, Y, Y),
    "approve button": (N, N, N, Y, Y),
}


def _page(app, world, role, url):
    person = world.person(role)
    headers = person.headers if person else {}
    return app.get(url, headers=headers, follow_redirects=False)


def test_authorization_matrix_through_the_pages(app, world):
    scene = Scene(world)
    draft_url = f"/accommodation/{scene.draft['name']}"
    wrong = {}
    for index, role in enumerate(ROLES):
        seen = {}
        response = _page(app, world, role, draft_url)
        seen["draft record page"] = response.status_code == 200
        seen["submit button"] = (
            response.status_code == 200
            and f"/khtourism/record/{scene.draft['name']}/submit" in response.body
        )
        response = _page(app, world, role, f"/accommodation/edit/{scene.draft['name']}")
        seen["edit page of A's draft"] = response.status_code == 200
        response = _page(app, world, role, f"/khtourism/record/{scene.published['name']}/revision")
        seen["revision diff page"] = (
            response.status_code == 200 and 'data-field="rooms"' in response.body
        )
        response = _page(app, world, role, "/khtourism/review")
        seen["review queue page"] = response.status_code == 200 and "a-submitted-0" in response.body
        seen["approve button"] = (
            response.status_code == 200
            and "/khtourism/record/a-submitted-0/approve"
            in _page(app, world, role, "/accommodation/a-submitted-0").body
        )
        response = _page(app, world, role, f"/tour-guide/{scene.guide['name']}")
        assert response.status_code == 200
        seen["private guide fields on the record page"] = "056090012345" in response.body
        for page, allowed in seen.items():
            if allowed != PAGE_MATRIX[page][index]:
                wrong[(page, role)] = allowed
    assert not wrong, wrong


def test_curator_queue_and_transitions_through_the_pages(app, world):
    record = world.create("member_a", "accommodation", name="via-pages")
    member = world.people["member_a"].headers
    curator = world.people["curator"].headers
    response = app.post(
        "/khtourism/record/via-pages/submit", headers=member, follow_redirects=False
    )
    assert response.status_code == 302
    assert world.call("curator", "package_show", id=record["id"])["workflow_state"] == "submitted"
    queue = app.get("/khtourism/review", headers=curator)
    assert 'data-record="via-pages"' in queue.body
    # the type as a reader names it, not its machine name (found by the browser walk)
    assert "<td>Cơ sở lưu trú</td>" in queue.body and "<td>accommodation</td>" not in queue.body
    response = app.post(
        "/khtourism/record/via-pages/reject",
        data={"reason": "Ảnh mờ"},
        headers=curator,
        follow_redirects=False,
    )
    assert response.status_code == 302
    shown = world.call("member_a", "package_show", id=record["id"])
    assert (shown["workflow_state"], shown["workflow_reason"]) == ("rejected", "Ảnh mờ")
    dashboard = app.get("/khtourism/my-records", headers=member)
    assert 'data-record="via-pages"' in dashboard.body and "Ảnh mờ" in dashboard.body
    response = app.post(
        "/khtourism/record/via-pages/approve", headers=member, follow_redirects=False
    )
    assert response.status_code == 403
