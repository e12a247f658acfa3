"""PostgreSQL unreachable: every page is a clear 503 (Vietnamese and English), the action API
a JSON 503, never a 500 traceback; the portal answers again as soon as the database is back,
without a restart (``unavailable.py``).

The outage is real: the test's database refuses new connections (``ALLOW_CONNECTIONS
false``) and every open connection to it is terminated, as when the server goes away."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories


def _admin_engine():
    return sa.create_engine(
        model.meta.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


def _set_outage(down: bool) -> None:
    name = model.meta.engine.url.database
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(
            sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if down else "true"}')
        )
        if down:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
    engine.dispose()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_pages_and_api_answer_503_while_the_database_is_down_then_recover(app):
    factories.Dataset(title="Khách sạn Biển Xanh", owner_org=factories.Organization()["id"])
    assert app.get("/dataset/").status_code == 200

    model.Session.remove()
    _set_outage(True)
    try:
        for path in ("/", "/dataset/", "/accommodation/", "/api/3/action/package_search"):
            model.Session.remove()
            response = app.get(path, status=None)
            assert response.status_code == 503, (path, response.body[:500])
            assert response.headers["Retry-After"] == "30"
            assert "Traceback" not in response.body
            if path.startswith("/api/"):
                assert response.json["success"] is False
                assert "database" in response.json["error"]["message"]
            else:
                assert "tạm thời gián đoạn" in response.body
                assert "temporarily unavailable" in response.body
        # the tourism API (anonymous: no query before the search itself) says so in its shape
        model.Session.remove()
        response = app.get("/api/tourism/v1/accommodations", status=None)
        assert response.status_code == 503, response.body[:500]
        assert response.json["error"]["code"] == "service_unavailable"
        # (the API's rate limiter may set its own, shorter Retry-After on this response)
        assert int(response.headers["Retry-After"]) >= 1
    finally:
        _set_outage(False)
        model.Session.remove()

    response = app.get("/dataset/")
    assert response.status_code == 200
    assert "Khách sạn Biển Xanh" in response.body


def test_a_failing_query_is_not_called_an_outage():
    from ckanext.khtourism import unavailable

    class DeadlockDetected(Exception):
        pgcode = "40P01"

    deadlock = sa.exc.OperationalError("UPDATE …", {}, DeadlockDetected("deadlock detected"))
    assert not unavailable.is_database_unavailable(deadlock)
    refused = sa.exc.OperationalError(
        "connect", {}, Exception('connection to server on socket "/x" failed: No such file')
    )
    assert unavailable.is_database_unavailable(refused)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_an_outage_met_first_inside_an_action_is_a_503_too(app):
    """The action's own query is the request's first (no runtime-config check due, no user
    to identify): CKAN's action API catches the action's exception and answered its JSON
    500; the 500 is checked against the database and becomes the 503."""
    import time

    from ckanext.khtourism.api.overhead import ConfigCheckClock

    assert app.get("/api/3/action/package_search").status_code == 200
    model.Session.remove()
    _set_outage(True)
    try:
        ConfigCheckClock.last = time.monotonic()  # the check has just run: not due
        response = app.get("/api/3/action/package_search?q=biển", status=None)
        assert response.status_code == 503, response.body[:500]
        assert response.json["success"] is False
        assert response.json["error"]["__type"] == "Service Unavailable"
        assert response.headers["Retry-After"] == "30"
    finally:
        _set_outage(False)
        model.Session.remove()
    # answered again once the database is back, without a restart
    assert app.get("/api/3/action/package_search").status_code == 200
