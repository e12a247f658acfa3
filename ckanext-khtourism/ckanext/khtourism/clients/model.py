"""Tables of the client registry and its webhooks (migration khts_0010_clients)."""

from __future__ import annotations

import sqlalchemy as sa

import ckan.model as model

metadata = sa.MetaData()

client_table = sa.Table(
    "khtourism_client",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),  # the OAuth client_id
    sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
    sa.Column("owner", sa.UnicodeText, nullable=False),  # a CKAN user name
    sa.Column("contact", sa.UnicodeText, nullable=False),
    sa.Column("scopes", sa.UnicodeText, nullable=False),  # space-separated
    sa.Column("quota_per_minute", sa.Integer, nullable=False),
    sa.Column("quota_per_day", sa.Integer, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),  # active, suspended, revoked
    sa.Column("secret_hash", sa.UnicodeText, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

token_table = sa.Table(
    "khtourism_client_token",
    metadata,
    sa.Column("token_hash", sa.UnicodeText, primary_key=True),  # sha256 of the token
    sa.Column("client_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("scopes", sa.UnicodeText, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

webhook_table = sa.Table(
    "khtourism_webhook",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("client_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("url", sa.UnicodeText, nullable=False),
    sa.Column("record_types", sa.UnicodeText, nullable=False),  # space-separated
    sa.Column("events", sa.UnicodeText, nullable=False),  # space-separated
    sa.Column("secret", sa.UnicodeText, nullable=False),  # HMAC key, shown once
    sa.Column("cursor", sa.BigInteger, nullable=False),  # last change-feed seq queued
    sa.Column("status", sa.UnicodeText, nullable=False),  # active, deleted
    sa.Column("created_at", sa.DateTime, nullable=False),
)

delivery_table = sa.Table(
    "khtourism_webhook_delivery",
    metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),  # the event id the receiver sees
    sa.Column("webhook_id", sa.UnicodeText, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("event", sa.UnicodeText, nullable=False),
    sa.Column("payload", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),  # pending, delivered, dead
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.UnicodeText),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("first_attempt_at", sa.DateTime),
    sa.Column("delivered_at", sa.DateTime),
)
sa.Index(
    "khtourism_webhook_delivery_due",
    delivery_table.c.webhook_id,
    delivery_table.c.status,
    delivery_table.c.seq,
)

TABLES = (delivery_table, webhook_table, token_table, client_table)


def clear() -> None:
    """Empty the tables (tests reset the database; CKAN's reset does not know them)."""
    for table in TABLES:
        model.Session.execute(table.delete())
    model.Session.commit()
