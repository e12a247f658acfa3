"""``harvest_job_create`` answers a clear 409 (not 500) for a deleted source or a source with
a job waiting; ckanext-harvest's own callers still catch its exception classes."""

from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.harvest.logic import HarvestJobExists, HarvestSourceInactiveError

from tests.harvesters.harvest_fixtures import create_source


def _post(app, token, **data):
    return app.post(
        "/api/3/action/harvest_job_create",
        json=data,
        headers={"Authorization": token},
        status=None,
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_job_on_a_deleted_source_is_a_409_naming_the_source(app, fixture_server):
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.url("/dk.csv"),
        {"record_type": "accommodation"},
        owner_org=factories.Organization()["id"],
    )
    helpers.call_action("harvest_source_delete", {"user": sysadmin["name"]}, id=source["id"])

    response = _post(app, token, source_id=source["id"])

    assert response.status_code == 409, response.body
    error = response.json["error"]
    assert error["__type"] == "Validation Error"
    assert source["id"] in error["source_id"][0]
    with pytest.raises(HarvestSourceInactiveError):  # what ckanext-harvest's views catch
        helpers.call_action(
            "harvest_job_create", {"user": sysadmin["name"]}, source_id=source["id"]
        )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_second_job_while_one_waits_is_a_409(app, fixture_server):
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.url("/dk.csv"),
        {"record_type": "accommodation"},
        owner_org=factories.Organization()["id"],
    )
    assert _post(app, token, source_id=source["id"], run=False).status_code == 200
    response = _post(app, token, source_id=source["id"], run=False)
    assert response.status_code == 409, response.body
    assert "already has a job" in str(response.json["error"]) or "đã có một công việc" in str(
        response.json["error"]
    )
    with pytest.raises(HarvestJobExists):
        helpers.call_action(
            "harvest_job_create", {"user": sysadmin["name"]}, source_id=source["id"], run=False
        )
