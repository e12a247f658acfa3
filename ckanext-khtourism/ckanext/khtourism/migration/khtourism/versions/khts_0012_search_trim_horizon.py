"""Search change log: a trim deletes only rows of transactions that had finished at the
previous trim, so the processes reading the log do not all reload after each trim.

A process keeps the transactions that were running at its last read of the log and reads
their rows again later (``search/facet_bitmaps.py``); if a trim deleted rows of one of
them, it must reload. Until now a trim could delete the rows of any finished transaction
and recorded the oldest running one (``trim_xmin``), so nearly every busy process found a
transaction of its last read below it and reloaded every bitmap after each trim (every
ten minutes at most). ``trim_horizon`` is the oldest running transaction when the last
trim ran: the next trim deletes only rows of transactions below it — finished before
that trim, so no process that has read the log since waits for them — and moves
``trim_xmin`` up to the horizon it used.

Revision ID: khts_0012_search_trim_horizon
Revises: khts_0011_search_change_log
"""

from __future__ import annotations

from alembic import op

revision = "khts_0012_search_trim_horizon"
down_revision = "khts_0011_search_change_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE khtourism_search_change_state"
        " ADD COLUMN trim_horizon xid8 NOT NULL DEFAULT '0'"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE khtourism_search_change_state DROP COLUMN trim_horizon")
