"""Fixtures of the client-registry tests: a registered client and its token."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from ckan.tests.helpers import call_action

from tests.record_fixtures import world  # noqa: F401  (the organizations and people)

TOKEN_URL = "/api/tourism/v1/oauth/token"


@pytest.fixture
def api(app):
    """CKAN's test app (rate-limit counters emptied: ``tests/conftest.py``) with the
    registered clients' quotas and usage counters emptied."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    for pattern in ("khtourism-client-quota:*", "khtourism-client-usage:*"):
        for key in redis.scan_iter(pattern):
            redis.delete(key)
    return app


def register(people: Any, **fields: Any) -> dict[str, Any]:
    data = {
        "name": "LGSP Khánh Hòa",
        "owner": people.people["curator"].name,
        "contact": "lgsp@khanhhoa.gov.vn",
        "scopes": "read:public webhooks",
        **fields,
    }
    return call_action(
        "khtourism_client_create",
        {"user": people.people["sysadmin"].name, "ignore_auth": False},
        **data,
    )


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def get_token(app: Any, client: dict[str, Any], **form: str) -> str:
    response = app.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", **form},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
