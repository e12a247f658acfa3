"""Personal data: khtourism_privacy_access, who read a tour guide's private fields, when.

One row per access by a person (a page, an API call, an export, an erasure)
to a record's private fields (records/personal_data.py); sysadmins read it
through ``khtourism_privacy_access_log`` and /ckan-admin/privacy-access.

Revision ID: khts_0007_privacy_access_log
Revises: khts_0006_establishment_id
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "khts_0007_privacy_access_log"
down_revision = "khts_0006_establishment_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "khtourism_privacy_access",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("accessed_at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("package_name", sa.UnicodeText),
        sa.Column("access", sa.UnicodeText, nullable=False),
        sa.Column("via", sa.UnicodeText),
    )
    op.create_index(
        "khtourism_privacy_access_package", "khtourism_privacy_access", ["package_id", "id"]
    )
    op.create_index("khtourism_privacy_access_at", "khtourism_privacy_access", ["accessed_at"])


def downgrade() -> None:
    op.drop_table("khtourism_privacy_access")
