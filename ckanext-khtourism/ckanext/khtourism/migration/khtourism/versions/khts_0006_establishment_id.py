"""Establishment identity: the identifier sequence, existing records' identifiers,
duplicate pairs, and ``replaced_by`` in the change feed.

Every existing place-type record gets its portal identifier (``KH-LT-…``
accommodation, ``KH-LH-…`` tour operator, ``KH-DT-…`` heritage site), oldest
record first; new records get theirs when they are created (records/identity.py).
Run ``ckan search-index rebuild`` after the upgrade so that search sees them.

Revision ID: khts_0006_establishment_id
Revises: khts_0005_distinct_facet_terms
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "khts_0006_establishment_id"
down_revision = "khts_0005_distinct_facet_terms"
branch_labels = None
depends_on = None

SEQUENCE = "khtourism_establishment_id_seq"
# the prefixes the schemas give (schemas/*.yaml, id_prefix of khtourism_establishment_id)
PREFIXES = {"accommodation": "KH-LT", "tour-operator": "KH-LH", "heritage-site": "KH-DT"}


def upgrade() -> None:
    op.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START 1")
    for dataset_type, prefix in PREFIXES.items():
        op.execute(
            sa.text(
                f"""
                INSERT INTO package_extra (id, package_id, key, value, state)
                SELECT md5(random()::text || p.id), p.id, 'establishment_id',
                       :prefix || '-' || lpad(nextval('{SEQUENCE}')::text, 6, '0'), 'active'
                FROM (
                    SELECT id FROM package
                    WHERE type = :dataset_type
                      AND NOT EXISTS (
                          SELECT 1 FROM package_extra e
                          WHERE e.package_id = package.id AND e.key = 'establishment_id'
                      )
                    ORDER BY metadata_created, id
                ) p
                """
            ).bindparams(prefix=prefix, dataset_type=dataset_type)
        )
    op.create_table(
        "khtourism_duplicate_pair",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("record_a", sa.UnicodeText, nullable=False),
        sa.Column("record_b", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("found_by", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decided_at", sa.DateTime),
        sa.UniqueConstraint("record_a", "record_b", name="khtourism_duplicate_pair_uq"),
    )
    op.create_index("khtourism_duplicate_pair_state_idx", "khtourism_duplicate_pair", ["state"])
    op.add_column("khtourism_api_change", sa.Column("replaced_by", sa.UnicodeText))


def downgrade() -> None:
    op.drop_column("khtourism_api_change", "replaced_by")
    op.drop_table("khtourism_duplicate_pair")
    op.execute("DELETE FROM package_extra WHERE key = 'establishment_id'")
    op.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
