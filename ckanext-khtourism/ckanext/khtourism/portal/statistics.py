"""Counts of published records for the statistics page (``/thong-ke``, ``/stats``).

Breakdowns by record type, commune, star rating and status come from one
``package_search`` with facets, as an anonymous visitor sees the records
(public, active only); the month breakdown counts the same records by the month
they were first created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages
from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.records import vocabularies

from . import overview, record_types

# (facet field, record type whose schema labels its values; None: own labels)
FACETS: dict[str, str | None] = {
    "dataset_type": None,
    "admin_unit": None,
    "star_rating": "accommodation",
    "operating_status": "accommodation",
    "card_status": "tour-guide",
}
STAR_ORDER = ("1", "2", "3", "4", "5", "dat_chuan", "chua_xep_hang")


@dataclass
class Breakdown:
    """One chart: rows of (code, label, count), in display order."""

    name: str
    title: str
    rows: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(count for _, _, count in self.rows)


def _choice_labels(record_type: str, field_name: str, lang: str) -> dict[str, str]:
    from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(record_type) or {}
    found = scheming_field_by_name(schema.get("dataset_fields", []), field_name) or {}
    return {
        str(choice["value"]): messages.label_text(choice["label"], lang)
        for choice in found.get("choices", [])
    }


def _facet_counts() -> dict[str, dict[str, int]]:
    result = tk.get_action("package_search")(
        {"ignore_auth": True, "user": ""},
        {
            "q": "*:*",
            "fq": overview.type_filter(),
            "include_private": False,
            "include_drafts": False,
            "facet": "true",
            "facet.field": list(FACETS),
            "facet.limit": -1,
            "rows": 0,
        },
    )
    facets = result.get("facets", {})
    return {name: {str(k): int(v) for k, v in facets.get(name, {}).items()} for name in FACETS}


def _by_month() -> list[tuple[str, str, int]]:
    import sqlalchemy as sa

    import ckan.model as model

    month = sa.func.to_char(model.Package.metadata_created, "YYYY-MM")
    query = (
        model.Session.query(month, sa.func.count(model.Package.id))
        .filter(
            model.Package.state == "active",
            model.Package.private.is_(False),
            model.Package.type.in_(RECORD_TYPES),
        )
        .group_by(month)
        .order_by(month)
    )
    return [(str(m), str(m), int(n)) for m, n in query]


def breakdowns(lang: str) -> list[Breakdown]:
    counts = _facet_counts()

    def ordered(
        name: str, title: str, labels: dict[str, str], order: Callable[[str], Any]
    ) -> Breakdown:
        values = counts.get(name, {})
        rows = [(code, labels.get(code, code), values[code]) for code in sorted(values, key=order)]
        return Breakdown(name, title, rows)

    types = Breakdown(
        "dataset_type",
        tk._("Records by type"),
        [
            (t, record_types.type_label(t, lang), counts["dataset_type"].get(t, 0))
            for t in RECORD_TYPES
        ],
    )
    communes = ordered(
        "admin_unit",
        tk._("Records by commune"),
        {code: vocabularies.admin_unit_label(code, lang) for code in vocabularies.admin_units()},
        lambda code: (-counts["admin_unit"][code], code),
    )
    stars = ordered(
        "star_rating",
        tk._("Accommodation by star rating"),
        _choice_labels("accommodation", "star_rating", lang),
        lambda code: (STAR_ORDER.index(code) if code in STAR_ORDER else len(STAR_ORDER), code),
    )
    operating = ordered(
        "operating_status",
        tk._("Accommodation by operating status"),
        _choice_labels("accommodation", "operating_status", lang),
        lambda code: (-counts["operating_status"][code], code),
    )
    cards = ordered(
        "card_status",
        tk._("Tour guides by card status"),
        _choice_labels("tour-guide", "card_status", lang),
        lambda code: (-counts["card_status"][code], code),
    )
    months = Breakdown("month", tk._("Records created per month"), _by_month())
    return [types, communes, stars, operating, cards, months]


def csv_rows(lang: str) -> list[list[str]]:
    """Every breakdown as CSV rows: breakdown, code, label, count."""
    rows = [["breakdown", "code", "label", "count"]]
    for breakdown in breakdowns(lang):
        rows.extend(
            [breakdown.name, code, label, str(count)] for code, label, count in breakdown.rows
        )
    return rows


def generated_at() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
