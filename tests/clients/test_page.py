"""The client-registry page (/ckan-admin/clients): sysadmins manage, owners read."""

from __future__ import annotations

import pytest

from .conftest import register

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PAGE = "/ckan-admin/clients"


def test_sysadmins_register_and_manage_clients_on_the_page(app, world):
    sysadmin = world.people["sysadmin"].headers
    page = app.get(PAGE, headers=sysadmin)
    assert page.status_code == 200 and 'id="client-create"' in page.body
    created = app.post(
        PAGE,
        data={
            "operation": "create",
            "name": "Nền tảng quốc gia",
            "owner": world.people["curator"].name,
            "contact": "api@example.vn",
            "scopes": ["read:public", "webhooks"],
            "quota_per_minute": "30",
        },
        headers=sysadmin,
    )
    assert created.status_code == 200, created.body[:500]
    assert 'id="client-secret"' in created.body and "khts_" in created.body
    assert "Nền tảng quốc gia" in created.body and "30/min" in created.body
    # the secret is shown once: not on the next view
    again = app.get(PAGE, headers=sysadmin)
    assert "khts_" not in again.body and "Nền tảng quốc gia" in again.body
    bad = app.post(
        PAGE,
        data={"operation": "create", "name": "", "owner": "x", "contact": "y"},
        headers=sysadmin,
    )
    assert bad.status_code == 400 and "name" in bad.body
    # the problem names the field by its label (walked: "contact: Thiếu giá trị")
    no_contact = app.post(
        PAGE,
        data={"operation": "create", "name": "ung-dung", "owner": "x", "contact": ""},
        headers=sysadmin,
    )
    assert no_contact.status_code == 400
    assert '<li data-field="contact">Liên hệ: ' in no_contact.body


def test_actions_on_the_page_and_who_may_use_it(app, world):
    client = register(world)
    sysadmin = world.people["sysadmin"].headers
    suspended = app.post(
        PAGE, data={"operation": "suspend", "client_id": client["client_id"]}, headers=sysadmin
    )
    assert suspended.status_code == 200 and "suspended" in suspended.body
    rotated = app.post(
        PAGE, data={"operation": "rotate", "client_id": client["client_id"]}, headers=sysadmin
    )
    assert rotated.status_code == 200 and 'id="client-secret"' in rotated.body
    # the owner sees the client, read-only; others see nothing of it; nobody else acts
    owner = app.get(PAGE, headers=world.people["curator"].headers)
    assert owner.status_code == 200 and client["client_id"] in owner.body
    assert 'id="client-create"' not in owner.body and "Rotate" not in owner.body
    other = app.get(PAGE, headers=world.people["member_a"].headers)
    assert other.status_code == 200 and client["client_id"] not in other.body
    refused = app.post(
        PAGE,
        data={"operation": "revoke", "client_id": client["client_id"]},
        headers=world.people["curator"].headers,
    )
    assert refused.status_code == 403
    assert app.get(PAGE).status_code == 403
