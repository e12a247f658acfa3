"""Facet counts from bitmaps kept in each process (issue 20).

Counting facets in SQL reads every hit's values: for a text search with 20,000 hits
and four facets, about 120,000 values unnested and grouped, a third of the query's
time. Here each process keeps, per facet field it has been asked for, one compressed
bitmap (``pyroaring``) of the documents (``doc_key``) holding each value. The search
statement returns the hits' keys as one bitmap; a value's count is the size of its
intersection with the hits: microseconds per value, whatever the number of hits.

What the counts are of is unchanged: the hits are found by PostgreSQL with the
visitor's permission labels, and a count is a number of hits, each value once per
dataset (``index.row_for``) — a bitmap never adds a document the query did not find.

**Staying current.** Triggers on the search table log every inserted, updated or
deleted ``doc_key`` with its transaction id in ``khtourism_search_change`` (migration
``khts_0011``). Before counting, a process reads the log rows it has not read — those
numbered after the last row it saw, and those of transactions that were still running
when it last read (a transaction may commit after a later one) — together with the
current values of those documents, in one statement (one snapshot). A log reset
(tables made again, or data restored: a new ``epoch``, or the log's sequence set back),
a ``TRUNCATE`` (``doc_key = -1``) or a trim past what the process has read makes it
drop its bitmaps and load them again.

Not used — the SQL count answers, with the same results — when the setting
``ckanext.khtourism.search.facet_bitmaps`` is off, ``pyroaring`` is missing, the
session has uncommitted index changes of its own (they are not for other visitors'
counts), the field is not a facet field (``fields.not_faceted``) or no document has it
(the names of the fields documents have are read once per process and kept from the
log: a request naming made-up fields costs no scan of the table), or the field has more
than :data:`MAX_VALUES` distinct values (a count per value would cost more than a pass
over the hits).
"""

from __future__ import annotations

import array
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from .fields import not_faceted
from .index import TABLE

log = logging.getLogger(__name__)

OPTION = "ckanext.khtourism.search.facet_bitmaps"
CHANGE_TABLE = "khtourism_search_change"
STATE_TABLE = "khtourism_search_change_state"
# a field with more distinct values is counted in SQL
MAX_VALUES = 5000
# document keys are read as unsigned 32-bit integers
MAX_DOC_KEY = 2**31 - 1
# log rows older than this (of finished transactions) are trimmed, at most every TRIM_EVERY
TRIM_AGE = "1 hour"
TRIM_EVERY = 600.0

BitMap: Any
try:  # the wheel is in requirements.txt
    from pyroaring import BitMap
except ImportError:  # a deployment without it counts in SQL (``ckan khtourism doctor``)
    BitMap = None


def available() -> bool:
    return BitMap is not None


def enabled() -> bool:
    from ckan.common import config

    return available() and bool(config.get(OPTION, True))


def keys_sql(hits: str) -> str:
    """SQL of one ``bytea`` holding the hits' keys, four bytes each (big-endian)."""
    return f"(SELECT string_agg(int4send(h.doc_key::int4), ''::bytea) FROM {hits} h)"


def decode_keys(packed: bytes | memoryview | None) -> Any:
    """The bitmap of the keys :func:`keys_sql` packed."""
    keys = array.array("I")
    if packed:
        keys.frombytes(bytes(packed))
        if sys.byteorder == "little":
            keys.byteswap()
    return BitMap(keys)


@dataclass
class _Position:
    """How far this process has read the log."""

    epoch: str | None
    max_seen: int  # the highest log row seen
    in_flight: list[str] = field(default_factory=list)  # transactions running then


def _running(snapshot: str) -> list[str]:
    """The running transactions of a ``pg_snapshot`` (``xmin:xmax:xip,…``)."""
    listed = snapshot.split(":")[2] if snapshot.count(":") == 2 else ""
    return [xid for xid in listed.split(",") if xid]


