"""Is the search table laid out as searches need it? (``ckan khtourism doctor``)

Every hit reads the small columns below (visibility, filters, sort keys, the page's
ids). They must be stored in the heap row: with the table's low
``toast_tuple_target`` a column left at ``EXTENDED`` storage ends up in TOAST, and
every hit then reads a TOAST page too (issue 20; ``khts_0008`` keeps them inline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .index import TABLE

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
# rows looked at for values stored out of line (the first pages of the table)
SAMPLE_ROWS = 1000


@dataclass(frozen=True)
class Layout:
    not_main: list[str]  # columns whose storage lets the toaster move them out of line
    sampled: int | None  # rows looked at (None: PostgreSQL < 17 cannot tell)
    out_of_line: dict[str, int]  # column -> sampled rows with its value in TOAST

    @property
    def ok(self) -> bool:
        return not self.not_main and not self.out_of_line


def inspect(session: Any) -> Layout:
    storage = dict(
        session.execute(
            sa.text(
                "SELECT attname, attstorage FROM pg_attribute"
                f" WHERE attrelid = '{TABLE}'::regclass AND attname = ANY(:names)"
            ),
            {"names": list(INLINE_COLUMNS)},
        ).fetchall()
    )
    not_main = [c for c in INLINE_COLUMNS if storage.get(c) not in ("m", "p")]
    version = int(session.execute(sa.text("SHOW server_version_num")).scalar())
    if version < 170000:  # pg_column_toast_chunk_id: PostgreSQL 17 and later
        return Layout(not_main, None, {})
    counts = ", ".join(
        f"count(*) FILTER (WHERE pg_column_toast_chunk_id({c}) IS NOT NULL) AS {c}"
        for c in INLINE_COLUMNS
    )
    row = (
        session.execute(
            sa.text(
                f"SELECT count(*) AS sampled, {counts} FROM"
                f" (SELECT {', '.join(INLINE_COLUMNS)} FROM {TABLE} LIMIT {SAMPLE_ROWS}) s"
            )
        )
        .mappings()
        .one()
    )
    out_of_line = {c: int(row[c]) for c in INLINE_COLUMNS if row[c]}
    return Layout(not_main, int(row["sampled"]), out_of_line)


def describe(layout: Layout) -> str:
    if layout.ok:
        checked = (
            f"none of {layout.sampled} rows checked has one in TOAST"
            if layout.sampled is not None
            else "storage MAIN (PostgreSQL < 17 cannot show where values are)"
        )
        return f"the columns every hit reads are stored in the heap row; {checked}"
    parts = []
    if layout.not_main:
        parts.append(f"storage not MAIN: {', '.join(layout.not_main)}")
    if layout.out_of_line:
        listed = ", ".join(f"{c} in {n}" for c, n in layout.out_of_line.items())
        parts.append(f"stored in TOAST ({listed} of {layout.sampled} rows checked)")
    return (
        "the columns every hit reads are not all inline — "
        + "; ".join(parts)
        + ": every search reads TOAST pages. Repair: ckan db upgrade -p khtourism"
        " (khts_0008 rewrites the table), then VACUUM (ANALYZE) khtourism_search_doc"
    )
