"""HTTP behaviour that holds for every endpoint: error shape, language, CORS,
conditional requests, tokens and rate limits."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ckan.tests import factories

BASE = "/api/tourism/v1"


def assert_error(response, status, code, parameter):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    error = response.json["error"]
    assert (error["code"], error["parameter"], error["status"]) == (code, parameter, status)
    assert error["message"]
    return error


@pytest.mark.usefixtures("with_plugins")
class TestErrors:
    def test_bad_parameter_is_a_400_naming_it_in_the_request_language(self, api):
        english = assert_error(
            api.get(f"{BASE}/accommodations?limit=5000&lang=en"), 400, "invalid_parameter", "limit"
        )
        assert english["message"].startswith("Invalid value for parameter 'limit'")
        vietnamese = assert_error(
            api.get(f"{BASE}/accommodations?limit=5000"), 400, "invalid_parameter", "limit"
        )
        assert vietnamese["message"].startswith("Giá trị không hợp lệ")
        by_header = assert_error(
            api.get(
                f"{BASE}/tour-guides?card_status=lost",
                headers={"Accept-Language": "en-GB,en;q=0.9"},
            ),
            400,
            "invalid_parameter",
            "card_status",
        )
        assert "is not one of" in by_header["message"]

    def test_unknown_parameter_and_resource(self, api):
        assert_error(
            api.get(f"{BASE}/heritage-sites?star_rating=5"), 400, "unknown_parameter", "star_rating"
        )
        assert_error(api.get(f"{BASE}/restaurants"), 404, "unknown_resource", None)

    def test_conflicting_spatial_parameters(self, api):
        assert_error(
            api.get(f"{BASE}/accommodations?lat=12.2&lon=109.2"),
            400,
            "parameter_conflict",
            "radius",
        )
        assert_error(
            api.get(f"{BASE}/accommodations?bbox=109,12,110,13&lat=12&lon=109&radius=10"),
            400,
            "parameter_conflict",
            "radius",
        )

    def test_unacceptable_accept_header(self, api):
        assert_error(
            api.get(f"{BASE}/accommodations", headers={"Accept": "application/xml"}),
            406,
            "not_acceptable",
            None,
        )

    def test_unpublished_needs_a_token(self, api):
        assert_error(
            api.get(f"{BASE}/accommodations?include_unpublished=true"),
            401,
            "token_required",
            "include_unpublished",
        )


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestTokens:
    def test_invalid_token_is_a_401(self, api):
        assert_error(
            api.get(f"{BASE}/openapi.json", headers={"Authorization": "not-a-token"}),
            401,
            "token_invalid",
            None,
        )

    def test_raw_and_bearer_tokens_are_accepted(self, api):
        user = factories.User()
        token = factories.APIToken(user=user["name"])["token"]
        assert api.get(f"{BASE}/openapi.json", headers={"Authorization": token}).status_code == 200
        response = api.get(f"{BASE}/openapi.json", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert "private" in response.headers["Cache-Control"]


@pytest.mark.usefixtures("with_plugins")
class TestCorsAndCaching:
    def test_cors_is_open_for_get(self, api):
        response = api.get(f"{BASE}/openapi.json", headers={"Origin": "https://app.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
        preflight = api.options(
            f"{BASE}/accommodations",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization",
            },
        )
        assert preflight.status_code == 200
        assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]

    def test_etag_gives_304(self, api):
        first = api.get(f"{BASE}/openapi.json")
        etag = first.headers["ETag"]
        again = api.get(f"{BASE}/openapi.json", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
        assert (
            api.get(f"{BASE}/openapi.json", headers={"If-None-Match": '"other"'}).status_code == 200
        )


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.api.rate_limit.anonymous", "3/minute")
@pytest.mark.ckan_config("ckanext.khtourism.api.rate_limit.token", "5/minute")
class TestRateLimits:
    def test_per_ip_limit_gives_429_with_retry_after(self, api):
        for _ in range(3):
            assert api.get(f"{BASE}/openapi.json").status_code == 200
        response = api.get(f"{BASE}/openapi.json?lang=en")
        error = assert_error(response, 429, "rate_limited", None)
        assert int(response.headers["Retry-After"]) >= 1
        assert "retry after" in error["message"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"

    def test_tokens_have_their_own_quota(self, api):
        for _ in range(3):
            api.get(f"{BASE}/openapi.json")
        assert api.get(f"{BASE}/openapi.json").status_code == 429
        token_a = factories.APIToken(user=factories.User()["name"])["token"]
        token_b = factories.APIToken(user=factories.User()["name"])["token"]
        for _ in range(5):
            assert (
                api.get(f"{BASE}/openapi.json", headers={"Authorization": token_a}).status_code
                == 200
            )
        assert (
            api.get(f"{BASE}/openapi.json", headers={"Authorization": token_a}).status_code == 429
        )
        assert (
            api.get(f"{BASE}/openapi.json", headers={"Authorization": token_b}).status_code == 200
        )

    def test_counters_live_in_redis(self, api):
        limiter = api.flask_app.extensions["khtourism_api_limiter"]
        assert type(limiter.storage).__name__ == "RedisStorage"

    def test_one_quota_for_the_whole_api(self, api):
        for path in ("/openapi.json", "/docs", "/"):
            assert api.get(f"{BASE}{path}").status_code == 200
        assert_error(api.get(f"{BASE}/changes"), 429, "rate_limited", None)

    @pytest.mark.ckan_config("ckanext.khtourism.api.rate_limit.anonymous", "10/minute;3/hour")
    def test_every_window_counts_and_headers_show_the_tightest(self, api):
        remaining = []
        for _ in range(3):
            response = api.get(f"{BASE}/openapi.json")
            assert response.status_code == 200
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert remaining == [2, 1, 0]
        refused = api.get(f"{BASE}/openapi.json")
        assert_error(refused, 429, "rate_limited", None)
        assert int(refused.headers["Retry-After"]) >= 1

    def test_one_redis_round_trip_per_request(self, api, monkeypatch):
        redis = api.flask_app.extensions["khtourism_api_limiter"].storage.get_connection()
        api.get(f"{BASE}/openapi.json")  # loads the Lua script once
        sent = []
        send = redis.execute_command

        def counted(*args, **kwargs):
            sent.append(args[0])
            return send(*args, **kwargs)

        monkeypatch.setattr(redis, "execute_command", counted)
        response = api.get(f"{BASE}/openapi.json")
        assert response.status_code == 200 and response.headers["X-RateLimit-Remaining"] == "1"
        assert sent == ["EVALSHA"]


def test_unix_redis_url_becomes_a_limits_uri():
    from ckanext.khtourism.security.rate_limit_storage import storage_uri

    assert storage_uri("unix:///var/run/redis.sock?db=2") == "redis+unix:///var/run/redis.sock?db=2"
    assert storage_uri("redis://localhost:6379/1") == "redis://localhost:6379/1"
    with pytest.raises(ValueError):
        storage_uri("ftp://example")


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckanext.khtourism.runtime_config_check_seconds", "0")
def test_api_requests_skip_ckans_config_update_check(api):
    import sqlalchemy as sa

    import ckan.model as model

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        assert api.get(f"{BASE}/changes").status_code == 200
        api_statements = list(statements)
        statements.clear()
        assert api.get("/api/3/action/status_show").status_code == 200
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)
    assert api_statements and not any("system_info" in s for s in api_statements)
    assert any("system_info" in s for s in statements)  # the rest of CKAN still checks


def _statements_of(request: Any) -> list[str]:
    import sqlalchemy as sa

    import ckan.model as model

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        assert request().status_code == 200
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)
    return statements


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_pages_check_the_runtime_config_once_per_interval(app):
    """A setting saved by another process (only the database knows it) is shown once this
    process's check is due (``ckanext.khtourism.runtime_config_check_seconds``, 5 s by
    default), and pages in between do not ask."""
    import ckan.model as model
    from ckan.lib import app_globals

    from ckanext.khtourism.api.overhead import ConfigCheckClock

    first = _statements_of(lambda: app.get("/about"))
    second = _statements_of(lambda: app.get("/about"))
    assert any("system_info" in s for s in first)
    assert not any("system_info" in s for s in second)

    # another process saves a new site title: the database only
    model.set_system_info("ckan.site_title", "Cổng du lịch mới")
    model.set_system_info("ckan.config_update", "another process")
    try:
        assert "Cổng du lịch mới" not in app.get("/about").get_data(as_text=True)
        ConfigCheckClock.last -= 5  # the interval has passed
        assert "Cổng du lịch mới" in app.get("/about").get_data(as_text=True)
    finally:
        model.delete_system_info("ckan.site_title")
        model.delete_system_info("ckan.config_update")
        app_globals.reset()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_static_files_do_not_look_the_visitor_up(app):
    """A public file or a webassets file is the same for everyone: the signed-in visitor is
    not looked up for it (``api/overhead.py``); a page still identifies the visitor."""
    user = factories.User()
    token = factories.APIToken(user=user["name"])["token"]
    headers = {"Authorization": token}
    page = app.get("/dataset/", headers=headers)
    assets = re.findall(r'(?:src|href)="(/webassets/[^"]+)"', page.body)
    assert assets, "the page links no webassets file"
    for url in ("/base/images/ckan-logo.png", assets[0]):
        statements = _statements_of(lambda url=url: app.get(url, headers=headers))
        assert not [s for s in statements if '"user"' in s or "api_token" in s], (url, statements)
    statements = _statements_of(lambda: app.get("/dataset/", headers=headers))
    assert [s for s in statements if "api_token" in s or '"user"' in s]
    assert user["name"] in app.get("/dashboard/datasets", headers=headers).body
