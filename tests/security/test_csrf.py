"""CSRF: every state-changing route of the extensions refuses a POST without a token.

The routes are enumerated from the Flask app's URL map (every blueprint a
plugin registers through IBlueprint), not listed by hand.
"""

from __future__ import annotations

import re

import pytest

import ckan.plugins as p

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _plugin_blueprint_names() -> set[str]:
    names = set()
    for plugin in p.PluginImplementations(p.IBlueprint):
        blueprints = plugin.get_blueprint()
        for blueprint in blueprints if isinstance(blueprints, list) else [blueprints]:
            names.add(blueprint.name)
    return names


def _state_changing_rules(flask_app) -> list:
    ours = _plugin_blueprint_names()
    return [
        rule
        for rule in flask_app.url_map.iter_rules()
        if rule.endpoint.split(".", 1)[0] in ours and STATE_CHANGING & set(rule.methods or ())
    ]


def _csrf_token(body: str) -> str:
    match = re.search(r'name="_csrf_token"\s+value="([^"]+)"', body)
    assert match, "the page's form carries no CSRF token"
    return match.group(1)


def test_every_extension_post_route_refuses_a_request_without_token(app, world):
    record = world.create("member_a", "accommodation", name="csrf-target")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    sysadmin = {"REMOTE_USER": world.people["sysadmin"].name}
    rules = _state_changing_rules(app.flask_app)
    endpoints = {rule.endpoint for rule in rules}
    # the workflow buttons are among them (the enumeration found our blueprints)
    assert {
        "khtourism_workflow.submit",
        "khtourism_workflow.approve",
        "khtourism_workflow.reject",
    } <= endpoints
    refused = {}
    for rule in rules:
        url = re.sub(r"<[^>]+>", "csrf-target", rule.rule)
        for method in STATE_CHANGING & set(rule.methods):
            response = app.test_client().open(
                url,
                method=method,
                data={"reason": "x"},
                environ_overrides=sysadmin,
                follow_redirects=False,
            )
            refused[(rule.endpoint, method)] = response.status_code
    assert all(code == 400 for code in refused.values()), refused
    # nothing happened: the record still waits for review
    assert world.call("curator", "package_show", id=record["id"])["workflow_state"] == "submitted"


def test_the_workflow_buttons_work_with_the_token_of_their_form(app, world):
    record = world.create("member_a", "accommodation", name="csrf-form")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    curator = {"REMOTE_USER": world.people["curator"].name}
    client = app.test_client()
    page = client.get("/accommodation/csrf-form", environ_overrides=curator)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'action="/khtourism/record/csrf-form/approve"' in body
    response = client.post(
        "/khtourism/record/csrf-form/approve",
        data={"_csrf_token": _csrf_token(body)},
        environ_overrides=curator,
        follow_redirects=False,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert world.call("curator", "package_show", id=record["id"])["workflow_state"] == "published"


def test_api_token_callers_stay_exempt_as_in_ckan(app, world):
    """An API token in the header is not a browser session: no CSRF token needed."""
    record = world.create("member_a", "accommodation", name="csrf-api")
    response = app.post(
        "/khtourism/record/csrf-api/submit",
        headers=world.people["member_a"].headers,
        follow_redirects=False,
    )
    assert response.status_code == 302
    response = app.post(
        "/api/3/action/khtourism_record_approve",
        json={"id": record["id"]},
        headers=world.people["curator"].headers,
    )
    assert response.status_code == 200


@pytest.mark.ckan_config("ckan.csrf_protection.ignore_extensions", "true")
def test_the_doctor_reports_a_configuration_without_csrf_on_extensions():
    from ckanext.khtourism import doctor

    findings = doctor.check_configuration()
    assert any(
        f.status == doctor.ERROR and "ckan.csrf_protection.ignore_extensions" in f.message
        for f in findings
    ), findings


def test_the_portal_configuration_protects_the_extensions():
    import ckan.plugins.toolkit as tk

    assert tk.config.get("ckan.csrf_protection.ignore_extensions") is False
