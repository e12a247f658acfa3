"""A published record changes only through review (issue 14): every action that can change a
dataset, tried on business A's published record by each role through the HTTP action API.

The outcome of an attempt is whether it changed the public record *now* (or, for the few
actions whose effect a pending revision would hide from the curator, whether it was
accepted at all). An edit by the owning business is still possible: ``package_update`` /
``package_patch`` / ``package_revise`` become pending revisions (tests/workflow/
test_workflow.py); everything else is the curators'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from tests.record_fixtures import Person

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ROLES = ("anonymous", "member_b", "member_a", "admin_a", "curator", "sysadmin")
Y, N = True, False


@dataclass
class Target:
    record: dict[str, Any]
    draft: dict[str, Any]

    @property
    def id(self) -> str:
        return self.record["id"]


def _admin_of_a(world) -> Person:
    user = factories.User()
    helpers.call_action(
        "organization_member_create",
        {"user": world.person("sysadmin").name},
        id=world.business_a["id"],
        username=user["name"],
        role="admin",
    )
    return Person(
        name=user["name"], id=user["id"], token=factories.APIToken(user=user["name"])["token"]
    )


def _published(world, counter: int) -> Target:
    record = world.create(
        "member_a",
        "accommodation",
        name=f"ks-cong-bo-{counter}",
        resources=[
            {"name": "Ảnh mặt tiền", "url": "https://example.vn/1.jpg"},
            {"name": "Giấy phép", "url": "https://example.vn/2.pdf"},
        ],
    )
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    draft = world.create("member_a", "accommodation", name=f"ks-nhap-{counter}")
    return Target(record=_show(record["id"]), draft=draft)


def _show(package_id: str) -> dict[str, Any]:
    return helpers.call_action("package_show", id=package_id)


def _post(app, world, role, action, data):
    person = world.person(role)
    headers = person.headers if person else {}
    response = app.post(f"/api/3/action/{action}", json=data, headers=headers)
    return response.status_code, response.json


def _pending_data(package_id: str) -> dict[str, Any] | None:
    from ckanext.khtourism.workflow.model import PendingRevision

    revision = PendingRevision.pending_for(package_id)
    return revision.proposed["data_dict"] if revision is not None else None


def _state(package_id: str) -> tuple[str, bool, str] | None:
    pkg = model.Session.query(model.Package).filter_by(id=package_id).first()
    model.Session.refresh(pkg) if pkg is not None else None
    return (pkg.state, pkg.private, pkg.owner_org) if pkg is not None else None


def _resources(package_id: str) -> list[tuple[str, str]]:
    return [(r["id"], r.get("name") or "") for r in _show(package_id)["resources"]]


def _attempt(app, world, role, operation, target: Target) -> bool:
    """Run ``operation`` as ``role`` on the target; True when it changed the record."""
    pid = target.id
    before_resources = _resources(pid)
    first, second = (r[0] for r in before_resources)
    if operation == "package_delete":
        _post(app, world, role, "package_delete", {"id": pid})
        return _state(pid)[0] == "deleted"
    if operation == "package_patch state=deleted":
        status, _ = _post(app, world, role, "package_patch", {"id": pid, "state": "deleted"})
        pending = _pending_data(pid) or {}
        return _state(pid)[0] == "deleted" or pending.get("state") == "deleted"
    if operation == "package_patch private=true":
        _post(app, world, role, "package_patch", {"id": pid, "private": True})
        pending = _pending_data(pid) or {}
        return _state(pid)[1] is True or pending.get("private") in (True, "True", "true")
    if operation == "package_resource_reorder":
        status, _ = _post(
            app, world, role, "package_resource_reorder", {"id": pid, "order": [second, first]}
        )
        return status == 200
    if operation == "resource_create":
        _post(app, world, role, "resource_create", {"package_id": pid, "url": "https://x.vn/3"})
        return len(_resources(pid)) == 3
    if operation == "resource_update":
        _post(
            app,
            world,
            role,
            "resource_update",
            {"id": first, "name": "Đổi tên", "url": "https://example.vn/1.jpg"},
        )
        return dict(_resources(pid))[first] == "Đổi tên"
    if operation == "resource_patch":
        _post(app, world, role, "resource_patch", {"id": first, "name": "Đổi tên"})
        return dict(_resources(pid))[first] == "Đổi tên"
    if operation == "resource_delete":
        _post(app, world, role, "resource_delete", {"id": first})
        return len(_resources(pid)) == 1
    if operation == "package_owner_org_update":
        _post(
            app,
            world,
            role,
            "package_owner_org_update",
            {"id": pid, "organization_id": world.business_b["id"]},
        )
        return _state(pid)[2] == world.business_b["id"]
    if operation == "package_relationship_create":
        status, _ = _post(
            app,
            world,
            role,
            "package_relationship_create",
            {"subject": pid, "object": target.draft["id"], "type": "links_to"},
        )
        return status == 200
    if operation == "package_collaborator_create":
        status, _ = _post(
            app,
            world,
            role,
            "package_collaborator_create",
            {"id": pid, "user_id": world.person("member_b").name, "capacity": "editor"},
        )
        return status == 200
    if operation == "dataset_purge":
        _post(app, world, role, "dataset_purge", {"id": pid})
        return _state(pid) is None
    if operation == "bulk_update_delete":
        _post(
            app,
            world,
            role,
            "bulk_update_delete",
            {"datasets": [pid], "org_id": world.business_a["id"]},
        )
        return _state(pid)[0] == "deleted"
    if operation == "bulk_update_private":
        _post(
            app,
            world,
            role,
            "bulk_update_private",
            {"datasets": [pid], "org_id": world.business_a["id"]},
        )
        return _state(pid)[1] is True
    if operation == "package_revise":
        _post(
            app,
            world,
            role,
            "package_revise",
            {"match": {"id": pid}, "update": {"title_en": "Revised"}},
        )
        return _show(pid).get("title_en") == "Revised"
    raise AssertionError(operation)


# operation -> changed the published record, per role:
# anonymous, member_b (another business), member_a (editor of A), admin_a, curator, sysadmin
MATRIX = {
    "package_delete": (N, N, N, N, Y, Y),
    "package_patch state=deleted": (N, N, N, N, Y, Y),
    "package_patch private=true": (N, N, N, N, None, None),  # curators: not asked here
    "package_resource_reorder": (N, N, N, N, Y, Y),
    "resource_create": (N, N, N, N, Y, Y),
    "resource_update": (N, N, N, N, Y, Y),
    "resource_patch": (N, N, N, N, Y, Y),
    "resource_delete": (N, N, N, N, Y, Y),
    "package_owner_org_update": (N, N, N, N, N, Y),  # sysadmins only (CKAN)
    "package_relationship_create": (N, N, N, N, Y, Y),
    "package_collaborator_create": (N, N, N, N, N, N),  # collaborators are off (CKAN default)
    "dataset_purge": (N, N, N, N, N, Y),  # sysadmins only (CKAN)
    # an organization admin's page action: published records are not the business's to
    # delete (curators are not admins of businesses' organizations; they delete one by one)
    "bulk_update_delete": (N, N, N, N, N, Y),
    "bulk_update_private": (N, N, N, N, N, N),  # visibility follows the workflow
    "package_revise": (N, N, N, N, Y, Y),  # the business's revision waits for review
}


def test_published_record_changes_by_role(app, world):
    world.people["admin_a"] = _admin_of_a(world)
    counter = 0
    target = None
    wrong = {}
    for operation, expected in MATRIX.items():
        for index, role in enumerate(ROLES):
            if target is None:
                counter += 1
                target = _published(world, counter)
            changed = _attempt(app, world, role, operation, target)
            if expected[index] is not None and changed != expected[index]:
                wrong[(operation, role)] = changed
            if changed or expected[index] is None:
                target = None  # used up: the next attempt gets a fresh record
    assert not wrong, wrong


def test_a_proposal_never_deletes_the_record_nor_hides_it(app, world):
    """What the curator's diff does not show (state, visibility) a proposal cannot change:
    a state change is refused with the field named; the visibility stays the record's."""
    target = _published(world, 1)
    status, body = _post(
        app, world, "member_a", "package_patch", {"id": target.id, "state": "deleted"}
    )
    assert status == 409, body
    assert "state" in body["error"]
    status, body = _post(
        app,
        world,
        "member_a",
        "package_patch",
        {"id": target.id, "private": True, "rooms": "99"},
    )
    assert status == 200, body
    pending = _pending_data(target.id)
    assert pending["rooms"] == "99" and pending["private"] is False
    world.call("curator", "khtourism_record_approve", id=target.id)
    public = helpers.call_action("package_show", {"user": "", "ignore_auth": False}, id=target.id)
    assert public["rooms"] == "99" and public["private"] is False
