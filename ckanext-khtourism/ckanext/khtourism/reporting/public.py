"""What the public statistics page (``/thong-ke``) shows of the monthly visitor reports:
the twelve months up to the latest month with accepted reports, built from the open
aggregates (``aggregates.py``: suppressed values are left out, never estimated).

* arrivals by month (guests served, province totals);
* international vs domestic guests by month;
* top markets: international guests by nationality over the twelve months, a country
  shown only when at least ``THRESHOLD`` establishments reported guests from it;
* occupancy in the latest month: the province, then the communes whose totals are not
  suppressed;
* guests served by travel businesses by month (inbound, outbound, domestic): province
  totals only, a month with fewer than ``THRESHOLD`` reporting businesses left out (by the
  Department's decision there is no breakdown by commune: docs/statistics.md).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.khtourism.core import messages
from ckanext.khtourism.records.vocabularies import admin_unit_label

from . import aggregates, checks, dashboard, indicators, reports


def N_(msgid: str) -> str:
    return msgid


TITLES = {
    "visitor_arrivals": N_("Guests served by accommodation establishments, by month"),
    "visitor_origin": N_("International and domestic guests, by month"),
    "visitor_markets": N_("Top markets: international guests by nationality"),
    "visitor_occupancy": N_("Room occupancy by commune (%)"),
    "visitor_travel": N_("Guests served by travel businesses, by month (whole province)"),
}
INTERNATIONAL = N_("international")
# the travel businesses' guests: (indicator, label)
TRAVEL_GUESTS = (
    ("guests_inbound", N_("inbound")),
    ("guests_outbound", N_("outbound")),
    ("guests_domestic", N_("domestic")),
)
PROVINCE = N_("Whole province")
DOMESTIC = N_("domestic")
TOP_MARKETS = 10


def latest_month() -> str | None:
    return model.Session.execute(
        sa.text(
            "SELECT max(period) FROM khtourism_visitor_report WHERE state = :state AND kind = :kind"
        ),
        {"state": reports.ACCEPTED, "kind": indicators.ACCOMMODATION},
    ).scalar()


def _markets(start: str, end: str, lang: str) -> list[tuple[str, str, int]]:
    rows = model.Session.execute(
        sa.text(
            """
            SELECT n.country, SUM(n.guests) AS guests
            FROM khtourism_visitor_report_nationality n
            JOIN khtourism_visitor_report r ON r.id = n.report_id
            WHERE r.state = :state AND r.kind = :kind AND r.period BETWEEN :start AND :end
            GROUP BY n.country
            HAVING COUNT(DISTINCT r.establishment_id) >= :threshold
            ORDER BY guests DESC, n.country
            LIMIT :limit
            """
        ),
        {
            "state": reports.ACCEPTED,
            "kind": indicators.ACCOMMODATION,
            "start": start,
            "end": end,
            "threshold": aggregates.THRESHOLD,
            "limit": TOP_MARKETS,
        },
    )
    return [(code, checks.country_name(code, lang), int(guests)) for code, guests in rows]


def breakdowns(lang: str) -> dict[str, Any]:
    """The charts' rows ``(code, label, value)`` by chart name, their titles, the window
    and the download link's query; empty when no report was accepted yet."""
    end = latest_month()
    if end is None:
        return {"charts": [], "from": None, "to": None}
    start = dashboard.shift(end, -11)
    monthly = aggregates.visitors(start, end, group_by=("month",))
    by_month = monthly["totals"]
    by_commune = aggregates.visitors(end, end, group_by=("month", "admin_unit"))["cells"]
    published = [t for t in by_month if not t["suppressed"]]
    international = messages.translate(INTERNATIONAL, lang)
    domestic = messages.translate(DOMESTIC, lang)
    rows: dict[str, list[tuple[str, str, int]]] = {
        "visitor_arrivals": [(t["month"], t["month"], t["guests_total"]) for t in published],
        "visitor_origin": [
            row
            for t in published
            for row in (
                (
                    f"{t['month']}-international",
                    f"{t['month']} · {international}",
                    t["overnight_international"] + t["sameday_international"],
                ),
                (
                    f"{t['month']}-domestic",
                    f"{t['month']} · {domestic}",
                    t["overnight_domestic"] + t["sameday_domestic"],
                ),
            )
        ],
        "visitor_markets": _markets(start, end, lang),
        "visitor_occupancy": [
            (
                "province",
                messages.translate(PROVINCE, lang),
                round(t["occupancy"] * 100),
            )
            for t in by_month
            if t["month"] == end and not t["suppressed"] and t["occupancy"] is not None
        ]
        + sorted(
            (
                (
                    cell["admin_unit"] or "",
                    admin_unit_label(cell["admin_unit"], lang) if cell["admin_unit"] else "—",
                    round(cell["occupancy"] * 100),
                )
                for cell in by_commune
                if not cell["suppressed"] and cell["occupancy"] is not None
            ),
            key=lambda row: (-row[2], row[1]),
        ),
        "visitor_travel": [
            (
                f"{month['month']}-{name.removeprefix('guests_')}",
                f"{month['month']} · {messages.translate(label, lang)}",
                month[name],
            )
            for month in monthly["travel"]
            if not month["suppressed"]
            for name, label in TRAVEL_GUESTS
        ],
    }
    return {
        "charts": [
            {"name": name, "title": messages.translate(TITLES[name], lang), "rows": rows[name]}
            for name in TITLES
        ],
        "from": start,
        "to": end,
        "demo": monthly["demo"],
    }
