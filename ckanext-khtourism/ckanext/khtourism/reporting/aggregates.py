"""Open aggregates of the accepted accommodation reports, with disclosure control.

A cell is a month × commune (``admin_unit``) × accommodation type; its margins are the
month × commune and month × type totals and the province's month total. Every value
published is one of these (the API's ``group_by`` picks the level), so the suppression
pattern is decided once per month over the whole table, before any filter:

1. **primary suppression**: a cell or margin built from fewer than ``THRESHOLD``
   (3) establishments is suppressed;
2. **complementary suppression**: every published total is the sum of its row (or
   column) of cells; a row with exactly one suppressed member would give it away by
   subtraction, so a second member is suppressed too (the one with the fewest
   establishments, a cell before a margin), repeated until no row or column of the
   table has exactly one suppressed member.

Suppressed values are ``null`` with ``"suppressed": true``. Revenue is never read here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.khtourism.records.vocabularies import admin_units as commune_units

from . import checks, indicators, reports

THRESHOLD = 3
SUMS = indicators.PUBLIC_ACCOMMODATION
GROUPS = ("month", "admin_unit", "accommodation_type")
# by the districts before the 2025 merger: instead of admin_unit
FORMER_DISTRICT = "former_district"
UNKNOWN = ""  # a report of an establishment without a commune or type


@dataclasses.dataclass
class Cell:
    establishments: int = 0
    sums: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(SUMS, 0))
    demo: bool = False

    def add(self, other: Cell) -> None:
        self.establishments += other.establishments
        for key in SUMS:
            self.sums[key] += other.sums[key]
        self.demo = self.demo or other.demo


Key = tuple[str, ...]


# the GROUP BYs of a window (accommodation cells, travel totals), per process, until a
# report changes (``_version``)
_CACHE: dict[tuple[str, str, str], tuple[Any, list[dict[str, Any]]]] = {}
CACHE_SIZE = 256


def _version() -> Any:
    """Changes whenever a figure that counts could have changed: every write sets
    ``modified`` (edits) or ``reviewed_at`` (accept, return); two index look-ups."""
    return tuple(
        model.Session.execute(
            sa.text(
                "SELECT (SELECT max(modified) FROM khtourism_visitor_report),"
                " (SELECT max(reviewed_at) FROM khtourism_visitor_report)"
            )
        ).one()
    )


def _cached(
    kind: str, start: str, end: str, query: Callable[[str, str], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    version = _version()
    cached = _CACHE.get((kind, start, end))
    if cached is not None and cached[0] == version:
        return cached[1]
    rows = query(start, end)
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.clear()
    _CACHE[(kind, start, end)] = (version, rows)
    return rows


def _rows(start: str, end: str) -> list[dict[str, Any]]:
    return _cached(indicators.ACCOMMODATION, start, end, _query)


def _query(start: str, end: str) -> list[dict[str, Any]]:
    columns = ", ".join(f"COALESCE(SUM({name}), 0) AS {name}" for name in SUMS)
    return [
        dict(row)
        for row in model.Session.execute(
            sa.text(
                f"""
                SELECT period, COALESCE(admin_unit, '') AS admin_unit,
                       COALESCE(accommodation_type, '') AS accommodation_type,
                       COUNT(*) AS establishments, BOOL_OR(demo) AS demo, {columns}
                FROM khtourism_visitor_report
                WHERE state = :state AND kind = :kind AND period BETWEEN :start AND :end
                GROUP BY 1, 2, 3
                """  # noqa: S608 - the column names are our constants
            ),
            {
                "state": reports.ACCEPTED,
                "kind": indicators.ACCOMMODATION,
                "start": start,
                "end": end,
            },
        ).mappings()
    ]


def former_district_of(commune: str) -> str:
    """The district a 2025 commune belonged to before the merger (the reference's
    crosswalk, ``records/vocabularies/khanh-hoa-admin-units-2025.csv``)."""
    unit = commune_units().get(commune)
    return unit.former_district_code if unit else UNKNOWN


def travel(start: str, end: str) -> list[dict[str, Any]]:
    """Travel businesses' tours and guests per month, province totals only; a month
    with fewer than ``THRESHOLD`` reporting businesses is suppressed."""
    rows = _cached(indicators.TRAVEL, start, end, _travel_query)
    out = []
    for row in rows:
        hidden = int(row["businesses"]) < THRESHOLD
        out.append(
            {
                "month": row["period"],
                "businesses": None if hidden else int(row["businesses"]),
                **{name: None if hidden else int(row[name]) for name in indicators.TRAVEL_COUNTS},
                "suppressed": hidden,
            }
        )
    return out


def _travel_query(start: str, end: str) -> list[dict[str, Any]]:
    columns = ", ".join(f"COALESCE(SUM({name}), 0) AS {name}" for name in indicators.TRAVEL_COUNTS)
    rows = model.Session.execute(
        sa.text(
            f"""
            SELECT period, COUNT(*) AS businesses, {columns}
            FROM khtourism_visitor_report
            WHERE state = :state AND kind = :kind AND period BETWEEN :start AND :end
            GROUP BY period ORDER BY period
            """  # noqa: S608 - the column names are our constants
        ),
        {"state": reports.ACCEPTED, "kind": indicators.TRAVEL, "start": start, "end": end},
    ).mappings()
    return [dict(row) for row in rows]


def _suppress(cells: dict[Key, Cell]) -> tuple[dict[Key, Cell], set[Key]]:
    """The cells (``("b", commune, type)``) of one month with their margins
    (``("c", commune)``, ``("t", type)``, ``("p",)``; by former district:
    ``("d", district)``, ``("dt", district, type)``) and the keys to suppress."""
    table: dict[Key, Cell] = dict(cells)
    for (_, commune, kind), cell in cells.items():
        district = former_district_of(commune)
        for key in (
            ("c", commune),
            ("t", kind),
            ("p",),
            ("d", district),
            ("dt", district, kind),
        ):
            table.setdefault(key, Cell()).add(cell)
    relations: list[list[Key]] = []
    communes = sorted({key[1] for key in cells})
    kinds = sorted({key[2] for key in cells})
    districts = sorted({key[1] for key in table if key[0] == "d"})
    # nested levels first (commune, then former district, then type), so that a
    # complement is found next to the cell it protects
    for commune in communes:
        relations.append([("c", commune), *(k for k in cells if k[1] == commune)])
    for district in districts:
        members = [c for c in communes if former_district_of(c) == district]
        for kind in kinds:
            if ("dt", district, kind) in table:
                relations.append(
                    [
                        ("dt", district, kind),
                        *(k for k in cells if k[2] == kind and k[1] in members),
                    ]
                )
        relations.append([("d", district), *(("c", c) for c in members)])
        relations.append(
            [("d", district), *(k for k in table if k[0] == "dt" and k[1] == district)]
        )
    for kind in kinds:
        relations.append([("t", kind), *(k for k in cells if k[2] == kind)])
        relations.append([("t", kind), *(k for k in table if k[0] == "dt" and k[2] == kind)])
    relations.append([("p",), *(("c", c) for c in communes)])
    relations.append([("p",), *(("t", t) for t in kinds)])
    relations.append([("p",), *(("d", d) for d in districts)])

    hidden = {key for key, cell in table.items() if 0 < cell.establishments < THRESHOLD}
    changed = True
    while changed:
        changed = False
        for relation in relations:
            present = [key for key in relation if table[key].establishments > 0]
            if sum(1 for key in present if key in hidden) != 1:
                continue
            candidates = [key for key in present if key not in hidden]
            if not candidates:
                continue
            total = relation[0]
            candidates.sort(key=lambda k: (k == total, table[k].establishments, k))
            hidden.add(candidates[0])
            changed = True
    return table, hidden


def _published(month: str, cell: Cell, suppressed: bool) -> dict[str, Any]:
    days = checks.days_in(month)
    if suppressed:
        return {
            "establishments": None,
            **dict.fromkeys(SUMS, None),
            "guests_total": None,
            "room_nights_available": None,
            "occupancy": None,
            "suppressed": True,
        }
    sums = cell.sums
    available = sums["rooms_available"] * days
    return {
        "establishments": cell.establishments,
        **sums,
        "guests_total": sums["overnight_international"]
        + sums["overnight_domestic"]
        + sums["sameday_international"]
        + sums["sameday_domestic"],
        "room_nights_available": available,
        "occupancy": round(sums["room_nights_sold"] / available, 4) if available else None,
        "suppressed": False,
    }


def visitors(
    start: str,
    end: str,
    *,
    group_by: tuple[str, ...] = GROUPS,
    admin_units: list[str] | None = None,
    accommodation_types: list[str] | None = None,
    former_districts: list[str] | None = None,
) -> dict[str, Any]:
    """The published cells of months ``start``..``end`` (``YYYY-MM``) at the level
    ``group_by`` names (the month always), and the province's totals per month.
    ``former_district`` in ``group_by`` groups by the districts before the 2025 merger
    (instead of communes)."""
    admin_units_wanted = admin_units
    by_month: dict[str, dict[Key, Cell]] = {}
    for row in _rows(start, end):
        cell = Cell(
            establishments=int(row["establishments"]),
            sums={name: int(row[name]) for name in SUMS},
            demo=bool(row["demo"]),
        )
        by_month.setdefault(row["period"], {})[
            ("b", row["admin_unit"], row["accommodation_type"])
        ] = cell
    by_district = FORMER_DISTRICT in group_by
    by_commune = "admin_unit" in group_by and not by_district
    by_type = "accommodation_type" in group_by
    cells_out: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    demo = False
    for month in sorted(by_month):
        table, hidden = _suppress(by_month[month])
        demo = demo or table[("p",)].demo
        totals.append({"month": month, **_published(month, table[("p",)], ("p",) in hidden)})
        if not (by_commune or by_type or by_district):
            continue
        if by_district:
            prefix = "dt" if by_type else "d"
        else:
            prefix = "b" if by_commune and by_type else ("c" if by_commune else "t")
        for key in sorted(k for k in table if k[0] == prefix):
            place = key[1] if prefix in ("b", "c", "d", "dt") else None
            kind = key[2] if prefix in ("b", "dt") else (key[1] if prefix == "t" else None)
            if by_district and former_districts and place not in former_districts:
                continue
            if by_commune and admin_units_wanted and place not in admin_units_wanted:
                continue
            if accommodation_types and kind not in accommodation_types:
                continue
            entry: dict[str, Any] = {"month": month}
            if by_district:
                entry[FORMER_DISTRICT] = place or None
            if by_commune:
                entry["admin_unit"] = place or None
            if by_type:
                entry["accommodation_type"] = kind or None
            entry.update(_published(month, table[key], key in hidden))
            cells_out.append(entry)
    return {
        "from": start,
        "to": end,
        "group_by": [
            "month",
            *(
                g
                for g in ("admin_unit", FORMER_DISTRICT, "accommodation_type")
                if g in group_by and not (g == "admin_unit" and by_district)
            ),
        ],
        "threshold": THRESHOLD,
        "demo": demo,
        "cells": cells_out,
        "totals": totals,
        "travel": travel(start, end),
    }