class FacetBitmaps:
    """One process's bitmaps: ``{field: {value: bitmap of doc_keys}}``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._position: _Position | None = None
        self._fields: dict[str, dict[str, Any]] = {}
        self._too_many: set[str] = set()
        # the facet fields some document has (read once, then kept from the log): a field
        # no document has is never loaded — a request naming made-up fields costs no scan
        self._keys: set[str] | None = None
        self._last_trim = 0.0

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self._position = None
        self._fields = {}
        self._too_many = set()
        self._keys = None

    def usable(self, session: Any, names: list[str]) -> list[str]:
        """Of the facet fields ``names``, those counted here: loaded if not yet, after
        bringing the loaded ones up to date."""
        candidates = [name for name in names if not not_faceted(name)]
        if not candidates:
            return []
        with self._lock:
            self._refresh(session)
            if self._keys is None:
                self._keys = set(
                    session.execute(
                        sa.text(
                            f"SELECT DISTINCT k FROM {TABLE} d, jsonb_object_keys(d.facet_terms) k"
                        )
                    ).scalars()
                )
            candidates = [name for name in candidates if name in self._keys]
            missing = [n for n in candidates if n not in self._fields and n not in self._too_many]
            if missing:
                self._load(session, missing)
            return [name for name in candidates if name in self._fields]

    def counts(
        self,
        session: Any,
        hits: Any,
        names: list[str],
        *,
        limit: int,
        mincount: int,
        sort: str,
    ) -> dict[str, list[list[Any]]] | None:
        """``{field: [[value, count], …]}`` as the SQL count gives it: counts of at
        least ``max(mincount, 1)``, by count then value (``sort="count"``) or by value,
        the first ``limit`` (all when negative). Values are ordered by code point, as
        Solr orders terms (and a ``C`` collation does). ``None`` when a field can no
        longer be counted here (it grew past :data:`MAX_VALUES` since :meth:`usable`):
        the caller counts in SQL."""
        with self._lock:
            self._refresh(session)
            result = {}
            least = max(mincount, 1)
            for name in names:
                values = self._fields.get(name)
                if values is None and name not in self._too_many:
                    self._load(session, [name])  # dropped by a reset since ``usable``
                    values = self._fields.get(name)
                if values is None:
                    return None
                found = [
                    [value, count]
                    for value, bitmap in values.items()
                    if (count := hits.intersection_cardinality(bitmap)) >= least
                ]
                if sort == "count":
                    found.sort(key=lambda pair: (-pair[1], pair[0]))
                else:
                    found.sort(key=lambda pair: pair[0])
                result[name] = found if limit < 0 else found[:limit]
            return result

    # ------------------------------------------------------------------ reading
    def _load(self, session: Any, names: list[str]) -> None:
        """Bitmaps of every value of ``names``, grouped in SQL in one pass over the table
        (each value's keys packed as by :func:`keys_sql`)."""
        largest = session.execute(sa.text(f"SELECT max(doc_key) FROM {TABLE}")).scalar()
        if (largest or 0) > MAX_DOC_KEY:
            self._too_many.update(names)
            return
        rows = session.execute(
            sa.text(
                f"""SELECT f.name, f.value, string_agg(int4send(d.doc_key::int4), ''::bytea)
                FROM {TABLE} d,
                     LATERAL (SELECT n AS name, v AS value FROM unnest(CAST(:names AS text[])) n,
                              jsonb_array_elements_text(d.facet_terms -> n) v) f
                GROUP BY f.name, f.value"""
            ),
            {"names": names},
        ).fetchall()
        loaded: dict[str, dict[str, Any]] = {name: {} for name in names}
        for name, value, packed in rows:
            loaded[name][value] = decode_keys(packed)
        for name, values in loaded.items():
            if len(values) > MAX_VALUES:
                log.info("Facet %r has over %d values: counted in SQL", name, MAX_VALUES)
                self._too_many.add(name)
            else:
                self._fields[name] = values

    def _refresh(self, session: Any) -> None:
        """Apply the log rows not read yet (see the module's docstring)."""
        position = self._position
        if position is None:
            row = session.execute(
                sa.text(
                    f"SELECT s.epoch, pg_current_snapshot()::text AS snapshot,"
                    f" (SELECT coalesce(max(seq), 0) FROM {CHANGE_TABLE}) AS max_seen"
                    f" FROM (SELECT 1) one LEFT JOIN {STATE_TABLE} s ON true"
                )
            ).one()
            self._fields = {}
            self._too_many = set()
            self._position = _Position(row.epoch, int(row.max_seen), _running(row.snapshot))
            return
        rows = session.execute(
            sa.text(
                f"""SELECT s.epoch, s.trimmed_below, s.trim_xmin::text AS trim_xmin,
                       pg_current_snapshot()::text AS snapshot,
                       (SELECT last_value FROM {CHANGE_TABLE}_seq_seq) AS last_seq,
                       c.seq, c.doc_key, d.facet_terms
                FROM (SELECT 1) one
                LEFT JOIN {STATE_TABLE} s ON true
                LEFT JOIN {CHANGE_TABLE} c
                  ON c.seq > :max_seen OR c.xid = ANY(CAST(CAST(:in_flight AS text[]) AS xid8[]))
                LEFT JOIN {TABLE} d ON d.doc_key = c.doc_key
                ORDER BY c.seq"""
            ),
            {"max_seen": position.max_seen, "in_flight": position.in_flight},
        ).fetchall()
        first = rows[0]
        if (
            first.epoch != position.epoch
            or (first.trimmed_below or 0) > position.max_seen
            or any(int(xid) < int(first.trim_xmin or 0) for xid in position.in_flight)
            or any(row.doc_key == -1 for row in rows)
            or int(first.last_seq) < position.max_seen  # the sequence was set back
        ):
            self._reset()
            self._refresh(session)
            return
        changed = [row for row in rows if row.seq is not None]
        if any(row.doc_key > MAX_DOC_KEY for row in changed):
            # keys past 32 bits (after some two billion index writes): counted in SQL
            self._too_many.update(self._fields)
            self._fields = {}
        if self._keys is not None:
            for row in changed:
                self._keys.update(row.facet_terms or ())
        if changed and self._fields:
            self._apply(changed)
        seen = max((row.seq for row in changed), default=position.max_seen)
        self._position = _Position(
            first.epoch, max(seen, position.max_seen), _running(first.snapshot)
        )

    def _apply(self, rows: list[Any]) -> None:
        gone = BitMap(row.doc_key for row in rows if 0 <= row.doc_key <= MAX_DOC_KEY)
        for values in self._fields.values():
            emptied = []
            for value, bitmap in values.items():
                bitmap.difference_update(gone)
                if not bitmap:
                    emptied.append(value)
            for value in emptied:
                del values[value]
        latest: dict[int, Any] = {}
        for row in rows:  # by log order: the last row of a document has its values now
            latest[row.doc_key] = row.facet_terms
        for key, terms in latest.items():
            if terms is None or not 0 <= key <= MAX_DOC_KEY:
                continue  # deleted (or never countable)
            for name, values in self._fields.items():
                for value in terms.get(name) or []:
                    bitmap = values.get(str(value))
                    if bitmap is None:
                        values[str(value)] = bitmap = BitMap()
                    bitmap.add(key)
            for name in list(self._fields):
                if len(self._fields[name]) > MAX_VALUES:
                    del self._fields[name]
                    self._too_many.add(name)

    # ------------------------------------------------------------------ trimming
    def trim(self, session: Any, force: bool = False) -> int:
        """Delete log rows older than :data:`TRIM_AGE` of finished transactions (at most
        every :data:`TRIM_EVERY` seconds per process, one process at a time), in the
        caller's transaction; returns the rows deleted."""
        now = time.monotonic()
        if not force and now - self._last_trim < TRIM_EVERY:
            return 0
        self._last_trim = now
        return int(
            session.execute(
                sa.text(
                    f"""WITH gone AS (
                        DELETE FROM {CHANGE_TABLE}
                        WHERE pg_try_advisory_xact_lock(hashtext('{CHANGE_TABLE}'))
                          AND changed_at < now() - CAST(:age AS interval)
                          AND xid < pg_snapshot_xmin(pg_current_snapshot())
                        RETURNING seq),
                    moved AS (
                        UPDATE {STATE_TABLE}
                        SET trimmed_below = greatest(trimmed_below, (SELECT max(seq) FROM gone)),
                            trim_xmin = pg_snapshot_xmin(pg_current_snapshot())
                        WHERE EXISTS (SELECT 1 FROM gone) RETURNING 1)
                    SELECT count(*) FROM gone"""
                ),
                {"age": TRIM_AGE if not force else "0 seconds"},
            ).scalar()
            or 0
        )


BITMAPS = FacetBitmaps()
