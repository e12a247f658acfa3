"""Search: a log of changed index rows, so facet bitmaps in every process stay current.

Each web process keeps, per facet field it has counted, one compressed bitmap of the
documents holding each value (``search/facet_bitmaps.py``); facet counts are then
intersections with the hits instead of a pass over every hit's values (issue 20). A
process learns what changed from this log: triggers on ``khtourism_search_doc`` add one
row per inserted, updated or deleted document (``doc_key``), with the writing
transaction's id, so a reader can also pick up a transaction that commits after a later
one (``facet_bitmaps.Refresh``). A ``TRUNCATE`` writes one row with ``doc_key = -1``:
every process starts again from the table. ``khtourism_search_change_state`` holds the
log's epoch (new whenever its row is written: the tables made again, a backup or a
test snapshot restored) and the sequence number below which
rows were trimmed, with the oldest running transaction at the last trim: a process that
has not read that far, or waits for a transaction older than that, reloads.

Revision ID: khts_0011_search_change_log
Revises: khts_0010_clients
"""

from __future__ import annotations

from alembic import op

revision = "khts_0011_search_change_log"
down_revision = "khts_0010_clients"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE khtourism_search_change (
            seq bigserial PRIMARY KEY,
            doc_key bigint NOT NULL,
            xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            changed_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX khtourism_search_change_xid_idx ON khtourism_search_change (xid)")
    op.execute(
        """
        CREATE TABLE khtourism_search_change_state (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            epoch text NOT NULL,
            trimmed_below bigint NOT NULL DEFAULT 0,
            trim_xmin xid8 NOT NULL DEFAULT '0'
        )
        """
    )
    # a state row written by anyone — this migration, a restore of a backup or of a
    # test's snapshot — starts a new epoch: every process then reloads
    op.execute(
        """
        CREATE OR REPLACE FUNCTION khtourism_search_new_epoch() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.epoch := gen_random_uuid()::text;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER khtourism_search_new_epoch BEFORE INSERT
        ON khtourism_search_change_state
        FOR EACH ROW EXECUTE FUNCTION khtourism_search_new_epoch()
        """
    )
    op.execute("INSERT INTO khtourism_search_change_state (epoch) VALUES ('')")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION khtourism_search_log_rows() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO khtourism_search_change (doc_key) SELECT doc_key FROM old_rows;
            ELSE
                INSERT INTO khtourism_search_change (doc_key) SELECT doc_key FROM new_rows;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION khtourism_search_log_truncate() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO khtourism_search_change (doc_key) VALUES (-1);
            RETURN NULL;
        END $$
        """
    )
    # one trigger per event: a trigger with transition tables may have only one
    for event, table in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        op.execute(
            f"""
            CREATE TRIGGER khtourism_search_log_{event.lower()}
            AFTER {event} ON khtourism_search_doc
            REFERENCING {table} TABLE AS {table.lower()}_rows
            FOR EACH STATEMENT EXECUTE FUNCTION khtourism_search_log_rows()
            """
        )
    op.execute(
        """
        CREATE TRIGGER khtourism_search_log_truncate AFTER TRUNCATE ON khtourism_search_doc
        FOR EACH STATEMENT EXECUTE FUNCTION khtourism_search_log_truncate()
        """
    )


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS khtourism_search_log_{event} ON khtourism_search_doc")
    op.execute("DROP FUNCTION IF EXISTS khtourism_search_log_rows()")
    op.execute("DROP FUNCTION IF EXISTS khtourism_search_log_truncate()")
    op.execute("DROP TRIGGER IF EXISTS khtourism_search_new_epoch ON khtourism_search_change_state")
    op.execute("DROP FUNCTION IF EXISTS khtourism_search_new_epoch()")
    op.execute("DROP TABLE IF EXISTS khtourism_search_change_state")
    op.execute("DROP TABLE IF EXISTS khtourism_search_change")
