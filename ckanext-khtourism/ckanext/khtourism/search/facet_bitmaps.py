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
drop its bitmaps and load them again. A trim deletes only rows of transactions that had
finished when the previous trim ran (``trim``), so a process that has read the log since
then never waits for a transaction whose rows are gone, and keeps its bitmaps.

Not used — the SQL count answers, with the same results — when the setting
``ckanext.khtourism.search.facet_bitmaps`` is off, ``pyroaring`` is missing, the
session has uncommitted index changes of its own (they are not for other visitors'
counts), the field is not a facet field (``fields.not_faceted``), or the field has more
than :data:`MAX_VALUES` distinct values (a count per value would cost more than a pass
over the hits). A field no document has is counted here with no values, without a
read: the names of the fields documents have are read once per process and kept from
the log, so a request naming made-up fields costs no scan of the table.
"""

from __future__ import annotations

import array
import logging
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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
# columns kept as one bitmap per value (``memory_plan``); permission_labels is an array
COLUMNS = ("site_id", "state", "capacity", "dataset_type", "entity_type", "permission_labels")
# full-text operands (``'word'`` or ``'prefix':*``) whose documents are kept, least recently
# used dropped first
MAX_LEXEMES = 20000
# documents changed since the rank and sort arrays were read: past this, they are read again
MAX_CHANGED = 2000

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


def tsquery_operand(lexeme: str) -> str:
    """A lexeme as a tsquery operand (``'it''s'``)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def prefix_of(operand: str) -> str:
    """The lexeme of a prefix operand ``'pre':*``."""
    return operand[1:-3].replace("''", "'").replace("\\\\", "\\")


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
        self._memory_reset()

    def _memory_reset(self) -> None:
        # for ``memory_plan``: every document; per column, a bitmap per value
        self._universe: Any = None
        self._columns: dict[str, dict[str, Any]] = {}
        # per full-text operand of ``d.tsv``, its documents
        self._lexemes: OrderedDict[str, Any] = OrderedDict()
        # (vector, weights, operand) -> (doc keys, ts_rank of the operand alone, normalised)
        self._impacts: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        # sort column -> (rank ascending, rank descending) per doc_key, NULLs last both ways
        self._orders: dict[str, tuple[Any, Any]] = {}
        # min_x, min_y, max_x, max_y per doc_key (NaN: no extent)
        self._extents: Any = None
        # documents changed since the impacts and orders were read (their values are stale)
        self._changed = BitMap() if BitMap is not None else None

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self._position = None
        self._fields = {}
        self._too_many = set()
        self._keys = None
        self._memory_reset()

    def usable(self, session: Any, names: list[str]) -> list[str]:
        """Of the facet fields ``names``, those counted here: loaded if not yet, after
        bringing the loaded ones up to date. A field no document has is counted here too
        (no values), without reading anything."""
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
            absent = [name for name in candidates if name not in self._keys]
            candidates = [name for name in candidates if name in self._keys]
            missing = [n for n in candidates if n not in self._fields and n not in self._too_many]
            if missing:
                self._load(session, missing)
            return [name for name in candidates if name in self._fields] + absent

    def counts(
        self,
        session: Any,
        hits: Any,
        names: list[str],
        *,
        limit: int,
        mincount: int,
        sort: str,
        refresh: bool = True,
    ) -> dict[str, list[list[Any]]] | None:
        """``{field: [[value, count], …]}`` as the SQL count gives it: counts of at
        least ``max(mincount, 1)``, by count then value (``sort="count"``) or by value,
        the first ``limit`` (all when negative). Values are ordered by code point, as
        Solr orders terms (and a ``C`` collation does). ``None`` when a field can no
        longer be counted here (it grew past :data:`MAX_VALUES` since :meth:`usable`):
        the caller counts in SQL."""
        with self._lock:
            if refresh:  # (not when the hits were just found in these bitmaps)
                self._refresh(session)
            result: dict[str, list[list[Any]]] = {}
            least = max(mincount, 1)
            for name in names:
                if self._keys is not None and name not in self._keys:
                    result[name] = []  # no document has the field
                    continue
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
            self._memory_reset()
            self._position = _Position(row.epoch, int(row.max_seen), _running(row.snapshot))
            return
        rows = session.execute(
            sa.text(
                f"""SELECT s.epoch, s.trimmed_below, s.trim_xmin::text AS trim_xmin,
                       pg_current_snapshot()::text AS snapshot,
                       (SELECT last_value FROM {CHANGE_TABLE}_seq_seq) AS last_seq,
                       c.seq, c.doc_key, d.facet_terms,
                       d.site_id, d.state, d.capacity, d.dataset_type, d.entity_type,
                       d.permission_labels, d.min_x, d.min_y, d.max_x, d.max_y,
                       CASE WHEN :lexemes THEN tsvector_to_array(d.tsv) END AS lexemes
                FROM (SELECT 1) one
                LEFT JOIN {STATE_TABLE} s ON true
                LEFT JOIN {CHANGE_TABLE} c
                  ON c.seq > :max_seen OR c.xid = ANY(CAST(CAST(:in_flight AS text[]) AS xid8[]))
                LEFT JOIN {TABLE} d ON d.doc_key = c.doc_key
                ORDER BY c.seq"""
            ),
            {
                "max_seen": position.max_seen,
                "in_flight": position.in_flight,
                "lexemes": bool(self._lexemes),
            },
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
        if changed:
            self._apply_memory(changed)
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

    # ------------------------------------------------------------------ for memory_plan
    # (called by ``memory_plan`` with the lock held, after ``refresh``)
    def refresh(self, session: Any) -> None:
        self._refresh(session)

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def universe(self, session: Any) -> Any:
        """Every document's key, and each column's bitmaps (one pass over the table)."""
        if self._universe is None:
            largest = session.execute(sa.text(f"SELECT max(doc_key) FROM {TABLE}")).scalar()
            if (largest or 0) > MAX_DOC_KEY:
                return None
            rows = session.execute(
                sa.text(
                    f"""SELECT c.name, c.value, string_agg(int4send(d.doc_key::int4), ''::bytea)
                    FROM {TABLE} d, LATERAL (
                        VALUES ('', ''), ('site_id', d.site_id), ('state', d.state),
                               ('capacity', d.capacity), ('dataset_type', d.dataset_type),
                               ('entity_type', d.entity_type)
                        UNION ALL SELECT 'permission_labels', l FROM unnest(d.permission_labels) l
                    ) c(name, value)
                    WHERE c.value IS NOT NULL
                    GROUP BY c.name, c.value"""
                )
            ).fetchall()
            columns: dict[str, dict[str, Any]] = {name: {} for name in COLUMNS}
            universe = BitMap()
            for name, value, packed in rows:
                if name == "":
                    universe = decode_keys(packed)
                else:
                    columns[name][value] = decode_keys(packed)
            self._universe, self._columns = universe, columns
        return self._universe

    def column(self, name: str, value: str) -> Any:
        return self._columns.get(name, {}).get(value) or BitMap()

    def facet(self, session: Any, name: str, value: str) -> Any:
        """The documents with ``value`` in facet field ``name``; None if not kept here."""
        if name in self._too_many or (self._keys is not None and name not in self._keys):
            return None if name in self._too_many else BitMap()
        if name not in self._fields:
            self._load(session, [name])
        values = self._fields.get(name)
        if values is None:
            return None
        return values.get(value) or BitMap()

    def lexemes(self, session: Any, operands: list[str]) -> dict[str, Any]:
        """The documents whose ``d.tsv`` matches each operand (``'word'`` or ``'pre':*``),
        read through the GIN index once, then kept up to date from the log."""
        missing = [o for o in dict.fromkeys(operands) if o not in self._lexemes]
        if missing:
            rows = session.execute(
                sa.text(
                    f"""SELECT o.operand, (SELECT string_agg(int4send(d.doc_key::int4), ''::bytea)
                                           FROM {TABLE} d
                                           WHERE d.tsv @@ CAST(o.operand AS tsquery))
                    FROM unnest(CAST(:operands AS text[])) o(operand)"""
                ),
                {"operands": missing},
            ).fetchall()
            for operand, packed in rows:
                self._lexemes[operand] = decode_keys(packed)
        found = {}
        for operand in operands:
            self._lexemes.move_to_end(operand)
            found[operand] = self._lexemes[operand]
        while len(self._lexemes) > MAX_LEXEMES:
            self._lexemes.popitem(last=False)
        return found

    def impacts(
        self, session: Any, vector: str, weights: str, operands: list[tuple[str, str]]
    ) -> dict[str, tuple[Any, Any]]:
        """Per operand of a ranking query: the documents whose ``vector`` (``tsv_rank`` or
        ``tsv_exact``) holds it and ``ts_rank(weights, vector, operand, 1)`` of each — what
        the operand adds to an OR query's rank, before dividing by the number of operands.
        ``operands``: (operand, operand of ``d.tsv`` that every such document matches)."""
        missing = [
            (o, pre)
            for o, pre in dict.fromkeys(operands)
            if (vector, weights, o) not in self._impacts
        ]
        if missing:
            if self._changed is not None and not self._impacts and not self._orders:
                self._changed = BitMap()
            rows = session.execute(
                sa.text(
                    f"""SELECT o.operand, array_agg(d.doc_key ORDER BY d.doc_key) AS keys,
                           array_agg(ts_rank(CAST(:weights AS float4[]), d.{vector},
                                             CAST(o.operand AS tsquery), 1)
                                     ORDER BY d.doc_key) AS ranks
                    FROM unnest(CAST(:operands AS text[]), CAST(:prefilters AS text[]))
                         o(operand, prefilter)
                    JOIN {TABLE} d ON d.tsv @@ CAST(o.prefilter AS tsquery)
                                  AND d.{vector} @@ CAST(o.operand AS tsquery)
                    GROUP BY o.operand"""
                ),
                {
                    "weights": weights,
                    "operands": [o for o, _ in missing],
                    "prefilters": [pre for _, pre in missing],
                },
            ).fetchall()
            read = {operand: (keys, ranks) for operand, keys, ranks in rows}
            for operand, _ in missing:
                keys, ranks = read.get(operand, ([], []))
                self._impacts[(vector, weights, operand)] = (
                    np.asarray(keys, dtype=np.int64),
                    np.asarray(ranks, dtype=np.float64),
                )
        return {o: self._impacts[(vector, weights, o)] for o, _ in operands}

    def order(self, session: Any, column: str) -> tuple[Any, Any]:
        """Each document's rank by ``column`` ascending and descending (NULLs last both
        ways; equal values share a rank), indexed by ``doc_key``."""
        if column not in self._orders:
            if self._changed is not None and not self._impacts and not self._orders:
                self._changed = BitMap()
            rows = session.execute(
                sa.text(
                    f"""SELECT array_agg(doc_key), array_agg(up), array_agg(down) FROM (
                        SELECT doc_key,
                               rank() OVER (ORDER BY {column} ASC NULLS LAST) AS up,
                               rank() OVER (ORDER BY {column} DESC NULLS LAST) AS down
                        FROM {TABLE}) r"""
                )
            ).one()
            keys = np.asarray(rows[0] or [], dtype=np.int64)
            size = int(keys.max()) + 1 if len(keys) else 0
            up = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
            down = up.copy()
            up[keys] = np.asarray(rows[1] or [], dtype=np.int64)
            down[keys] = np.asarray(rows[2] or [], dtype=np.int64)
            self._orders[column] = (up, down)
        return self._orders[column]

    def extents(self, session: Any) -> Any:
        """Each document's extent: an array of 4 rows (min_x, min_y, max_x, max_y) indexed
        by ``doc_key``; NaN where it has none."""
        if self._extents is None:
            row = session.execute(
                sa.text(
                    f"""SELECT array_agg(doc_key), array_agg(min_x), array_agg(min_y),
                           array_agg(max_x), array_agg(max_y)
                    FROM {TABLE} WHERE min_x IS NOT NULL"""
                )
            ).one()
            keys = np.asarray(row[0] or [], dtype=np.int64)
            largest = session.execute(sa.text(f"SELECT max(doc_key) FROM {TABLE}")).scalar()
            extents = np.full((4, int(largest or 0) + 1), np.nan)
            for number in range(4):
                extents[number, keys] = np.asarray(row[number + 1] or [], dtype=np.float64)
            self._extents = extents
        return self._extents

    def memory(self) -> dict[str, int]:
        """Bytes held, by kind (the containers of the bitmaps, the arrays): what
        ``bench/search_bench.py`` reports."""

        def size(bitmaps: Any) -> int:
            total = 0
            for bitmap in bitmaps:
                stats = bitmap.get_statistics()
                total += sum(v for k, v in stats.items() if k.startswith("n_bytes_"))
            return total

        with self._lock:
            return {
                "facet values": size(
                    b for values in self._fields.values() for b in values.values()
                ),
                "columns": size(b for values in self._columns.values() for b in values.values())
                + (size([self._universe]) if self._universe is not None else 0),
                "full-text operands": size(self._lexemes.values()),
                "scores per operand": sum(k.nbytes + r.nbytes for k, r in self._impacts.values()),
                "sort ranks": sum(up.nbytes + down.nbytes for up, down in self._orders.values()),
                "extents": 0 if self._extents is None else int(self._extents.nbytes),
            }

    def changed(self) -> Any:
        """Documents changed since the impacts and orders were read."""
        return self._changed

    def _apply_memory(self, rows: list[Any]) -> None:
        latest: dict[int, Any] = {}
        for row in rows:  # by log order: the last row of a document has its values now
            latest[row.doc_key] = row
        keys = BitMap(key for key in latest if 0 <= key <= MAX_DOC_KEY)
        if any(key > MAX_DOC_KEY for key in latest):
            self._memory_reset()
            return
        if self._impacts or self._orders:
            self._changed |= keys
            if len(self._changed) > MAX_CHANGED:  # read them again when next needed
                self._impacts, self._orders = {}, {}
                self._changed = BitMap()
        if self._universe is not None:
            self._universe -= keys
            for by_value in self._columns.values():
                for bitmap in by_value.values():
                    bitmap.difference_update(keys)
        if self._extents is not None:
            largest = max(latest)
            if largest >= self._extents.shape[1]:
                grown = np.full((4, largest + 1), np.nan)
                grown[:, : self._extents.shape[1]] = self._extents
                self._extents = grown
            for key, row in latest.items():
                box = (row.min_x, row.min_y, row.max_x, row.max_y)
                deleted = row.facet_terms is None or row.min_x is None
                self._extents[:, key] = np.nan if deleted else box
        prefixes = [o for o in self._lexemes if o.endswith(":*")]
        for bitmap in self._lexemes.values():
            bitmap.difference_update(keys)
        for key, row in latest.items():
            if row.facet_terms is None:  # deleted
                continue
            if self._universe is not None:
                self._universe.add(key)
                for name in COLUMNS:
                    found = getattr(row, name)
                    values = list(found or ()) if name == "permission_labels" else [found]
                    for value in values:
                        if value is not None:
                            self._columns[name].setdefault(str(value), BitMap()).add(key)
            for lexeme in row.lexemes or ():
                operand = tsquery_operand(lexeme)
                if operand in self._lexemes:
                    self._lexemes[operand].add(key)
                for prefix in prefixes:
                    if lexeme.startswith(prefix_of(prefix)):
                        self._lexemes[prefix].add(key)

    # ------------------------------------------------------------------ trimming
    def trim(self, session: Any, force: bool = False, age: str = TRIM_AGE) -> int:
        """Delete log rows older than ``age`` of transactions that had finished when the
        previous trim ran (``trim_horizon``), at most every :data:`TRIM_EVERY` seconds per
        process (``force``: now), one process at a time, in the caller's transaction;
        returns the rows deleted.

        A process reads the rows of the transactions running at its last read again at
        its next one; it reloads when a trim may have deleted some (``trim_xmin`` above
        one of them, ``_refresh``). Deleting only below the previous trim's horizon keeps
        that to processes that have not read the log since the previous trim."""
        now = time.monotonic()
        if not force and now - self._last_trim < TRIM_EVERY:
            return 0
        self._last_trim = now
        return int(
            session.execute(
                sa.text(
                    f"""WITH held AS (
                        SELECT pg_try_advisory_xact_lock(hashtext('{CHANGE_TABLE}')) AS lock),
                    state AS (SELECT trim_horizon FROM {STATE_TABLE}),
                    gone AS (
                        DELETE FROM {CHANGE_TABLE}
                        WHERE (SELECT lock FROM held)
                          AND changed_at < now() - CAST(:age AS interval)
                          AND xid < (SELECT trim_horizon FROM state)
                        RETURNING seq),
                    moved AS (
                        UPDATE {STATE_TABLE}
                        SET trimmed_below = CASE WHEN EXISTS (SELECT 1 FROM gone)
                                THEN greatest(trimmed_below, (SELECT max(seq) FROM gone))
                                ELSE trimmed_below END,
                            trim_xmin = CASE WHEN EXISTS (SELECT 1 FROM gone)
                                THEN greatest(trim_xmin, trim_horizon)
                                ELSE trim_xmin END,
                            trim_horizon = pg_snapshot_xmin(pg_current_snapshot())
                        WHERE (SELECT lock FROM held) RETURNING 1)
                    SELECT count(*) FROM gone"""
                ),
                {"age": age},
            ).scalar()
            or 0
        )


BITMAPS = FacetBitmaps()
