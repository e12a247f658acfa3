"""Workflow: pending revisions of published tourism records.

Revision ID: khts_0002_workflow
Revises: khts_0001_search_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "khts_0002_workflow"
down_revision = "khts_0001_search_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "khtourism_pending_revision",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "package_id",
            sa.UnicodeText,
            sa.ForeignKey("package.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("state", sa.UnicodeText, nullable=False, server_default="pending"),
        sa.Column("data", sa.UnicodeText, nullable=False),
        sa.Column("submitted_by", sa.UnicodeText, nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
        sa.Column("reviewed_by", sa.UnicodeText),
        sa.Column("reviewed_at", sa.DateTime),
        sa.Column("reason", sa.UnicodeText),
    )
    op.create_index(
        "khtourism_pending_revision_package_state_idx",
        "khtourism_pending_revision",
        ["package_id", "state"],
    )


def downgrade() -> None:
    op.drop_index("khtourism_pending_revision_package_state_idx", "khtourism_pending_revision")
    op.drop_table("khtourism_pending_revision")
