"""Secrets in a harvest source's configuration are write-only (issue 14).

An ArcGIS token (or any key named like a secret) is stored — the harvester
needs it — but every output shows a mask instead, to everyone, the source's
owner and sysadmins included; an update that sends the mask back keeps the
stored secret.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import helpers

from ckanext.harvest.model import HarvestSource

from ckanext.khtourism.harvesters import secrets
from tests.harvesters.harvest_fixtures import create_source, run_job
from tests.record_fixtures import world  # noqa: F401

TOKEN = "SEKRET-arcgis-token-4f1c2d"
CONFIG = {
    "record_type": "heritage-site",
    "publish": "review",
    "key_field": "MA_DT",
    "mapping": {"TEN": "title", "XEP_HANG": "ranking"},
    "defaults": {"heritage_type": "lich_su"},
    "token": TOKEN,
}

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _outputs(app, world, source, role):  # noqa: F811 - the fixture's name
    person = world.person(role)
    headers = person.headers if person else {}
    calls = {
        "harvest_source_show": {"id": source["id"]},
        "harvest_source_list": {},
        "package_show": {"id": source["id"]},
        "package_search": {"fq": "dataset_type:harvest", "include_private": "true"},
        "harvest_job_list": {"source_id": source["id"]},
        "package_activity_list": {"id": source["id"]},
    }
    texts = {}
    for action, params in calls.items():
        response = app.post(f"/api/3/action/{action}", json=params, headers=headers)
        texts[action] = (response.status_code, response.body)
    for path in (f"/harvest/{source['name']}", f"/harvest/about/{source['name']}"):
        response = app.get(path, headers=headers)
        texts[path] = (response.status_code, response.body)
    return texts


def test_a_source_token_is_masked_in_every_output(app, world, arcgis_layer):  # noqa: F811
    source = create_source(
        "khtourism_arcgis", arcgis_layer, CONFIG, owner_org=world.business_a["id"]
    )
    result = run_job(source)
    assert set(result.statuses().values()) == {"added"}, result.gather_errors
    for role in ("anonymous", "member_b", "member_a", "curator", "sysadmin"):
        outputs = _outputs(app, world, source, role)
        for name, (_status, body) in outputs.items():
            assert TOKEN not in body, (role, name)
        if role in ("member_a", "sysadmin"):
            status, body = outputs["harvest_source_show"]
            assert status == 200, body
            shown = json.loads(json.loads(body)["result"]["config"])
            assert shown["token"] == secrets.MASK
            assert shown["key_field"] == "MA_DT"  # the rest of the configuration is shown
    # nothing stored that an action returns holds it: search index, activity stream
    for table, column in (
        ("khtourism_search_doc", "doc::text || data_dict || validated_data_dict"),
        ("activity", "data"),
    ):
        stored = model.Session.execute(sa.text(f"SELECT {column} FROM {table}")).scalars().all()
        assert stored and not any(TOKEN in str(value) for value in stored), table
    # the harvester has it
    assert json.loads(HarvestSource.get(source["id"]).config)["token"] == TOKEN


def test_sending_the_mask_back_keeps_the_stored_secret(world, arcgis_layer, fixture_server):  # noqa: F811
    source = create_source(
        "khtourism_arcgis", arcgis_layer, CONFIG, owner_org=world.business_a["id"]
    )
    sysadmin = world.person("sysadmin")
    shown = helpers.call_action("harvest_source_show", {"user": sysadmin.name}, id=source["id"])
    config = json.loads(shown["config"])
    assert config["token"] == secrets.MASK
    config["where"] = "1=1"
    helpers.call_action(
        "harvest_source_patch", {"user": sysadmin.name}, id=source["id"], config=json.dumps(config)
    )
    stored = json.loads(HarvestSource.get(source["id"]).config)
    assert stored["token"] == TOKEN and stored["where"] == "1=1"
    extra = model.Session.execute(
        sa.text("SELECT value FROM package_extra WHERE package_id = :id AND key = 'config'"),
        {"id": source["id"]},
    ).scalar()
    assert json.loads(extra)["token"] == TOKEN
    result = run_job(source)
    assert set(result.statuses().values()) == {"added"}, result.gather_errors
    assert any(f"token={TOKEN}" in request for request in fixture_server.requests)
    # a new secret replaces the old one
    config["token"] = "NEW-token-77"
    helpers.call_action(
        "harvest_source_patch", {"user": sysadmin.name}, id=source["id"], config=json.dumps(config)
    )
    assert json.loads(HarvestSource.get(source["id"]).config)["token"] == "NEW-token-77"


def test_secret_keys_are_found_by_name_at_any_depth():
    config = {
        "token": "a1",
        "api_key": "a2",
        "headers": {"Authorization": "Bearer a3", "Accept": "text/csv"},
        "auth": {"username": "u", "password": "a4"},
        "client_secret": "a5",
        "where": "1=1",
        "empty_token": "",
    }
    masked = json.loads(secrets.mask_config(json.dumps(config)))
    assert masked == {
        "token": secrets.MASK,
        "api_key": secrets.MASK,
        "headers": {"Authorization": secrets.MASK, "Accept": "text/csv"},
        "auth": {"username": "u", "password": secrets.MASK},
        "client_secret": secrets.MASK,
        "where": "1=1",
        "empty_token": "",
    }
    restored = json.loads(secrets.unmask_config(json.dumps(masked), json.dumps(config)))
    assert restored == config
    long = json.dumps({"token": "tok-123456", "headers": {"Authorization": "Bearer abcdef"}})
    assert secrets.mask_text("GET /q?token=tok-123456 failed (abcdef)", long) == (
        f"GET /q?token={secrets.MASK} failed ({secrets.MASK})"
    )


def test_a_source_echoing_the_token_in_an_error_does_not_publish_it(world, fixture_server):  # noqa: F811
    from tests.harvesters.harvest_fixtures import Reply

    def echo(query):
        message = f"Invalid token {query.get('token')} for {query}"
        return Reply(json.dumps({"error": {"code": 498, "message": message}}).encode())

    layer = fixture_server.handler("/arcgis/rest/services/Echo/FeatureServer/0", echo)
    dead = "http://127.0.0.1:9/arcgis/rest/services/Dead/FeatureServer/0"  # nothing listens
    for url in (layer, dead):
        source = create_source("khtourism_arcgis", url, CONFIG, owner_org=world.business_a["id"])
        result = run_job(source)
        assert result.gather_errors, url
        assert not any(TOKEN in error for error in result.gather_errors), result.gather_errors
        report = helpers.call_action("harvest_job_report", {"ignore_auth": True}, id=result.job.id)
        assert TOKEN not in json.dumps(report), url
    stored = model.Session.execute(sa.text("SELECT message FROM harvest_gather_error")).scalars()
    assert not any(TOKEN in message for message in stored)
