"""Signed webhooks: deliveries of the change feed to a client's receiver on 127.0.0.1,
in the jobs worker, with retries, per-record order, dead letters and SSRF refusal."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckan.tests.helpers import call_action

from ckanext.khtourism.clients import webhooks
from ckanext.khtourism.clients.model import delivery_table, webhook_table

from .conftest import bearer, get_token, register
from .receiver import Receiver

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

HOOKS = "/api/tourism/v1/webhooks"
PRIVATE_OK = pytest.mark.ckan_config("ckanext.khtourism.webhooks.allow_private_addresses", "true")
NO_WAIT = pytest.mark.ckan_config("ckanext.khtourism.webhooks.retry_base", "0")


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/integration.md shows it."""
    timestamp = headers["X-Khtourism-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest("v1=" + expected, headers["X-Khtourism-Signature"])


@pytest.fixture
def receivers():
    started: list[Receiver] = []

    def start(**options) -> Receiver:
        receiver = Receiver(**options).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()
    # the dispatch jobs the changes queued: no worker runs them here
    call_action("job_clear", {"ignore_auth": True})
    connect_to_redis().delete(webhooks.PENDING_KEY)


def _subscribe(api, token: str, url: str, **fields) -> dict:
    response = api.post(HOOKS, json={"url": url, **fields}, headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def _publish(world, **fields) -> dict:
    return world.create("sysadmin", "accommodation", workflow_state="published", **fields)


def _update(world, record: dict, **fields) -> None:
    world.call("sysadmin", "package_patch", id=record["id"], **fields)


@PRIVATE_OK
def test_a_delivery_is_signed_and_carries_the_change(api, world, receivers):
    receiver = receivers()
    token = get_token(api, register(world))
    hook = _subscribe(api, token, receiver.url, record_types=["accommodation"])
    assert hook["secret"].startswith("whsec_")
    assert set(hook["events"]) == set(webhooks.EVENTS)
    record = _publish(world)
    assert receiver.received == []  # nothing sent in the request that made the change
    totals = webhooks.run_once()
    assert totals["queued"] == 1 and totals["delivered"] == 1, totals
    [got] = receiver.received
    assert verify(hook["secret"], got.headers, got.body)
    assert not verify(hook["secret"] + "x", got.headers, got.body)
    assert got.headers["Content-Type"] == "application/json"
    assert got.json["id"] == got.headers["X-Khtourism-Event-Id"]
    assert got.json["event"] == "created"
    assert got.json["webhook_id"] == hook["id"]
    assert got.json["change"]["id"] == record["id"]
    assert got.json["change"]["name"] == record["name"]
    assert int(got.json["change"]["cursor"]) > 0


@PRIVATE_OK
def test_a_change_queues_the_dispatch_job_not_a_request(api, world, receivers):
    receiver = receivers()
    token = get_token(api, register(world))
    _subscribe(api, token, receiver.url)
    call_action("job_clear", {"ignore_auth": True})
    connect_to_redis().delete(webhooks.PENDING_KEY)
    record = _publish(world)
    _update(world, record, notes="hai lần")
    titles = [job["title"] for job in call_action("job_list", {"ignore_auth": True})]
    # one dispatch waits for both changes
    assert titles.count("khtourism: webhook dispatch") == 1
    assert receiver.received == []
    call_action("job_clear", {"ignore_auth": True})
    webhooks.dispatch_job()  # what the worker runs: queue, then one delivery job per hook
    titles = [job["title"] for job in call_action("job_list", {"ignore_auth": True})]
    assert len([t for t in titles if t.startswith("khtourism: webhook deliveries")]) == 1
    [hook_id] = webhooks.due_webhooks()
    webhooks.deliver_job(hook_id)
    assert len(receiver.accepted) == 2
    # the job cleared the flag: the next change queues a new dispatch
    call_action("job_clear", {"ignore_auth": True})
    _update(world, record, notes="ba lần")
    titles = [job["title"] for job in call_action("job_list", {"ignore_auth": True})]
    assert titles.count("khtourism: webhook dispatch") == 1
    call_action("job_clear", {"ignore_auth": True})


@PRIVATE_OK
@NO_WAIT
def test_a_receiver_failing_twice_gets_the_event_once_with_the_same_id(api, world, receivers):
    receiver = receivers(fail_first=2)
    token = get_token(api, register(world))
    _subscribe(api, token, receiver.url)
    _publish(world)
    results = [webhooks.run_once() for _ in range(4)]
    assert [r["delivered"] for r in results] == [0, 0, 1, 0], results
    assert [r["failed"] for r in results] == [1, 1, 0, 0], results
    assert [each.status for each in receiver.received] == [500, 500, 200]
    assert len({each.json["id"] for each in receiver.received}) == 1
    assert len(receiver.accepted) == 1
    row = model.Session.execute(sa.select(delivery_table)).mappings().one()
    assert row["status"] == "delivered" and row["attempts"] == 3


@PRIVATE_OK
def test_backoff_doubles_between_attempts(api, world, receivers):
    receiver = receivers(fail_first=10)
    token = get_token(api, register(world))
    _subscribe(api, token, receiver.url)
    _publish(world)
    webhooks.run_once()
    first = model.Session.execute(sa.select(delivery_table)).mappings().one()
    model.Session.commit()
    waited = (first["next_attempt_at"] - first["first_attempt_at"]).total_seconds()
    assert 29 <= waited <= 31  # retry_base
    webhooks.run_once()  # not due yet: no new attempt
    assert len(receiver.received) == 1
    later = first["next_attempt_at"]
    webhooks.run_once(now=later)
    second = model.Session.execute(sa.select(delivery_table)).mappings().one()
    model.Session.commit()
    assert second["attempts"] == 2
    assert (second["next_attempt_at"] - later).total_seconds() == 60


@PRIVATE_OK
@NO_WAIT
def test_the_order_per_record_is_kept_while_other_records_go_on(api, world, receivers):
    receiver = receivers(fail_first=1)
    token = get_token(api, register(world))
    _subscribe(api, token, receiver.url)
    first = _publish(world, name="ks-mot")
    _update(world, first, notes="một")
    _update(world, first, notes="hai")
    other = _publish(world, name="ks-hai")
    webhooks.run_once()
    # the first record's first event failed: its later events waited; the other went on
    assert [(r.status, r.json["change"]["name"]) for r in receiver.received] == [
        (500, "ks-mot"),
        (200, "ks-hai"),
    ]
    webhooks.run_once()
    delivered = [r.json for r in receiver.accepted if r.json["change"]["id"] == first["id"]]
    assert [d["event"] for d in delivered] == ["created", "updated", "updated"]
    cursors = [int(d["change"]["cursor"]) for d in delivered]
    assert cursors == sorted(cursors)
    assert other["id"] in {r.json["change"]["id"] for r in receiver.accepted}


@PRIVATE_OK
@pytest.mark.ckan_config("ckanext.khtourism.webhooks.timeout", "1")
def test_a_slow_receiver_does_not_hold_up_the_others(api, world, receivers):
    slow, fast = receivers(delay=4), receivers()
    token = get_token(api, register(world))
    slow_hook = _subscribe(api, token, slow.url)
    fast_hook = _subscribe(api, token, fast.url)
    _publish(world)
    totals = webhooks.run_once()
    assert totals["delivered"] == 1 and totals["failed"] == 1, totals
    assert len(fast.accepted) == 1 and fast.accepted[0].json["webhook_id"] == fast_hook["id"]
    row = (
        model.Session.execute(
            sa.select(delivery_table).where(delivery_table.c.webhook_id == slow_hook["id"])
        )
        .mappings()
        .one()
    )
    assert row["status"] == "pending" and "timed out" in row["last_error"]


@PRIVATE_OK
def test_unsubscribing_stops_deliveries(api, world, receivers):
    receiver = receivers()
    token = get_token(api, register(world))
    hook = _subscribe(api, token, receiver.url)
    record = _publish(world)
    webhooks.run_once()
    assert len(receiver.accepted) == 1
    response = api.test_client().delete(f"{HOOKS}/{hook['id']}", headers=bearer(token))
    assert response.status_code == 200 and response.json["status"] == "deleted"
    _update(world, record, notes="sau khi huỷ")
    assert webhooks.run_once()["queued"] == 0
    assert len(receiver.received) == 1


@PRIVATE_OK
def test_event_and_type_filters(api, world, receivers):
    receiver = receivers()
    token = get_token(api, register(world))
    _subscribe(api, token, receiver.url, events=["updated"], record_types="accommodation")
    record = _publish(world)
    world.create("sysadmin", "heritage-site", owner="curator", workflow_state="published")
    _update(world, record, notes="đổi")
    webhooks.run_once()
    assert [r.json["event"] for r in receiver.accepted] == ["updated"]


@PRIVATE_OK
@pytest.mark.ckan_config("ckanext.khtourism.webhooks.retry_for", "0")
def test_dead_letters_are_visible_and_replayable_from_a_cursor(api, world, receivers):
    receiver = receivers(fail_first=1)
    client = register(world)
    token = get_token(api, client)
    hook = _subscribe(api, token, receiver.url)
    record = _publish(world)
    totals = webhooks.run_once()
    assert totals["dead"] == 1, totals
    dead = api.get(f"{HOOKS}/dead-letters", headers=bearer(token)).json["dead_letters"]
    assert [(d["event"], d["change"]["id"]) for d in dead] == [("created", record["id"])]
    sysadmin = {"user": world.people["sysadmin"].name, "ignore_auth": False}
    assert len(call_action("khtourism_webhook_dead_letters", sysadmin)) == 1
    owner = {"user": world.people["curator"].name, "ignore_auth": False}
    seen = call_action("khtourism_webhook_dead_letters", owner, client_id=client["client_id"])
    assert len(seen) == 1
    with pytest.raises(tk.NotAuthorized):
        call_action("khtourism_webhook_dead_letters", owner)
    # replay from the cursor before the change: delivered again, now that the receiver is up
    cursor = int(dead[0]["cursor"]) - 1
    replayed = api.post(
        f"{HOOKS}/{hook['id']}/replay", json={"cursor": str(cursor)}, headers=bearer(token)
    )
    assert replayed.status_code == 200 and replayed.json["cursor"] == str(cursor)
    webhooks.run_once()
    assert [r.json["change"]["id"] for r in receiver.accepted] == [record["id"]]
    assert api.get(f"{HOOKS}/dead-letters", headers=bearer(token)).json["dead_letters"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "file:///etc/passwd",
    ],
)
def test_private_and_loopback_receivers_are_refused_in_production(api, world, url):
    token = get_token(api, register(world))
    response = api.post(HOOKS, json={"url": url}, headers=bearer(token))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "client_request_invalid"
    assert response.json["error"]["parameter"] == "url"
    assert webhooks.list_webhooks() == []


def test_a_receiver_that_turned_private_is_not_contacted(api, world, receivers):
    """Checked again when sending (DNS answers change): with the test setting off, a
    subscription to 127.0.0.1 (written directly) fails without a request."""
    receiver = receivers()
    client = register(world)
    model.Session.execute(
        webhook_table.insert().values(
            id="w-1",
            client_id=client["client_id"],
            url=receiver.url,
            record_types="accommodation",
            events="created",
            secret="whsec_x",
            cursor=0,
            status="active",
            created_at=webhooks._now(),
        )
    )
    model.Session.commit()
    _publish(world)
    totals = webhooks.run_once()
    assert totals["failed"] == 1 and receiver.received == []
    error = model.Session.execute(sa.select(delivery_table.c.last_error)).scalar()
    assert "loopback" in error


@PRIVATE_OK
def test_bad_subscriptions_name_the_field(api, world, receivers):
    token = get_token(api, register(world))
    receiver = receivers()
    for body, field in (
        ({}, "url"),
        ({"url": receiver.url, "events": ["exploded"]}, "events"),
        ({"url": receiver.url, "record_types": ["restaurant"]}, "record_types"),
        ({"url": receiver.url, "cursor": "abc"}, "cursor"),
    ):
        response = api.post(HOOKS, json=body, headers=bearer(token))
        assert response.status_code == 400, body
        assert response.json["error"]["parameter"] == field
    assert api.get(HOOKS, headers=bearer(token)).json["webhooks"] == []


@PRIVATE_OK
def test_a_merge_is_a_merged_event_naming_the_kept_record(api, world, receivers):
    receiver = receivers()
    token = get_token(api, register(world))
    _subscribe(api, token, receiver.url, events=["merged"])
    one = _publish(world, name="ks-goc", enterprise_code="4201234567")
    other = _publish(world, name="ks-trung", enterprise_code="4201234567")
    merged = world.call("sysadmin", "khtourism_record_merge", id=one["id"], other_id=other["id"])
    webhooks.run_once()
    [got] = receiver.accepted
    assert got.json["event"] == "merged"
    assert got.json["change"]["change"] == "deleted"
    assert got.json["change"]["replaced_by"] == merged["kept"]["id"]
    assert got.json["change"]["id"] == merged["removed"]["id"]


@PRIVATE_OK
def test_the_cli_dispatches_what_is_due(api, world, receivers, cli):
    from ckanext.khtourism.cli import webhooks as webhooks_group

    receiver = receivers()
    token = get_token(api, register(world))
    _subscribe(api, token, receiver.url)
    _publish(world)
    result = cli.invoke(webhooks_group, ["dispatch"])
    assert result.exit_code == 0, result.output
    assert "queued: 1, delivered: 1" in result.output
    assert len(receiver.accepted) == 1
