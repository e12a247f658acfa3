"""Disclosure control on random tables: no published total is the sum of members of
which exactly one is hidden, and no cell from 1 or 2 establishments is published."""

from __future__ import annotations

import random

from ckanext.khtourism.reporting import aggregates
from ckanext.khtourism.reporting.aggregates import Cell, former_district_of

COMMUNES = ["22333", "22366", "22390", "22402", "22411", "22420"]
TYPES = ["khach_san", "homestay", "nha_nghi_du_lich"]


def _relations(table):
    """Every (total, members) relation of the published levels, derived independently."""
    cells = [k for k in table if k[0] == "b"]
    out = []
    for c in {k[1] for k in cells}:
        out.append((("c", c), [k for k in cells if k[1] == c]))
    for t in {k[2] for k in cells}:
        out.append((("t", t), [k for k in cells if k[2] == t]))
        out.append((("t", t), [k for k in table if k[0] == "dt" and k[2] == t]))
    for d in {former_district_of(k[1]) for k in cells}:
        out.append(
            (("d", d), [("c", c) for c in {k[1] for k in cells} if former_district_of(c) == d])
        )
        out.append((("d", d), [k for k in table if k[0] == "dt" and k[1] == d]))
        for t in {k[2] for k in cells}:
            members = [k for k in cells if k[2] == t and former_district_of(k[1]) == d]
            if members:
                out.append((("dt", d, t), members))
    out.append((("p",), [k for k in table if k[0] == "c"]))
    out.append((("p",), [k for k in table if k[0] == "t"]))
    out.append((("p",), [k for k in table if k[0] == "d"]))
    return out


def test_random_tables_leave_nothing_derivable():
    rng = random.Random(18)
    for _ in range(300):
        cells = {}
        for commune in rng.sample(COMMUNES, rng.randint(1, len(COMMUNES))):
            for kind in rng.sample(TYPES, rng.randint(1, len(TYPES))):
                cells[("b", commune, kind)] = Cell(establishments=rng.choice([1, 2, 3, 4, 7]))
        table, hidden = aggregates._suppress(cells)
        for key, cell in table.items():
            if 0 < cell.establishments < aggregates.THRESHOLD:
                assert key in hidden, key
        for total, members in _relations(table):
            group = [total, *members]
            assert sum(1 for k in group if k in hidden) != 1, (total, members, hidden)
