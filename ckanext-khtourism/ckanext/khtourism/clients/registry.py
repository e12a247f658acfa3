"""The client registry: OAuth 2.0 client credentials, bearer tokens, quotas, usage.

A client system is registered by a sysadmin (name, owner — a portal user
whose rights ``read:protected`` borrows —, contact, scopes, quota). Its
secret is shown once and stored only as a salted scrypt hash; rotation
replaces it (and ends the client's tokens), revocation ends the client.
``POST /api/tourism/v1/oauth/token`` (RFC 6749 §4.4) exchanges the
credentials for a short-lived bearer token (``khtc_…``, stored as its
SHA-256). Every request with such a token is counted per client, day and
endpoint in Redis, and refused with 429 beyond the client's quota
(requests per minute and per day, fixed windows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.khtourism.core.messages import N_, translate

from .model import client_table, token_table

SCOPES = ("read:public", "read:protected", "webhooks")
STATUSES = ("active", "suspended", "revoked")
TOKEN_PREFIX = "khtc_"
SECRET_PREFIX = "khts_"
TOKEN_TTL = "ckanext.khtourism.clients.token_ttl"
QUOTA_PER_MINUTE = "ckanext.khtourism.clients.default_quota_per_minute"
QUOTA_PER_DAY = "ckanext.khtourism.clients.default_quota_per_day"
USAGE_DAYS = 400  # usage counts kept this many days
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class ClientError(Exception):
    """A registry operation refused: ``field`` names the input, ``message`` an English
    msgid (core/messages.py catalogue), ``values`` fill its placeholders."""

    def __init__(self, field: str, message: str, **values: Any) -> None:
        super().__init__(message.format(**values))
        self.field = field
        self.message = message
        self.values = values

    def text(self, lang: str | None = None) -> str:
        return translate(self.message, lang).format(**self.values)


@dataclass(frozen=True)
class Caller:
    """The client behind a bearer token."""

    client_id: str
    name: str
    owner: str
    scopes: frozenset[str]
    quota_per_minute: int
    quota_per_day: int


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


# --- secrets ------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        salt=salt.hex(), digest=digest.hex(), **_SCRYPT
    )


def secret_matches(secret: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    candidate = hashlib.scrypt(
        secret.encode("utf-8"), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate.hex(), digest)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- registry -----------------------------------------------------------------------------


def parse_scopes(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    scopes = [str(scope).strip() for scope in (value or []) if str(scope).strip()]
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise ClientError("scopes", N_("Unknown scope: {value}"), value=unknown[0])
    return sorted(set(scopes))


def as_dict(row: Any, usage: bool = False) -> dict[str, Any]:
    data = {
        "client_id": row["id"],
        "name": row["name"],
        "owner": row["owner"],
        "contact": row["contact"],
        "scopes": row["scopes"].split(),
        "quota_per_minute": row["quota_per_minute"],
        "quota_per_day": row["quota_per_day"],
        "status": row["status"],
        "created_at": row["created_at"].isoformat() + "Z",
        "updated_at": row["updated_at"].isoformat() + "Z",
    }
    if usage:
        data["usage"] = usage_counts(row["id"])
    return data


def get(client_id: str) -> Any:
    return (
        model.Session.execute(sa.select(client_table).where(client_table.c.id == client_id))
        .mappings()
        .first()
    )


def get_or_error(client_id: str) -> Any:
    row = get(client_id) if client_id else None
    if row is None:
        raise ClientError("client_id", N_("No client system with this client_id"))
    return row


def list_clients(owner: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(client_table).order_by(client_table.c.name)
    if owner is not None:
        query = query.where(client_table.c.owner == owner)
    return [as_dict(row) for row in model.Session.execute(query).mappings()]


def _quota(value: Any, setting: str, field: str) -> int:
    if value in (None, ""):
        return int(tk.config.get(setting))
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ClientError(field, N_("Must be a whole number of requests, at least 1"))
    return number


def create(
    *,
    name: str,
    owner: str,
    contact: str,
    scopes: Any,
    quota_per_minute: Any = None,
    quota_per_day: Any = None,
) -> tuple[dict[str, Any], str]:
    """Register a client; returns it and its secret (shown once, never stored)."""
    name, contact = (name or "").strip(), (contact or "").strip()
    if not name:
        raise ClientError("name", N_("Missing value"))
    if not contact:
        raise ClientError("contact", N_("Missing value"))
    user = model.User.get(owner) if owner else None
    if user is None or user.state != "active":
        raise ClientError("owner", N_("No active user with this name"))
    if model.Session.execute(
        sa.select(client_table.c.id).where(client_table.c.name == name)
    ).first():
        raise ClientError("name", N_("A client system with this name already exists"))
    scope_list = parse_scopes(scopes)
    if not scope_list:
        raise ClientError("scopes", N_("Missing value"))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    client_id = "khc-" + secrets.token_hex(8)
    model.Session.execute(
        client_table.insert().values(
            id=client_id,
            name=name,
            owner=user.name,
            contact=contact,
            scopes=" ".join(scope_list),
            quota_per_minute=_quota(quota_per_minute, QUOTA_PER_MINUTE, "quota_per_minute"),
            quota_per_day=_quota(quota_per_day, QUOTA_PER_DAY, "quota_per_day"),
            status="active",
            secret_hash=hash_secret(secret),
            created_at=now,
            updated_at=now,
        )
    )
    model.Session.commit()
    return as_dict(get(client_id)), secret


def update(client_id: str, **changes: Any) -> dict[str, Any]:
    """Change name, owner, contact, scopes, quotas or status (``active``/``suspended``)."""
    row = get_or_error(client_id)
    if row["status"] == "revoked":
        raise ClientError("status", N_("A revoked client system cannot be changed"))
    values: dict[str, Any] = {}
    if changes.get("name") not in (None, ""):
        values["name"] = str(changes["name"]).strip()
    if changes.get("contact") not in (None, ""):
        values["contact"] = str(changes["contact"]).strip()
    if changes.get("owner") not in (None, ""):
        user = model.User.get(changes["owner"])
        if user is None or user.state != "active":
            raise ClientError("owner", N_("No active user with this name"))
        values["owner"] = user.name
    if changes.get("scopes") is not None:
        scope_list = parse_scopes(changes["scopes"])
        if not scope_list:
            raise ClientError("scopes", N_("Missing value"))
        values["scopes"] = " ".join(scope_list)
    for field, setting in (
        ("quota_per_minute", QUOTA_PER_MINUTE),
        ("quota_per_day", QUOTA_PER_DAY),
    ):
        if changes.get(field) not in (None, ""):
            values[field] = _quota(changes[field], setting, field)
    if changes.get("status") not in (None, ""):
        if changes["status"] not in ("active", "suspended"):
            raise ClientError("status", N_("Must be one of: active, suspended"))
        values["status"] = changes["status"]
    values["updated_at"] = _now()
    model.Session.execute(
        client_table.update().where(client_table.c.id == client_id).values(**values)
    )
    if values.get("status") == "suspended" or "scopes" in values:
        # tokens carry the scopes of their issue: a narrower grant needs new tokens
        _end_tokens(client_id)
    model.Session.commit()
    return as_dict(get(client_id))


def _end_tokens(client_id: str) -> None:
    model.Session.execute(token_table.delete().where(token_table.c.client_id == client_id))


def rotate_secret(client_id: str) -> tuple[dict[str, Any], str]:
    """A new secret (shown once); the old one and every token issued with it stop working."""
    row = get_or_error(client_id)
    if row["status"] == "revoked":
        raise ClientError("status", N_("A revoked client system cannot be changed"))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    model.Session.execute(
        client_table.update()
        .where(client_table.c.id == client_id)
        .values(secret_hash=hash_secret(secret), updated_at=_now())
    )
    _end_tokens(client_id)
    model.Session.commit()
    return as_dict(get(client_id)), secret


def revoke(client_id: str) -> dict[str, Any]:
    """End the client for good: its secret and tokens stop working, its webhooks stop."""
    from .model import webhook_table

    get_or_error(client_id)
    model.Session.execute(
        client_table.update()
        .where(client_table.c.id == client_id)
        .values(status="revoked", updated_at=_now())
    )
    _end_tokens(client_id)
    model.Session.execute(
        webhook_table.update()
        .where(webhook_table.c.client_id == client_id)
        .values(status="deleted")
    )
    model.Session.commit()
    return as_dict(get(client_id))


# --- tokens -------------------------------------------------------------------------------


def authenticate(client_id: str, secret: str) -> Any:
    """The active client with these credentials, or None."""
    row = get(client_id) if client_id else None
    if row is None or row["status"] != "active":
        # the same work as a real check: no timing difference for unknown ids
        secret_matches(secret or "", hash_secret("-"))
        return None
    return row if secret_matches(secret or "", row["secret_hash"]) else None


def issue_token(row: Any, requested: str | None) -> tuple[str, int, list[str]]:
    """A bearer token for the client: (token, seconds it lasts, its scopes).

    ``requested``: the ``scope`` parameter (a subset of the client's scopes), or None."""
    granted = row["scopes"].split()
    if requested:
        wanted = requested.split()
        refused = [scope for scope in wanted if scope not in granted]
        if refused:
            raise ClientError("scope", N_("Unknown scope: {value}"), value=refused[0])
        granted = sorted(set(wanted))
    ttl = int(tk.config.get(TOKEN_TTL))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    model.Session.execute(
        token_table.delete().where(
            token_table.c.client_id == row["id"], token_table.c.expires_at < now
        )
    )
    model.Session.execute(
        token_table.insert().values(
            token_hash=_token_hash(token),
            client_id=row["id"],
            scopes=" ".join(granted),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
        )
    )
    model.Session.commit()
    return token, ttl, granted


def is_client_token(token: str | None) -> bool:
    return bool(token and token.startswith(TOKEN_PREFIX))


def caller_for_token(token: str) -> Caller | None:
    """The client of a valid, unexpired token of an active client, or None."""
    row = (
        model.Session.execute(
            sa.select(token_table.c.scopes, token_table.c.expires_at, client_table)
            .join(client_table, client_table.c.id == token_table.c.client_id)
            .where(token_table.c.token_hash == _token_hash(token))
        )
        .mappings()
        .first()
    )
    if row is None or row["status"] != "active" or row["expires_at"] <= _now():
        return None
    return Caller(
        client_id=row["id"],
        name=row["name"],
        owner=row["owner"],
        scopes=frozenset(row["scopes"].split()),
        quota_per_minute=row["quota_per_minute"],
        quota_per_day=row["quota_per_day"],
    )


# --- quota and usage ----------------------------------------------------------------------


def _redis() -> Any:
    return connect_to_redis()


def count_request(caller: Caller, endpoint: str, now: float | None = None) -> int | None:
    """Count one request of ``caller`` on ``endpoint``; seconds to wait when over quota
    (the request is then not counted as usage), else None."""
    now = time.time() if now is None else now
    minute, day = int(now // 60), int(now // 86400)
    minute_key = f"khtourism-client-quota:{caller.client_id}:m:{minute}"
    day_key = f"khtourism-client-quota:{caller.client_id}:d:{day}"
    redis = _redis()
    pipe = redis.pipeline()
    pipe.incr(minute_key)
    pipe.expire(minute_key, 120)
    pipe.incr(day_key)
    pipe.expire(day_key, 2 * 86400)
    in_minute, _, in_day, _ = pipe.execute()
    if in_day > caller.quota_per_day:
        return max(1, int((day + 1) * 86400 - now) + 1)
    if in_minute > caller.quota_per_minute:
        return max(1, int((minute + 1) * 60 - now) + 1)
    date = dt.datetime.utcfromtimestamp(now).strftime("%Y-%m-%d")
    usage_key = f"khtourism-client-usage:{caller.client_id}:{date}"
    pipe = redis.pipeline()
    pipe.hincrby(usage_key, endpoint, 1)
    pipe.expire(usage_key, USAGE_DAYS * 86400)
    pipe.execute()
    return None


def usage_counts(client_id: str, days: int = 30) -> list[dict[str, Any]]:
    """Requests per day and endpoint, newest day first, for the last ``days`` days."""
    redis = _redis()
    today = _now().date()
    dates = [(today - dt.timedelta(days=n)).isoformat() for n in range(days)]
    pipe = redis.pipeline()
    for date in dates:
        pipe.hgetall(f"khtourism-client-usage:{client_id}:{date}")
    result = []
    for date, counts in zip(dates, pipe.execute(), strict=True):
        if counts:
            endpoints = {
                (k.decode() if isinstance(k, bytes) else k): int(v) for k, v in counts.items()
            }
            result.append(
                {"date": date, "requests": sum(endpoints.values()), "endpoints": endpoints}
            )
    return result
