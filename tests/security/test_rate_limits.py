"""Rate limits: the tourism API's quota is per user (not per token), a user holds
a bounded number of tokens, and CKAN's action API is limited too."""

from __future__ import annotations

import pytest

from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SEARCH = "/api/3/action/package_search"


@pytest.fixture
def fresh_limits(app):
    """CKAN's app; both limiters' counters are emptied by ``app`` (tests/conftest.py)."""
    return app


@pytest.mark.parametrize("run", ["first", "second"])
@pytest.mark.ckan_config("ckanext.khtourism.api.rate_limit.anonymous", "2/minute")
@pytest.mark.ckan_config("ckanext.khtourism.action_api.rate_limit.enabled", "true")
@pytest.mark.ckan_config("ckanext.khtourism.action_api.rate_limit.anonymous", "2/minute")
def test_every_test_starts_with_full_quotas(app, run):
    """Both runs use up the quotas; whichever runs second starts with them full again.
    (Counters outlived their test: a test after a run of API tests got 429s, CI 2026-12-05.)"""
    tourism = [app.get("/api/tourism/v1/accommodations").status_code for _ in range(3)]
    action = [app.get(SEARCH).status_code for _ in range(3)]
    assert (tourism, action) == ([200, 200, 429], [200, 200, 429])


@pytest.mark.ckan_config("ckanext.khtourism.api.rate_limit.token", "3/minute")
def test_tourism_api_quota_is_shared_by_all_tokens_of_a_user(fresh_limits, world):
    app = fresh_limits
    user = world.people["member_a"].name
    tokens = [factories.APIToken(user=user)["token"] for _ in range(4)]
    codes = [
        app.get("/api/tourism/v1/accommodations", headers={"Authorization": token}).status_code
        for token in tokens
    ]
    # three requests in the minute, whichever token carries them; the fourth is refused
    assert codes == [200, 200, 200, 429], codes
    # another user's quota is their own
    other = world.people["member_b"].headers
    assert app.get("/api/tourism/v1/accommodations", headers=other).status_code == 200


@pytest.mark.ckan_config("ckanext.khtourism.api.max_tokens_per_user", "3")
def test_a_user_holds_a_bounded_number_of_tokens(app, world):
    member = world.people["member_a"]  # already holds one token (the fixture's)
    codes = []
    for n in range(3):
        response = app.post(
            "/api/3/action/api_token_create",
            json={"user": member.name, "name": f"extra-{n}"},
            headers=member.headers,
        )
        codes.append(response.status_code)
    assert codes == [200, 200, 409], codes
    assert "3" in str(response.json["error"])


@pytest.mark.ckan_config("ckanext.khtourism.action_api.rate_limit.enabled", "true")
@pytest.mark.ckan_config("ckanext.khtourism.action_api.rate_limit.anonymous", "5/minute")
@pytest.mark.ckan_config("ckanext.khtourism.action_api.rate_limit.user", "8/minute")
def test_action_api_is_rate_limited_per_ip_and_per_user(fresh_limits, world):
    app = fresh_limits
    anonymous = [app.get(SEARCH).status_code for _ in range(6)]
    assert anonymous == [200] * 5 + [429], anonymous
    refused = app.get(SEARCH)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["success"] is False
    assert "Too many requests" in refused.json["error"]["message"]
    # a signed-in user has their own, larger quota, shared by all their tokens
    user = world.people["member_a"].name
    tokens = [world.people["member_a"].token, factories.APIToken(user=user)["token"]]
    codes = [
        app.get(SEARCH, headers={"Authorization": tokens[n % 2]}).status_code for n in range(9)
    ]
    assert codes == [200] * 8 + [429], codes
    # sysadmins are not limited
    sysadmin = world.people["sysadmin"].headers
    assert all(app.get(SEARCH, headers=sysadmin).status_code == 200 for _ in range(10))
    # the tourism API's pages are not counted by the action API's limit
    assert app.get("/api/tourism/v1/accommodations").status_code == 200


@pytest.mark.ckan_config("ckanext.khtourism.action_api.anonymous_rows_max", "2")
def test_anonymous_action_api_search_rows_are_capped(app, world):
    for n in range(3):
        world.create("sysadmin", "accommodation", name=f"rows-{n}", workflow_state="published")
    anonymous = app.get(SEARCH, query_string={"rows": 1000, "fq": "dataset_type:accommodation"})
    assert anonymous.status_code == 200
    assert anonymous.json["result"]["count"] == 3
    assert len(anonymous.json["result"]["results"]) == 2
    signed_in = app.get(
        SEARCH,
        query_string={"rows": 1000, "fq": "dataset_type:accommodation"},
        headers=world.people["member_a"].headers,
    )
    assert len(signed_in.json["result"]["results"]) == 3
