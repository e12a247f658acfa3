"""Data protection of guides' personal data: access log, export, erasure (docs/privacy.md)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from tests.record_fixtures import PRIVATE_GUIDE_FIELDS, PRIVATE_VALUES

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _published_guide(world, name="guide-pd"):
    guide = world.create("member_a", "tour-guide", name=name)
    world.call("member_a", "khtourism_record_submit", id=guide["id"])
    world.call("curator", "khtourism_record_approve", id=guide["id"])
    return guide


def _log_rows():
    return (
        model.Session.execute(
            sa.text(
                "SELECT user_name, package_id, access, via FROM khtourism_privacy_access "
                "ORDER BY id"
            )
        )
        .mappings()
        .all()
    )


def test_each_access_to_private_fields_is_logged_and_shown_to_sysadmins(app, world):
    guide = _published_guide(world)
    before = len(_log_rows())
    # a page and an API call by the business, an API call by the curator
    member_a, curator = world.person("member_a"), world.person("curator")
    assert app.get(f"/tour-guide/{guide['name']}", headers=member_a.headers).status_code == 200
    app.get("/api/3/action/package_show", params={"id": guide["id"]}, headers=curator.headers)
    # no access: anonymous and another business get no private field
    app.get(f"/tour-guide/{guide['name']}")
    app.get(
        "/api/3/action/package_show",
        params={"id": guide["id"]},
        headers=world.person("member_b").headers,
    )
    rows = _log_rows()[before:]
    assert [(r["user_name"], r["package_id"], r["access"]) for r in rows] == [
        (member_a.name, guide["id"], "show"),
        (curator.name, guide["id"], "show"),
    ]
    assert rows[0]["via"] == f"/tour-guide/{guide['name']}"
    assert rows[1]["via"] == "/api/3/action/package_show"
    # sysadmins read it; nobody else does
    log = world.call("sysadmin", "khtourism_privacy_access_log", id=guide["name"])
    assert [entry["user_name"] for entry in log[:2]] == [curator.name, member_a.name]
    assert log[0]["accessed_at"]
    for role in ("anonymous", "member_a", "curator"):
        with pytest.raises(tk.NotAuthorized):
            world.call(role, "khtourism_privacy_access_log")
    page = app.get("/ckan-admin/privacy-access", headers=world.person("sysadmin").headers)
    assert page.status_code == 200 and member_a.name in page.body
    assert app.get("/ckan-admin/privacy-access", headers=curator.headers).status_code in (403, 401)


def test_export_of_one_person_data_for_curators(world, cli):
    guide = _published_guide(world)
    world.call("member_a", "package_patch", id=guide["id"], experience_years="9")  # pending
    export = world.call("curator", "khtourism_personal_data_export", id=guide["name"])
    assert export["personal_data"] == {
        "date_of_birth": "1990-05-05",
        "id_number": "056090012345",
        "personal_phone": "0905 123 456",
        "personal_email": "thu.private@example.vn",
        "home_address": "12 Đường Bí Mật, Nha Trang",
    }
    assert export["public_registry_data"]["card_number"] == "156100001"
    assert export["pending_revisions"] and export["legal_basis"].startswith("Luật")
    assert "91/2025/QH15" in export["legal_basis"] and export["purpose"]["en"]
    assert any(row["access"] == "export" for row in _log_rows())
    for role in ("anonymous", "member_b", "member_a"):
        with pytest.raises(tk.NotAuthorized):
            world.call(role, "khtourism_personal_data_export", id=guide["id"])
    hotel = world.create("member_a", "accommodation")
    with pytest.raises(tk.ValidationError):
        world.call("curator", "khtourism_personal_data_export", id=hotel["id"])
    from ckanext.khtourism.cli import khtourism

    result = cli.invoke(khtourism, ["privacy", "export", guide["name"]])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["personal_data"]["id_number"] == "056090012345"


def test_erasure_blanks_every_copy_and_keeps_the_public_card(world, cli):
    guide = _published_guide(world)
    world.call("member_a", "package_patch", id=guide["id"], experience_years="9")  # pending
    # an activity written before activities were stripped (an older release)
    activity_id = model.Session.execute(
        sa.text("SELECT id FROM activity WHERE object_id = :id LIMIT 1"), {"id": guide["id"]}
    ).scalar()
    model.Session.execute(
        sa.text("UPDATE activity SET data = :data WHERE id = :id"),
        {
            "id": activity_id,
            "data": json.dumps({"package": {"id": guide["id"], "id_number": "056090012345"}}),
        },
    )
    model.Session.commit()
    for role in ("anonymous", "member_b", "member_a"):
        with pytest.raises(tk.NotAuthorized):
            world.call(role, "khtourism_personal_data_erase", id=guide["id"])
    result = world.call("curator", "khtourism_personal_data_erase", id=guide["id"])
    assert set(result["erased_fields"]) == set(PRIVATE_GUIDE_FIELDS)
    assert "card_number" in result["kept_by_law"]
    shown = world.call("sysadmin", "package_show", id=guide["id"])
    assert not set(PRIVATE_GUIDE_FIELDS) & set(shown)
    assert shown["card_number"] == "156100001" and shown["card_expiry_date"] == "2028-01-01"
    everything = []
    for table, column in (
        ("package_extra", "value"),
        ("activity", "data"),
        ("khtourism_pending_revision", "data"),
        ("khtourism_search_doc", "doc::text || data_dict"),
        ("harvest_object", "content"),
    ):
        everything += [
            str(v)
            for v in model.Session.execute(sa.text(f"SELECT {column} FROM {table}")).scalars()
        ]
    leaked = [
        (value, text[:300]) for value in PRIVATE_VALUES for text in everything if value in text
    ]
    assert not leaked
    assert any(row["access"] == "erase" for row in _log_rows())
    from ckanext.khtourism.cli import khtourism

    again = cli.invoke(khtourism, ["privacy", "erase", guide["name"], "--yes"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["erased_fields"] == []


def test_tourism_api_reads_of_personal_data_are_logged(app, world):
    guide = _published_guide(world, name="guide-api")
    curator = world.person("curator")
    before = len(_log_rows())
    for path in ("/api/tourism/v1/tour-guides", f"/api/tourism/v1/tour-guides/{guide['name']}"):
        response = app.get(path, headers=curator.headers)
        assert response.status_code == 200 and "056090012345" in response.get_data(as_text=True)
    app.get("/api/tourism/v1/tour-guides")  # anonymous: nothing shown, nothing logged
    rows = _log_rows()[before:]
    # the list reads the fields itself ("api"), the item through package_show ("show")
    assert [(r["user_name"], r["package_id"], r["access"], r["via"]) for r in rows] == [
        (curator.name, guide["id"], "api", "/api/tourism/v1/tour-guides"),
        (curator.name, guide["id"], "show", f"/api/tourism/v1/tour-guides/{guide['name']}"),
    ]
