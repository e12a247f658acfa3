"""Tourism API change feed: khtourism_api_change.

Revision ID: khts_0003_api_changes
Revises: khts_0002_workflow
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "khts_0003_api_changes"
down_revision = "khts_0002_workflow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "khtourism_api_change",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("dataset_type", sa.UnicodeText, nullable=False),
        sa.Column("change", sa.UnicodeText, nullable=False),
        sa.Column("operating_status", sa.UnicodeText),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("metadata_modified", sa.DateTime),
    )
    op.create_index(
        "khtourism_api_change_package_seq", "khtourism_api_change", ["package_id", "seq"]
    )
    op.create_index("khtourism_api_change_changed_at", "khtourism_api_change", ["changed_at"])
    op.create_index(
        "khtourism_api_change_type_seq", "khtourism_api_change", ["dataset_type", "seq"]
    )


def downgrade() -> None:
    op.drop_table("khtourism_api_change")
