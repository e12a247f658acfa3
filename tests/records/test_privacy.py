"""A tour guide's personal data: stored, shown only to curators, sysadmins and the
guide's own organization; never in search results, the search index (which
feeds exports and DCAT catalogues), the activity stream or logs."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

import ckan.model as model

from tests.record_fixtures import PRIVATE_GUIDE_FIELDS, PRIVATE_VALUES

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _published_guide(world, name="private-guide"):
    guide = world.create("member_a", "tour-guide", name=name)
    world.call("member_a", "khtourism_record_submit", id=guide["id"])
    world.call("curator", "khtourism_record_approve", id=guide["id"])
    return guide


def _leaks(text: str) -> list[str]:
    """The private values found in ``text``, also JSON-escaped (once or nested)."""
    found = []
    for value in PRIVATE_VALUES:
        escaped = json.dumps(value)[1:-1]
        if value in text or escaped in text or json.dumps(escaped)[1:-1] in text:
            found.append(value)
    return found


def test_private_fields_are_shown_only_to_entitled_readers(app, world):
    guide = _published_guide(world)
    for role, entitled in (
        ("anonymous", False),
        ("member_b", False),
        ("member_a", True),
        ("curator", True),
        ("sysadmin", True),
    ):
        person = world.person(role)
        response = app.get(
            "/api/3/action/package_show",
            params={"id": guide["id"]},
            headers=person.headers if person else {},
        )
        assert response.status_code == 200, role
        shown = response.json["result"]
        assert shown["card_number"] == "156100001"  # public guide data stays public
        if entitled:
            assert {f: shown[f] for f in PRIVATE_GUIDE_FIELDS} == {
                "date_of_birth": "1990-05-05",
                "id_number": "056090012345",
                "personal_phone": "0905 123 456",
                "personal_email": "thu.private@example.vn",
                "home_address": "12 Đường Bí Mật, Nha Trang",
            }, role
        else:
            assert not set(PRIVATE_GUIDE_FIELDS) & set(shown), role
            assert not _leaks(json.dumps(shown, ensure_ascii=False)), role


def test_private_fields_never_reach_search_results_or_the_index(world):
    guide = _published_guide(world)
    for role in ("anonymous", "member_b", "member_a", "curator", "sysadmin"):
        result = world.call(role, "package_search", q="*:*", include_private=True)
        assert guide["name"] in {r["name"] for r in result["results"]}, role
        assert not _leaks(json.dumps(result, ensure_ascii=False)), role
        for value in ("056090012345", "thu.private@example.vn"):
            assert world.call(role, "package_search", q=f'"{value}"')["count"] == 0, role
    rows = model.Session.execute(sa.text("SELECT * FROM khtourism_search_doc")).mappings().all()
    assert rows
    for row in rows:
        assert not _leaks(json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False))


def test_private_fields_never_enter_the_activity_stream(world):
    guide = _published_guide(world)
    world.call("member_a", "package_patch", id=guide["id"], experience_years="6")
    world.call("curator", "khtourism_record_approve", id=guide["id"])
    for role in ("member_a", "curator", "sysadmin"):
        activities = world.call(role, "package_activity_list", id=guide["id"])
        assert len(activities) >= 4
        for activity in activities:
            detail = world.call(role, "activity_show", id=activity["id"], include_data=True)
            assert not _leaks(json.dumps(detail, ensure_ascii=False)), (
                role,
                activity["activity_type"],
            )
    stored = model.Session.execute(sa.text("SELECT data FROM activity")).scalars().all()
    assert stored and not any(_leaks(str(data)) for data in stored)


def test_an_update_without_private_fields_keeps_them(world):
    guide = world.create("member_a", "tour-guide", name="kept-guide")
    # a dict from search results has no personal data; sending it back must not erase it
    public_copy = world.call(
        "member_a", "package_search", q="name:kept-guide", include_private=True
    )["results"][0]
    assert not set(PRIVATE_GUIDE_FIELDS) & set(public_copy)
    public_copy["experience_years"] = "7"
    world.call("member_a", "package_update", **public_copy)
    shown = world.call("member_a", "package_show", id=guide["id"])
    assert shown["experience_years"] == "7"
    assert shown["id_number"] == "056090012345"
    # an explicit empty value clears a field
    world.call("member_a", "package_patch", id=guide["id"], id_number="")
    assert "id_number" not in world.call("member_a", "package_show", id=guide["id"])


def test_personal_data_is_not_logged(world, caplog):
    # CKAN's loggers do not propagate to the root logger, and the ini's logging
    # setup disabled the module loggers created before it: listen to all of them
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("ckan", "ckanext")]
    loggers = [logging.getLogger(name) for name in ("ckan", "ckanext")]
    levels = [logger.level for logger in loggers]
    disabled = {name: logging.getLogger(name).disabled for name in names}
    for name in names:
        logging.getLogger(name).disabled = False
    for logger in loggers:
        logger.addHandler(caplog.handler)
        logger.setLevel(logging.DEBUG)
    try:
        guide = _published_guide(world, name="logged-guide")
        world.call("member_a", "package_patch", id=guide["id"], experience_years="8")
        world.call("curator", "khtourism_record_approve", id=guide["id"])
        world.call("anonymous", "package_show", id=guide["id"])
        world.call("member_a", "package_show", id=guide["id"])
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(caplog.handler)
            logger.setLevel(level)
        for name, was_disabled in disabled.items():
            logging.getLogger(name).disabled = was_disabled
    assert caplog.records
    assert not _leaks("\n".join(r.getMessage() for r in caplog.records))


def test_guide_page_shows_personal_data_to_its_organization_only(app, world):
    guide = _published_guide(world)
    for role, entitled in (
        ("anonymous", False),
        ("member_b", False),
        ("member_a", True),
        ("curator", True),
    ):
        person = world.person(role)
        body = app.get(
            f"/tour-guide/{guide['name']}", headers=person.headers if person else {}
        ).body
        assert ("056090012345" in body) is entitled, role
        if not entitled:
            assert not _leaks(body), role


def _published_guide_over_http(app, world, name="web-guide"):
    """The guide written through the action API by its business and the curator (issue 14:
    the writer is entitled to the private fields, so the indexed copy was built with them)."""
    from tests.record_fixtures import valid

    member_a, curator = world.person("member_a"), world.person("curator")
    data = valid("tour-guide", owner_org=world.business_a["id"], name=name)
    response = app.post("/api/3/action/package_create", json=data, headers=member_a.headers)
    assert response.status_code == 200, response.body
    guide = response.json["result"]
    for user, action, payload in (
        (member_a, "package_patch", {"id": guide["id"], "experience_years": "6"}),
        (member_a, "khtourism_record_submit", {"id": guide["id"]}),
        (curator, "khtourism_record_approve", {"id": guide["id"]}),
    ):
        response = app.post(f"/api/3/action/{action}", json=payload, headers=user.headers)
        assert response.status_code == 200, (action, response.body)
    return guide


@pytest.mark.parametrize("fl", ["*", "data_dict", "validated_data_dict", "data_dict,id"])
def test_search_stored_copies_hold_no_personal_data_after_web_writes(app, world, fl):
    guide = _published_guide_over_http(app, world)
    for role in ("anonymous", "member_b", "member_a", "curator"):
        person = world.person(role)
        response = app.get(
            "/api/3/action/package_search",
            params={"q": f"name:{guide['name']}", "fl": fl, "include_private": "true"},
            headers=person.headers if person else {},
        )
        assert response.status_code == 200, response.body
        assert response.json["result"]["count"] == 1
        assert not _leaks(response.body), (role, fl)
    rows = model.Session.execute(sa.text("SELECT * FROM khtourism_search_doc")).mappings().all()
    for row in rows:
        text = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
        assert not _leaks(text) and "date_of_birth" not in text
    # the owner still reads them (from the database)
    shown = world.call("member_a", "package_show", id=guide["id"])
    assert shown["id_number"] == "056090012345"
