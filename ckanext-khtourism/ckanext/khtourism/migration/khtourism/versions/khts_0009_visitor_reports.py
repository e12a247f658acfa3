"""Monthly visitor reports of establishments (docs/statistics.md).

``khtourism_visitor_report``: one row per establishment (its portal identifier,
``KH-LT-…`` / ``KH-LH-…``) and month (``YYYY-MM``), counts only — no identity
document, no name of a guest. ``khtourism_visitor_report_nationality``: the
international guests of a report by nationality (ISO 3166-1 alpha-2).
``khtourism_visitor_reminder``: the e-mail reminders sent (one per establishment and month).

Revision ID: khts_0009_visitor_reports
Revises: khts_0008_search_inline_columns
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "khts_0009_visitor_reports"
down_revision = "khts_0008_search_inline_columns"
branch_labels = None
depends_on = None

COUNTS = (
    # accommodation
    "overnight_international",
    "overnight_domestic",
    "sameday_international",
    "sameday_domestic",
    "guest_nights_international",
    "guest_nights_domestic",
    "room_nights_sold",
    "rooms_available",
    "revenue_international",
    "revenue_domestic",
    # travel businesses
    "tours_inbound",
    "tours_outbound",
    "tours_domestic",
    "guests_inbound",
    "guests_outbound",
    "guests_domestic",
)


def upgrade() -> None:
    op.create_table(
        "khtourism_visitor_report",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("establishment_id", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText),
        sa.Column("admin_unit", sa.UnicodeText),
        sa.Column("former_district", sa.UnicodeText),
        sa.Column("accommodation_type", sa.UnicodeText),
        sa.Column("state", sa.UnicodeText, nullable=False),
        *(sa.Column(name, sa.BigInteger) for name in COUNTS),
        sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("submitted_by", sa.UnicodeText),
        sa.Column("submitted_at", sa.DateTime),
        sa.Column("reviewed_by", sa.UnicodeText),
        sa.Column("reviewed_at", sa.DateTime),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("pending", sa.UnicodeText),
        sa.Column("pending_by", sa.UnicodeText),
        sa.Column("pending_at", sa.DateTime),
        sa.UniqueConstraint("establishment_id", "period", name="khtourism_visitor_report_uq"),
    )
    op.create_index(
        "khtourism_visitor_report_period_state",
        "khtourism_visitor_report",
        ["period", "state"],
    )
    op.create_index("khtourism_visitor_report_org", "khtourism_visitor_report", ["owner_org"])
    # max(modified), max(reviewed_at): the version of the aggregates' cache
    op.create_index("khtourism_visitor_report_modified", "khtourism_visitor_report", ["modified"])
    op.create_index(
        "khtourism_visitor_report_reviewed", "khtourism_visitor_report", ["reviewed_at"]
    )
    op.create_table(
        "khtourism_visitor_report_nationality",
        sa.Column(
            "report_id",
            sa.UnicodeText,
            sa.ForeignKey("khtourism_visitor_report.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("country", sa.UnicodeText, primary_key=True),
        sa.Column("guests", sa.BigInteger, nullable=False),
    )

    # reminders sent (one per establishment and month; reporting/reminders.py)
    op.create_table(
        "khtourism_visitor_reminder",
        sa.Column("establishment_id", sa.UnicodeText, primary_key=True),
        sa.Column("period", sa.UnicodeText, primary_key=True),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("khtourism_visitor_reminder")
    op.drop_table("khtourism_visitor_report_nationality")
    op.drop_table("khtourism_visitor_report")
