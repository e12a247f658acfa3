"""Search: the small columns every hit reads stay inline in the heap row (issue 20).

``khts_0001`` set ``toast_tuple_target = 512`` so that the big columns (the
document, the stored dicts, the full-text vector) go to TOAST. It left the small
text columns at their default storage (``EXTENDED``), and PostgreSQL's toaster,
which keeps moving the largest remaining ``EXTENDED`` value out of line until the
row is under the target, moved them as well: ``permission_labels`` (≈ 60 bytes),
``id``, ``suggest`` and most ``title_sort`` values were stored out of line for
nearly every row. Every hit then read a TOAST page to check visibility (the
permission labels): at 100,000 documents a text query read 289,000 buffers for
20,000 heap blocks.

``MAIN`` storage keeps a value in the row (compressed if it must) and moves it
out of line only when the row would not fit in a page at all. ``SET STORAGE``
changes only future writes, so the table is rewritten (``CLUSTER`` on its key:
it re-toasts every row under the new rules and can run in the migration's
transaction, unlike ``VACUUM FULL``). The rewrite takes an exclusive lock on the
search table for its duration (≈ 1 min per 100,000 documents on a small machine).

Revision ID: khts_0008_search_inline_columns
Revises: khts_0007_privacy_access_log
"""

from __future__ import annotations

from alembic import op

revision = "khts_0008_search_inline_columns"
down_revision = "khts_0007_privacy_access_log"
branch_labels = None
depends_on = None

TABLE = "khtourism_search_doc"
# read for every hit (visibility, filters, sorting, suggestions, the page's ids)
INLINE_COLUMNS = (
    "id",
    "site_id",
    "name",
    "entity_type",
    "dataset_type",
    "state",
    "capacity",
    "permission_labels",
    "title_sort",
    "suggest",
)


def storage_statements(storage: str) -> list[str]:
    return [f"ALTER TABLE {TABLE} ALTER COLUMN {c} SET STORAGE {storage}" for c in INLINE_COLUMNS]


def rewrite_statements() -> list[str]:
    # every row written again, under the columns' new storage
    return [f"CLUSTER {TABLE} USING {TABLE}_doc_key_key", f"ANALYZE {TABLE}"]


def upgrade() -> None:
    for statement in storage_statements("MAIN") + rewrite_statements():
        op.execute(statement)


def downgrade() -> None:
    for statement in storage_statements("EXTENDED"):
        op.execute(statement)
