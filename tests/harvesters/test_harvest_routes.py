"""ckanext-harvest's state-changing pages need POST with a CSRF token (issue 14):
refresh, clear, delete and job abort, as a curator signed in with a session cookie."""

from __future__ import annotations

import re

import pytest

from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _source(world, fixture_server, name="nguon-so"):
    url = fixture_server.file(f"/so/{name}.csv", "spreadsheets/hotels-utf8.csv")
    return helpers.call_action(
        "harvest_source_create",
        {"user": world.person("curator").name},
        name=name,
        title=name,
        url=url,
        source_type="khtourism_spreadsheet",
        config='{"record_type": "accommodation"}',
        owner_org=world.curator_org["id"],
        frequency="MANUAL",
    )


def _jobs(source) -> list[dict]:
    return helpers.call_action("harvest_job_list", {"ignore_auth": True}, source_id=source["id"])


def _new_job(source) -> dict:
    return helpers.call_action(
        "harvest_job_create", {"ignore_auth": True}, source_id=source["id"], run=False
    )


def _session(world, role="curator") -> dict:
    """A browser session (cookie, no API token) of ``role``."""
    return {"REMOTE_USER": world.person(role).name}


def _csrf_token(client, environ) -> tuple[str, str]:
    """The token of ``client``'s session (a client keeps its cookies; ``app.get`` does not)."""
    body = client.get("/dataset/", extra_environ=environ).get_data(as_text=True)
    field = re.search(r'<meta name="csrf_field_name" content="([^"]+)"', body).group(1)
    token = re.search(rf'<meta name="{field}" content="([^"]+)"', body).group(1)
    return field, token


def _routes(source, job) -> dict[str, str]:
    return {
        "refresh": f"/harvest/refresh/{source['id']}",
        "clear": f"/harvest/clear/{source['id']}",
        "delete": f"/harvest/delete/{source['name']}",
        "abort": f"/harvest/{source['name']}/job/{job['id']}/abort",
    }


def test_state_changing_harvest_pages_refuse_get(app, world, fixture_server):
    source = _source(world, fixture_server)
    job = _new_job(source)
    curator = world.person("curator")
    for name, url in _routes(source, job).items():
        for how in ({"headers": curator.headers}, {"extra_environ": _session(world)}):
            response = app.get(url, follow_redirects=False, **how)
            assert response.status_code == 405, (name, how, response.status_code)
    # nothing happened: one job (the one above, still new), the source active
    assert [j["status"] for j in _jobs(source)] == ["New"]
    shown = helpers.call_action("harvest_source_show", id=source["id"])
    assert shown["active"] is True


def test_state_changing_harvest_pages_refuse_a_post_without_token(app, world, fixture_server):
    source = _source(world, fixture_server)
    job = _new_job(source)
    for name, url in _routes(source, job).items():
        response = app.post(url, extra_environ=_session(world), follow_redirects=False)
        assert response.status_code == 400, (name, response.status_code)
        assert "CSRF" in response.body, name
    assert [j["status"] for j in _jobs(source)] == ["New"]
    assert helpers.call_action("harvest_source_show", id=source["id"])["active"] is True


def test_state_changing_harvest_pages_work_with_post_and_token(app, world, fixture_server):
    source = _source(world, fixture_server)
    environ = _session(world)
    app = app.test_client()  # one browser: the session cookie holds the token's secret
    field, token = _csrf_token(app, environ)
    # refresh: a new job
    response = app.post(
        f"/harvest/refresh/{source['id']}",
        data={field: token},
        extra_environ=environ,
        follow_redirects=False,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (job,) = _jobs(source)
    # abort it (the abort button is a confirm-action form now)
    response = app.post(
        f"/harvest/{source['name']}/job/{job['id']}/abort",
        data={field: token},
        extra_environ=environ,
        follow_redirects=False,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _jobs(source)[0]["status"] in ("Aborted", "Finished")
    # clear, then delete (inactivate)
    for url in (f"/harvest/clear/{source['id']}", f"/harvest/delete/{source['name']}"):
        response = app.post(url, data={field: token}, extra_environ=environ, follow_redirects=False)
        assert response.status_code == 302, (url, response.get_data(as_text=True))
    assert helpers.call_action("harvest_source_show", id=source["id"])["active"] is False


def test_api_token_clients_need_no_csrf_token_but_post(app, world, fixture_server):
    """A request signed with an API token carries no cookie: nothing to forge (as in CKAN)."""
    source = _source(world, fixture_server)
    curator = world.person("curator")
    response = app.post(
        f"/harvest/refresh/{source['id']}", headers=curator.headers, follow_redirects=False
    )
    assert response.status_code == 302
    assert len(_jobs(source)) == 1
    # another business's token: still refused by the permission check
    other = _source(world, fixture_server, name="nguon-khac")
    response = app.post(
        f"/harvest/refresh/{other['id']}",
        headers=world.person("member_b").headers,
        follow_redirects=False,
    )
    assert response.status_code in (403, 404)
    assert not _jobs(other)


def test_the_source_admin_page_offers_post_buttons(app, world, fixture_server):
    source = _source(world, fixture_server)
    job = _new_job(source)
    helpers.call_action(
        "harvest_send_job_to_gather_queue", {"ignore_auth": True}, id=job["id"]
    )  # Running: the page shows "Stop"
    body = app.get(f"/harvest/admin/{source['name']}", extra_environ=_session(world)).body
    for route in (f"/harvest/clear/{source['id']}", f"/job/{job['id']}/abort"):
        link = re.search(rf'<a href="[^"]*{re.escape(route)}"[^>]*>', body)
        assert link is not None, route
        assert 'data-module="confirm-action"' in link.group(0), link.group(0)
