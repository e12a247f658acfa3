"""``ckan khtourism demo load``: organizations, users with random passwords, records in every state."""

from __future__ import annotations

import json
import stat

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.khtourism.core.record_types import PLACE_TYPES, RECORD_TYPES
from ckanext.khtourism.workflow.model import PendingRevision

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_demo_load_creates_a_working_demo(cli, tmp_path, app):
    from ckan.cli.cli import ckan

    credentials = tmp_path / "demo-users.json"
    result = cli.invoke(ckan, ["khtourism", "demo", "load", "--credentials-file", str(credentials)])
    assert result.exit_code == 0, (
        result.output,
        getattr(result.exception, "error_dict", result.exception),
    )

    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    users = {u["username"]: u for u in json.loads(credentials.read_text())["users"]}
    assert set(users) == {"curator", "business"}
    assert users["curator"]["password"] != users["business"]["password"]
    assert len(users["curator"]["password"]) >= 12

    active = model.Session.query(model.Package).filter(model.Package.state == "active").all()
    # besides the records: the registry dataset of the demo visitor statistics (issue 18)
    assert {p.name for p in active if p.type not in RECORD_TYPES} == {"visitor-statistics"}
    records = [p for p in active if p.type in RECORD_TYPES]
    by_type: dict[str, int] = {}
    for pkg in records:
        by_type[pkg.type] = by_type.get(pkg.type, 0) + 1
    assert by_type["heritage-site"] == 7
    assert sum(by_type.values()) >= 24
    assert set(by_type) == set(RECORD_TYPES)  # every declared type has demo records
    states = {dict(p.extras).get("workflow_state") for p in records}
    assert {"draft", "submitted", "published", "rejected"} <= states

    ponagar = helpers.call_action("package_show", context={"user": ""}, id="po-nagar-cham-towers")
    assert ponagar["title"] == "Tháp Bà Ponagar"
    assert ponagar["ranking"] == "quoc_gia_dac_biet"
    assert ponagar["ranking_decision_number"] == "152/QĐ-TTg"
    assert ponagar["ranking_decision_date"] == "2025-01-17"
    assert json.loads(ponagar["spatial"])["coordinates"] == [109.1953, 12.2654]
    assert "gần đúng" in ponagar["notes"] and "approximate" in ponagar["notes_en"]

    # one company with two hotels, homestays without an enterprise code: one record each,
    # each with its own establishment identifier
    hotels = [
        helpers.call_action("package_show", context={"user": "curator"}, id=name)
        for name in ("demo-khach-san-bien-xanh", "demo-resort-bai-dai")
    ]
    assert {h["enterprise_code"] for h in hotels} == {"4201234567"}
    homestay = helpers.call_action(
        "package_show", context={"user": ""}, id="demo-homestay-tay-ninh-hoa"
    )
    assert not homestay.get("enterprise_code") and not homestay.get("household_business_number")
    identifiers = {dict(p.extras).get("establishment_id") for p in records if p.type in PLACE_TYPES}
    assert None not in identifiers
    assert len(identifiers) == sum(1 for p in records if p.type in PLACE_TYPES)

    queue = helpers.call_action("khtourism_review_queue", context={"user": "curator"})
    assert queue["submitted"] and queue["pending_revisions"]

    # every record ends in the state, and under the owner, its data declares
    from ckanext.khtourism.records import demo

    declared = [
        *demo.heritage_records(),
        *(r for t in demo.NEW_RECORD_TYPES for r in demo.new_type_records(t)),
        *demo.ACCOMMODATIONS,
        *demo.TOUR_OPERATORS,
        *demo.GUIDES,
    ]
    curator_org = tk.config.get("ckanext.khtourism.curator_organization")
    for record in declared:
        pkg = model.Package.get(record.name)
        assert pkg is not None, record.name
        assert dict(pkg.extras).get("workflow_state") == record.state, record.name
        owner = model.Group.get(pkg.owner_org).name
        expected = curator_org if record.owner == demo.CURATOR_ORGANIZATION else record.owner
        assert owner == expected, record.name
    changed = [r for r in declared if r.proposed_change]
    assert changed and all(
        PendingRevision.pending_for(model.Package.get(r.name).id) is not None for r in changed
    )

    # the curator and the business can log in with the written passwords
    for name in ("curator", "business"):
        assert model.User.get(name).validate_password(users[name]["password"])

    # a second run keeps what exists and the same passwords
    again = cli.invoke(ckan, ["khtourism", "demo", "load", "--credentials-file", str(credentials)])
    assert again.exit_code == 0, again.output
    assert (
        json.loads(credentials.read_text())["users"][0]["password"] == users["curator"]["password"]
    )
    assert model.Session.query(model.Package).filter(
        model.Package.state == "active"
    ).count() == len(active)  # nothing new (the statistics dataset is updated, not added)
