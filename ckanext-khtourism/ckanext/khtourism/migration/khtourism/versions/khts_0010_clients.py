"""Registered client systems: clients, their bearer tokens, webhooks and deliveries
(clients/model.py, docs/integration.md).

Revision ID: khts_0010_clients
Revises: khts_0009_visitor_reports
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "khts_0010_clients"
down_revision = "khts_0009_visitor_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "khtourism_client",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("owner", sa.UnicodeText, nullable=False),
        sa.Column("contact", sa.UnicodeText, nullable=False),
        sa.Column("scopes", sa.UnicodeText, nullable=False),
        sa.Column("quota_per_minute", sa.Integer, nullable=False),
        sa.Column("quota_per_day", sa.Integer, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("secret_hash", sa.UnicodeText, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "khtourism_client_token",
        sa.Column("token_hash", sa.UnicodeText, primary_key=True),
        sa.Column("client_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("scopes", sa.UnicodeText, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "khtourism_webhook",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("client_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("record_types", sa.UnicodeText, nullable=False),
        sa.Column("events", sa.UnicodeText, nullable=False),
        sa.Column("secret", sa.UnicodeText, nullable=False),
        sa.Column("cursor", sa.BigInteger, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "khtourism_webhook_delivery",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("webhook_id", sa.UnicodeText, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("payload", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("last_error", sa.UnicodeText),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("first_attempt_at", sa.DateTime),
        sa.Column("delivered_at", sa.DateTime),
    )
    op.create_index(
        "khtourism_webhook_delivery_due",
        "khtourism_webhook_delivery",
        ["webhook_id", "status", "seq"],
    )


def downgrade() -> None:
    op.drop_table("khtourism_webhook_delivery")
    op.drop_table("khtourism_webhook")
    op.drop_table("khtourism_client_token")
    op.drop_table("khtourism_client")
