"""Signed webhooks: a client's subscriptions, their deliveries, retries and dead letters.

A subscription names a URL, record types and events (``created``, ``updated``,
``withdrawn``, ``unpublished``, ``deleted``, ``merged`` — a removal that names
the record it was merged into). Deliveries follow the change feed
(``changelog/changes.py``): :func:`queue_changes` reads each subscription's
feed from its cursor and stores one delivery per matching entry;
:func:`deliver` POSTs the due ones. Both run in the portal's background-jobs
worker (:func:`dispatch_job`, queued after every change of a record, and
``ckan khtourism webhooks dispatch`` every minute for the retries), never in
the request that made the change.

The body is JSON ``{"id", "event", "webhook_id", "change"}``; headers
``X-Khtourism-Event-Id``, ``X-Khtourism-Timestamp`` (Unix seconds) and
``X-Khtourism-Signature: v1=<hex>`` where ``<hex>`` is HMAC-SHA256 with the
subscription's secret over ``"<timestamp>." + body``. A delivery whose
receiver does not answer 2xx within the timeout is retried with exponential
backoff (``retry_base`` × 2^(attempt−1) seconds); when ``retry_for`` seconds
(24 h) have passed since the change it is parked as a dead letter. Per
subscription, deliveries of one record keep the feed's order: a later change
of a record waits while an earlier one is being retried. Receivers are
contacted through ``outbound.py``: public addresses only, unless
``ckanext.khtourism.webhooks.allow_private_addresses`` (tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
import zlib
from typing import Any

import requests
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.khtourism import outbound
from ckanext.khtourism.changelog.changes import change_table, read_changes
from ckanext.khtourism.core.messages import N_
from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.core.side_connections import side_engine

from .model import client_table, delivery_table, webhook_table
from .registry import ClientError

log = logging.getLogger(__name__)

EVENTS = ("created", "updated", "withdrawn", "unpublished", "deleted", "merged")
TIMEOUT = "ckanext.khtourism.webhooks.timeout"
RETRY_BASE = "ckanext.khtourism.webhooks.retry_base"
RETRY_FOR = "ckanext.khtourism.webhooks.retry_for"
ALLOW_PRIVATE = "ckanext.khtourism.webhooks.allow_private_addresses"
MAX_PER_CLIENT = "ckanext.khtourism.webhooks.max_per_client"
SIGNATURE_HEADER = "X-Khtourism-Signature"
TIMESTAMP_HEADER = "X-Khtourism-Timestamp"
EVENT_ID_HEADER = "X-Khtourism-Event-Id"
BATCH = 500
RECORD_ACTIONS = (
    "package_create",
    "package_update",
    "package_patch",
    "package_delete",
    "dataset_purge",
    "khtourism_record_approve",
    "khtourism_record_merge",
)


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


def record_types_known() -> tuple[str, ...]:
    """The record types a subscription may name (the one declaration of the types)."""
    return tuple(RECORD_TYPES)


def policy() -> outbound.Policy:
    """Receivers: public addresses only unless the (test) setting allows private ones."""
    timeout = float(tk.config.get(TIMEOUT))
    return outbound.Policy(
        allow_private=tk.asbool(tk.config.get(ALLOW_PRIVATE)),
        timeout=timeout,
        max_bytes=64 * 1024,
    )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def event_of(entry: dict[str, Any]) -> str:
    return "merged" if entry.get("replaced_by") else entry["change"]


def _words(value: Any, allowed: tuple[str, ...], field: str) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    words = sorted({str(word).strip() for word in (value or []) if str(word).strip()})
    for word in words:
        if word not in allowed:
            raise ClientError(field, N_("Unknown value: {value}"), value=word)
    return words


def as_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "client_id": row["client_id"],
        "url": row["url"],
        "record_types": row["record_types"].split(),
        "events": row["events"].split(),
        "cursor": str(row["cursor"]),
        "status": row["status"],
        "created_at": row["created_at"].isoformat() + "Z",
    }


def _current_seq() -> int:
    return int(model.Session.execute(sa.select(sa.func.max(change_table.c.seq))).scalar() or 0)


def subscribe(
    client_id: str,
    url: str,
    record_types: Any = None,
    events: Any = None,
    cursor: Any = None,
) -> tuple[dict[str, Any], str]:
    """A new subscription (from the feed's current end, or after ``cursor``) and its
    signing secret, shown once."""
    url = (url or "").strip()
    if not url:
        raise ClientError("url", N_("Missing value"))
    try:
        outbound.check_url(url, policy())
    except outbound.AddressRefused as error:
        raise ClientError(
            "url",
            N_("The portal does not send webhooks to this address: {detail}"),
            detail=str(error),
        ) from error
    types = _words(record_types, record_types_known(), "record_types") or list(record_types_known())
    wanted = _words(events, EVENTS, "events") or list(EVENTS)
    if cursor in (None, ""):
        start = _current_seq()
    else:
        try:
            start = int(cursor)
        except (TypeError, ValueError):
            raise ClientError("cursor", N_("Must be a cursor of the change feed")) from None
        if start < 0:
            raise ClientError("cursor", N_("Must be a cursor of the change feed"))
    active = model.Session.execute(
        sa.select(sa.func.count())
        .select_from(webhook_table)
        .where(webhook_table.c.client_id == client_id, webhook_table.c.status == "active")
    ).scalar()
    if active >= int(tk.config.get(MAX_PER_CLIENT)):
        raise ClientError("url", N_("This client system has reached its number of subscriptions"))
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook_id = str(uuid.uuid4())
    model.Session.execute(
        webhook_table.insert().values(
            id=webhook_id,
            client_id=client_id,
            url=url,
            record_types=" ".join(types),
            events=" ".join(wanted),
            secret=secret,
            cursor=start,
            status="active",
            created_at=_now(),
        )
    )
    model.Session.commit()
    return get(webhook_id, client_id), secret


class UnknownWebhook(ClientError):
    """No subscription with this id (of this client): the API answers 404."""


def _row(webhook_id: str, client_id: str | None) -> Any:
    query = sa.select(webhook_table).where(webhook_table.c.id == webhook_id)
    if client_id is not None:
        query = query.where(webhook_table.c.client_id == client_id)
    row = model.Session.execute(query).mappings().first()
    if row is None:
        raise UnknownWebhook("id", N_("No webhook subscription with this id"))
    return row


def get(webhook_id: str, client_id: str | None = None) -> dict[str, Any]:
    return as_dict(_row(webhook_id, client_id))


def list_webhooks(client_id: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(webhook_table).order_by(webhook_table.c.created_at)
    if client_id is not None:
        query = query.where(webhook_table.c.client_id == client_id)
    return [as_dict(row) for row in model.Session.execute(query).mappings()]


def unsubscribe(webhook_id: str, client_id: str | None = None) -> dict[str, Any]:
    """Stop a subscription: nothing more is queued or sent (pending deliveries are dropped)."""
    _row(webhook_id, client_id)
    model.Session.execute(
        webhook_table.update().where(webhook_table.c.id == webhook_id).values(status="deleted")
    )
    model.Session.execute(
        delivery_table.delete().where(
            delivery_table.c.webhook_id == webhook_id, delivery_table.c.status == "pending"
        )
    )
    model.Session.commit()
    return get(webhook_id)


def replay(webhook_id: str, cursor: Any, client_id: str | None = None) -> dict[str, Any]:
    """Deliver again every matching change after ``cursor`` (new event ids), and put the
    subscription's dead letters back in line."""
    row = _row(webhook_id, client_id)
    if row["status"] != "active":
        raise ClientError("id", N_("This webhook subscription has been deleted"))
    try:
        start = int(cursor)
    except (TypeError, ValueError):
        raise ClientError("cursor", N_("Must be a cursor of the change feed")) from None
    if start < 0:
        raise ClientError("cursor", N_("Must be a cursor of the change feed"))
    model.Session.execute(
        delivery_table.delete().where(
            delivery_table.c.webhook_id == webhook_id,
            delivery_table.c.status.in_(("pending", "dead")),
        )
    )
    model.Session.execute(
        webhook_table.update().where(webhook_table.c.id == webhook_id).values(cursor=start)
    )
    model.Session.commit()
    return get(webhook_id)


def dead_letters(client_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    query = (
        sa.select(delivery_table, webhook_table.c.client_id, webhook_table.c.url)
        .join(webhook_table, webhook_table.c.id == delivery_table.c.webhook_id)
        .where(delivery_table.c.status == "dead")
        .order_by(delivery_table.c.seq)
        .limit(limit)
    )
    if client_id is not None:
        query = query.where(webhook_table.c.client_id == client_id)
    return [
        {
            "id": row["id"],
            "webhook_id": row["webhook_id"],
            "client_id": row["client_id"],
            "url": row["url"],
            "event": row["event"],
            "cursor": str(row["seq"]),
            "attempts": row["attempts"],
            "last_error": row["last_error"],
            "created_at": row["created_at"].isoformat() + "Z",
            "change": json.loads(row["payload"])["change"],
        }
        for row in model.Session.execute(query).mappings()
    ]


# --- queueing and delivery (background jobs) --------------------------------------------


def queue_changes(now: dt.datetime | None = None) -> int:
    """Store a delivery for every change after each active subscription's cursor."""
    now = now or _now()
    queued = 0
    webhook_ids = list(
        model.Session.execute(
            sa.select(webhook_table.c.id)
            .join(client_table, client_table.c.id == webhook_table.c.client_id)
            .where(webhook_table.c.status == "active", client_table.c.status == "active")
        ).scalars()
    )
    model.Session.commit()
    for webhook_id in webhook_ids:
        row = (
            model.Session.execute(
                sa.select(webhook_table)
                .where(webhook_table.c.id == webhook_id, webhook_table.c.status == "active")
                .with_for_update(skip_locked=True)
            )
            .mappings()
            .first()
        )
        if row is None:  # another worker holds it, or it was just deleted
            model.Session.rollback()
            continue
        cursor = int(row["cursor"])
        events = set(row["events"].split())
        while True:
            entries, more = read_changes(
                after_seq=cursor, since=None, dataset_types=row["record_types"].split(), limit=BATCH
            )
            for entry in entries:
                cursor = int(entry["cursor"])
                event = event_of(entry)
                if event not in events:
                    continue
                delivery_id = str(uuid.uuid4())
                body = {
                    "id": delivery_id,
                    "event": event,
                    "webhook_id": webhook_id,
                    "change": entry,
                }
                model.Session.execute(
                    delivery_table.insert().values(
                        id=delivery_id,
                        webhook_id=webhook_id,
                        seq=cursor,
                        package_id=entry["id"],
                        event=event,
                        payload=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
                queued += 1
            if not more:
                break
        model.Session.execute(
            webhook_table.update().where(webhook_table.c.id == webhook_id).values(cursor=cursor)
        )
        model.Session.commit()
    return queued


def _backoff(attempts: int) -> float:
    base = float(tk.config.get(RETRY_BASE))
    return base * 2 ** max(0, attempts - 1)


def _post(url: str, secret: str, delivery_id: str, payload: str) -> str | None:
    """Send one delivery; None on a 2xx answer, else what went wrong."""
    body = payload.encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    rules = policy()
    try:
        with outbound.session(rules.timeout, rules) as guarded:
            response = guarded.post(url, data=body, headers=headers, allow_redirects=False)
    except requests.exceptions.RequestException as error:
        known = outbound.cause(error, outbound.OutboundError)
        if isinstance(error, requests.exceptions.Timeout) or isinstance(known, outbound.TimedOut):
            return f"timed out after {rules.timeout:g} s"
        return outbound.excerpt(outbound.scrub(str(known or error)), 300)
    if 200 <= response.status_code < 300:
        return None
    return outbound.status_text(response)


def _lock_key(webhook_id: str) -> int:
    return zlib.crc32(("khtourism-webhook:" + webhook_id).encode()) - 2**31


def deliver(webhook_id: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the due deliveries of one subscription, in feed order; counts by outcome.

    One worker at a time per subscription (a PostgreSQL advisory lock): deliveries of
    a record never overtake each other. A record whose delivery failed waits for its
    retry; the other records' deliveries go on."""
    counts = {"delivered": 0, "failed": 0, "dead": 0}
    retry_for = dt.timedelta(seconds=float(tk.config.get(RETRY_FOR)))
    with model.meta.engine.connect() as lock:
        if not lock.execute(
            sa.select(sa.func.pg_try_advisory_lock(_lock_key(webhook_id)))
        ).scalar():
            return counts
        try:
            hook = (
                model.Session.execute(
                    sa.select(webhook_table).where(webhook_table.c.id == webhook_id)
                )
                .mappings()
                .first()
            )
            rows = (
                model.Session.execute(
                    sa.select(delivery_table)
                    .where(
                        delivery_table.c.webhook_id == webhook_id,
                        delivery_table.c.status == "pending",
                    )
                    .order_by(delivery_table.c.seq)
                )
                .mappings()
                .all()
            )
            model.Session.commit()
            if hook is None or hook["status"] != "active":
                return counts
            waiting: set[str] = set()
            for row in rows:
                moment = now or _now()
                if row["package_id"] in waiting or row["next_attempt_at"] > moment:
                    waiting.add(row["package_id"])
                    continue
                error = _post(hook["url"], hook["secret"], row["id"], row["payload"])
                moment = now or _now()
                values: dict[str, Any] = {"attempts": row["attempts"] + 1}
                if row["first_attempt_at"] is None:
                    values["first_attempt_at"] = moment
                if error is None:
                    values.update(status="delivered", delivered_at=moment, last_error=None)
                    counts["delivered"] += 1
                else:
                    values["last_error"] = error
                    waiting.add(row["package_id"])
                    retry_at = moment + dt.timedelta(seconds=_backoff(row["attempts"] + 1))
                    if retry_at - row["created_at"] > retry_for:
                        values["status"] = "dead"
                        counts["dead"] += 1
                    else:
                        values["next_attempt_at"] = retry_at
                        counts["failed"] += 1
                model.Session.execute(
                    delivery_table.update()
                    .where(delivery_table.c.id == row["id"], delivery_table.c.status == "pending")
                    .values(**values)
                )
                model.Session.commit()
        finally:
            lock.execute(sa.select(sa.func.pg_advisory_unlock(_lock_key(webhook_id))))
    return counts


def due_webhooks(now: dt.datetime | None = None) -> list[str]:
    now = now or _now()
    ids = list(
        model.Session.execute(
            sa.select(delivery_table.c.webhook_id)
            .where(delivery_table.c.status == "pending", delivery_table.c.next_attempt_at <= now)
            .distinct()
        ).scalars()
    )
    model.Session.commit()
    return ids


def run_once(now: dt.datetime | None = None) -> dict[str, int]:
    """Queue the new changes and send what is due, every subscription in turn."""
    totals = {"queued": queue_changes(now), "delivered": 0, "failed": 0, "dead": 0}
    for webhook_id in due_webhooks(now):
        for key, value in deliver(webhook_id, now).items():
            totals[key] += value
    return totals


def deliver_job(webhook_id: str) -> None:
    """Background job: send the due deliveries of one subscription."""
    deliver(webhook_id)


PENDING_KEY = "khtourism-webhooks-dispatch-pending"
# the jobs worker takes this queue first (`ckan jobs worker khtourism-webhooks default`):
# a delivery never waits behind the default queue's long jobs (registry refreshes)
QUEUE = "khtourism-webhooks"


def dispatch_job() -> None:
    """Background job: queue the new changes, then one delivery job per subscription
    with due deliveries (a slow receiver holds up only its own job)."""
    # a change committed from now on queues a new dispatch (on_action_succeeded)
    try:
        connect_to_redis().delete(PENDING_KEY)
    except Exception:  # Redis trouble: the minute timer dispatches anyway
        log.exception("Could not clear the webhook dispatch flag")
    queue_changes()
    for webhook_id in due_webhooks():
        tk.enqueue_job(
            deliver_job,
            [webhook_id],
            title=f"khtourism: webhook deliveries {webhook_id}",
            queue=QUEUE,
        )


def has_subscriptions() -> bool:
    """Any active subscription (on a side connection, ``core/side_connections.py``: a
    failure here never leaves the caller's session in a failed transaction, and the
    caller's session keeps its own connection meanwhile)."""
    with side_engine().connect() as connection:
        found = connection.execute(
            sa.select(webhook_table.c.id).where(webhook_table.c.status == "active").limit(1)
        ).first()
    return found is not None


def on_action_succeeded(action: str, **_kwargs: Any) -> None:
    """``action_succeeded`` listener: after a record's change is committed, queue the
    dispatch job (the request itself never contacts a receiver)."""
    if action not in RECORD_ACTIONS:
        return
    try:
        # at most one dispatch waits in the queue: it reads every change committed before
        # it starts (the flag expires, should a job be lost, after a minute)
        if has_subscriptions() and connect_to_redis().set(PENDING_KEY, "1", nx=True, ex=60):
            tk.enqueue_job(dispatch_job, [], title="khtourism: webhook dispatch", queue=QUEUE)
    except Exception:  # a queue outage must not fail the user's edit; the timer dispatches too
        log.exception("Could not queue the webhook dispatch")
