"""Search: the spatial index covers the columns of spatial queries (index-only scans).

A radius or bounding-box search reads, for every dataset in the box, only its
extent and the visibility filters (state, site, type, capacity, permission
labels). With those columns in the GiST index itself, PostgreSQL answers from
the index without visiting the wide table rows (10× faster at 100,000
datasets, see docs/performance.md), as long as the visibility map is current
(autovacuum; `ckan search-index rebuild` vacuums after a full rebuild).

Revision ID: khts_0004_spatial_covering
Revises: khts_0003_api_changes
"""

from __future__ import annotations

from alembic import op

revision = "khts_0004_spatial_covering"
down_revision = "khts_0003_api_changes"
branch_labels = None
depends_on = None

BOX = "box(point(min_x, min_y), point(max_x, max_y))"


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS khtourism_search_doc_box_idx")
    op.execute(
        f"CREATE INDEX khtourism_search_doc_box_idx ON khtourism_search_doc USING gist ({BOX})"
        " INCLUDE (min_x, min_y, max_x, max_y, doc_key, state, site_id, dataset_type, capacity,"
        " permission_labels) WHERE min_x IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS khtourism_search_doc_box_idx")
    op.execute(
        f"CREATE INDEX khtourism_search_doc_box_idx ON khtourism_search_doc USING gist ({BOX})"
        " WHERE min_x IS NOT NULL"
    )
