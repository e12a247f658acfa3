"""The client registry: sysadmins manage client systems; OAuth 2.0 client credentials
issue short-lived bearer tokens; scopes, quotas and usage counts (clients/registry.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.khtourism.clients.model import client_table, token_table

from .conftest import TOKEN_URL, basic, bearer, get_token, register

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

LIST = "/api/tourism/v1/accommodations"


def _as(world, role: str) -> dict:
    return {"user": world.people[role].name, "ignore_auth": False}


def test_only_sysadmins_manage_clients_and_the_secret_is_stored_hashed(app, world):
    client = register(world)
    assert client["client_id"].startswith("khc-")
    assert client["client_secret"].startswith("khts_")
    assert client["scopes"] == ["read:public", "webhooks"]
    assert client["status"] == "active"
    stored = model.Session.execute(
        sa.select(client_table.c.secret_hash).where(client_table.c.id == client["client_id"])
    ).scalar()
    assert stored.startswith("scrypt$") and client["client_secret"] not in stored
    for role in ("curator", "member_a"):
        for action, data in (
            ("khtourism_client_create", {"name": "x", "owner": "x", "contact": "x"}),
            ("khtourism_client_update", {"client_id": client["client_id"], "status": "suspended"}),
            ("khtourism_client_rotate_secret", {"client_id": client["client_id"]}),
            ("khtourism_client_revoke", {"client_id": client["client_id"]}),
        ):
            with pytest.raises(tk.NotAuthorized):
                call_action(action, _as(world, role), **data)
    # the owner (the curator here) sees the client; another user does not; no secret shown
    shown = call_action(
        "khtourism_client_show", _as(world, "curator"), client_id=client["client_id"]
    )
    assert shown["name"] == "LGSP Khánh Hòa" and "client_secret" not in shown
    with pytest.raises(tk.NotAuthorized):
        call_action("khtourism_client_show", _as(world, "member_a"), client_id=client["client_id"])
    assert [
        c["client_id"] for c in call_action("khtourism_client_list", _as(world, "member_a"))
    ] == []
    assert len(call_action("khtourism_client_list", _as(world, "sysadmin"))) == 1


def test_bad_registration_names_the_field(app, world):
    with pytest.raises(tk.ValidationError) as error:
        register(world, scopes="read:everything")
    assert "scopes" in error.value.error_dict
    assert "read:everything" in error.value.error_dict["scopes"][0]
    with pytest.raises(tk.ValidationError) as error:
        register(world, owner="nobody-here")
    assert "owner" in error.value.error_dict
    with pytest.raises(tk.ValidationError) as error:
        register(world, quota_per_minute="0")
    assert "quota_per_minute" in error.value.error_dict


def test_token_issue_with_basic_or_body_credentials(api, world):
    client = register(world)
    response = api.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "read:public webhooks"
    assert body["access_token"].startswith("khtc_")
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    # stored as a hash only
    stored = model.Session.execute(sa.select(token_table.c.token_hash)).scalars().all()
    assert body["access_token"] not in stored and len(stored) == 1
    # client_secret_post (RFC 6749 §2.3.1), with a narrower scope
    response = api.post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
            "scope": "read:public",
        },
    )
    assert response.status_code == 200 and response.json["scope"] == "read:public"
    listed = api.get(LIST, headers=bearer(response.json["access_token"]))
    assert listed.status_code == 200, listed.get_data(as_text=True)


def test_wrong_secret_unknown_client_and_bad_grant(api, world):
    client = register(world)
    wrong = api.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=basic(client["client_id"], client["client_secret"] + "x"),
    )
    assert wrong.status_code == 401
    assert wrong.json["error"] == "invalid_client"
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")
    unknown = api.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, headers=basic("khc-nope", "x")
    )
    assert unknown.status_code == 401
    grant = api.post(
        TOKEN_URL,
        data={"grant_type": "password"},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert grant.status_code == 400 and grant.json["error"] == "unsupported_grant_type"
    scope = api.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "scope": "read:protected"},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert scope.status_code == 400 and scope.json["error"] == "invalid_scope"
    assert "read:protected" in scope.json["error_description"]


def test_an_expired_token_is_refused(api, world):
    token = get_token(api, register(world))
    assert api.get(LIST, headers=bearer(token)).status_code == 200
    model.Session.execute(
        token_table.update().values(expires_at=dt.datetime.utcnow() - dt.timedelta(seconds=1))
    )
    model.Session.commit()
    refused = api.get(LIST, headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "token_invalid"


@pytest.mark.ckan_config("ckanext.khtourism.clients.token_ttl", "120")
def test_the_token_lifetime_is_a_setting(api, world):
    client = register(world)
    response = api.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert response.json["expires_in"] == 120
    expires = model.Session.execute(sa.select(token_table.c.expires_at)).scalar()
    left = (expires - dt.datetime.utcnow()).total_seconds()
    assert 100 < left <= 120


def test_revocation_suspension_and_rotation(api, world):
    sysadmin = _as(world, "sysadmin")
    client = register(world)
    token = get_token(api, client)
    # suspended: tokens end, no new token
    call_action(
        "khtourism_client_update", sysadmin, client_id=client["client_id"], status="suspended"
    )
    assert api.get(LIST, headers=bearer(token)).status_code == 401
    again = api.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert again.status_code == 401
    call_action("khtourism_client_update", sysadmin, client_id=client["client_id"], status="active")
    token = get_token(api, client)
    # rotation: the old secret and the old tokens end; the new secret works
    rotated = call_action("khtourism_client_rotate_secret", sysadmin, client_id=client["client_id"])
    assert rotated["client_secret"] != client["client_secret"]
    assert api.get(LIST, headers=bearer(token)).status_code == 401
    old = api.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert old.status_code == 401
    token = get_token(api, {**client, "client_secret": rotated["client_secret"]})
    assert api.get(LIST, headers=bearer(token)).status_code == 200
    # revocation: for good
    revoked = call_action("khtourism_client_revoke", sysadmin, client_id=client["client_id"])
    assert revoked["status"] == "revoked"
    assert api.get(LIST, headers=bearer(token)).status_code == 401
    with pytest.raises(tk.ValidationError):
        call_action(
            "khtourism_client_update", sysadmin, client_id=client["client_id"], status="active"
        )


def test_a_missing_scope_is_a_403_naming_it(api, world):
    webhooks_only = register(world, name="webhooks only", scopes="webhooks")
    token = get_token(api, webhooks_only)
    refused = api.get(LIST, headers=bearer(token))
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "insufficient_scope"
    assert refused.json["error"]["parameter"] == "read:public"
    assert "read:public" in refused.json["error"]["message"]
    # the API's description needs no scope
    assert api.get("/api/tourism/v1/openapi.json", headers=bearer(token)).status_code == 200
    readers = register(world, name="readers", scopes="read:public")
    token = get_token(api, readers)
    refused = api.get("/api/tourism/v1/webhooks", headers=bearer(token))
    assert refused.status_code == 403 and refused.json["error"]["parameter"] == "webhooks"
    unpublished = api.get(LIST + "?include_unpublished=true", headers=bearer(token))
    assert unpublished.status_code == 403
    assert unpublished.json["error"]["parameter"] == "read:protected"


def test_the_quota_is_the_clients_own_with_retry_after(api, world):
    client = register(world, quota_per_minute="3", quota_per_day="100")
    token = get_token(api, client)
    codes = [api.get(LIST, headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429], codes
    refused = api.get(LIST, headers=bearer(token))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert refused.json["error"]["code"] == "rate_limited"
    # another client's quota is its own
    other = get_token(api, register(world, name="other", quota_per_minute="3"))
    assert api.get(LIST, headers=bearer(other)).status_code == 200


def test_the_day_quota(api, world):
    token = get_token(api, register(world, quota_per_minute="100", quota_per_day="2"))
    codes = [api.get(LIST, headers=bearer(token)).status_code for _ in range(3)]
    assert codes == [200, 200, 429], codes


def test_usage_per_day_and_endpoint_for_the_client_and_sysadmins(api, world):
    client = register(world)
    token = get_token(api, client)
    for path in (LIST, LIST, "/api/tourism/v1/changes", "/api/tourism/v1/webhooks"):
        assert api.get(path, headers=bearer(token)).status_code == 200
    own = api.get("/api/tourism/v1/client", headers=bearer(token))
    assert own.status_code == 200
    today = own.json["usage"][0]
    assert today["date"] == dt.datetime.utcnow().date().isoformat()
    assert today["endpoints"] == {
        "accommodations": 2,
        "changes": 1,
        "webhook_collection": 1,
        "client_show": 1,  # this request
    }
    assert "client_secret" not in own.json and "secret_hash" not in own.json
    shown = call_action(
        "khtourism_client_show", _as(world, "sysadmin"), client_id=client["client_id"]
    )
    assert shown["usage"][0]["endpoints"]["accommodations"] == 2
    assert shown["usage"][0]["requests"] == 5  # the /client request counts too


def test_user_api_tokens_behave_as_before(api, world):
    member = world.people["member_a"]
    response = api.get(LIST, headers=member.headers)
    assert response.status_code == 200
    response = api.get(LIST, headers={"Authorization": f"Bearer {member.token}"})
    assert response.status_code == 200
    bad = api.get(LIST, headers={"Authorization": "not-a-token"})
    assert bad.status_code == 401 and bad.json["error"]["code"] == "token_invalid"
    # a user's API token is no client token: the client endpoints say so
    refused = api.get("/api/tourism/v1/webhooks", headers=member.headers)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "client_token_required"


def test_openapi_declares_the_security_schemes(api):
    document = api.get("/api/tourism/v1/openapi.json").json
    schemes = document["components"]["securitySchemes"]
    flows = schemes["clientCredentials"]["flows"]["clientCredentials"]
    assert schemes["clientCredentials"]["type"] == "oauth2"
    assert flows["tokenUrl"].endswith("/api/tourism/v1/oauth/token")
    assert set(flows["scopes"]) == {"read:public", "read:protected", "webhooks"}
    assert schemes["bearerToken"]["type"] == "http"
    assert schemes["bearerToken"]["scheme"] == "bearer"
    assert {"clientCredentials": ["read:public"]} in document["security"]


def test_read_protected_reads_with_the_owners_rights_only(api, world):
    guide = world.create(
        "sysadmin", "tour-guide", "a", name="hdv-rieng-tu", workflow_state="published"
    )
    draft = world.create("member_a", "accommodation", name="ks-chua-cong-bo")
    path = f"/api/tourism/v1/tour-guides/{guide['name']}"
    # a curator's client with read:protected: the fields the law lets the curator see
    curators = get_token(api, register(world, name="curators", scopes="read:public read:protected"))
    seen = api.get(path, headers=bearer(curators))
    assert seen.status_code == 200
    assert seen.json["personal_phone"] == "0905 123 456"
    unpublished = api.get(LIST + "?include_unpublished=true", headers=bearer(curators))
    assert unpublished.status_code == 200
    assert draft["id"] in {item["id"] for item in unpublished.json["items"]}
    # without the scope: the public view
    public = get_token(api, register(world, name="public", scopes="read:public"))
    shown = api.get(path, headers=bearer(public))
    assert shown.status_code == 200 and "personal_phone" not in shown.json
    # a business member's client with read:protected: still not another business's guide
    member = get_token(
        api,
        register(
            world,
            name="member",
            owner=world.people["member_b"].name,
            scopes="read:public read:protected",
        ),
    )
    shown = api.get(path, headers=bearer(member))
    assert shown.status_code == 200 and "personal_phone" not in shown.json
