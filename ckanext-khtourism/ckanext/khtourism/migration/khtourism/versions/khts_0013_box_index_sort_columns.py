"""Search: the box index also carries the default sort columns of a map search.

A box search without words orders its hits by overlap, then by last modification and id
(``search/spatial.py``). The covering GiST index of ``khts_0004`` held every column of the
filter and of the overlap but not ``metadata_modified`` and ``id``, so each hit was read
from the table, and PostgreSQL also combined the index with the record type's index
(44,985 keys for 164 in the box): 4.7 ms for a 4 x 4 km box at 100,000 documents. With
both columns included it answers from the index alone: 0.8 ms (issue 20; the tourism API's
new-box-every-request benchmark, docs/performance.md).

Revision ID: khts_0013_box_index_sort_columns
Revises: khts_0012_search_trim_horizon
"""

from __future__ import annotations

from alembic import op

revision = "khts_0013_box_index_sort_columns"
down_revision = "khts_0012_search_trim_horizon"
branch_labels = None
depends_on = None

BOX = "box(point(min_x, min_y), point(max_x, max_y))"
COVERED = (
    "min_x, min_y, max_x, max_y, doc_key, state, site_id, dataset_type, capacity, permission_labels"
)


def _box_index(included: str) -> None:
    op.execute("DROP INDEX IF EXISTS khtourism_search_doc_box_idx")
    op.execute(
        f"CREATE INDEX khtourism_search_doc_box_idx ON khtourism_search_doc USING gist ({BOX})"
        f" INCLUDE ({included}) WHERE min_x IS NOT NULL"
    )


def upgrade() -> None:
    _box_index(f"{COVERED}, metadata_modified, id")


def downgrade() -> None:
    _box_index(COVERED)
