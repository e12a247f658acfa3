"""The month's reports for the Ministry (curators only): one row per establishment with
every indicator (revenue included: this file is not public), then the provincial
roll-up, as CSV (UTF-8 with BOM) or XLSX. The columns follow the indicators of issue 18
(Circular 11/2021/TT-BVHTTDL's occupancy and guests-served indicators), then the totals
the statistics office's monthly form 01CS/LTDL asks for besides their parts, each with
the form's row code; the import layout of the Ministry's system could not be verified
(docs/statistics.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

import ckan.model as model

from ckanext.khtourism.core import messages
from ckanext.khtourism.records.vocabularies import admin_unit_label
from ckanext.khtourism.security.csv_cells import safe_row

from . import checks, indicators, reports
from .model import VisitorReport

BASE_COLUMNS = ("establishment_id", "period", "admin_unit", "accommodation_type", "state")
COUNTED_STATES = (reports.SUBMITTED, reports.ACCEPTED)


def N_(msgid: str) -> str:
    return msgid


# The totals of the statistics office's monthly form 01CS/LTDL ("Báo cáo hoạt động lưu
# trú, ăn uống và du lịch", part I: accommodation; docs/statistics.md), by its row code;
# its other rows (02-03, 06-07, 09-10, 12-13) are our indicators themselves.
FORM = "01CS/LTDL"
FORM_TOTALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "04",
        N_("Guests served (overnight and same-day)"),
        (
            "overnight_international",
            "overnight_domestic",
            "sameday_international",
            "sameday_domestic",
        ),
    ),
    ("05", N_("Guests staying overnight"), ("overnight_international", "overnight_domestic")),
    ("08", N_("Same-day guests"), ("sameday_international", "sameday_domestic")),
    (
        "11",
        N_("Guest-nights (overnight guests)"),
        ("guest_nights_international", "guest_nights_domestic"),
    ),
)


def _form_totals(kind: str, values: dict[str, Any]) -> list[int | None]:
    if kind != indicators.ACCOMMODATION:
        return [None] * len(FORM_TOTALS)
    return [sum(values.get(name) or 0 for name in parts) for _, _, parts in FORM_TOTALS]


def rows(period: str, lang: str = "vi") -> tuple[list[str], list[list[Any]]]:
    """Header labels and rows: establishments of ``period`` (submitted or accepted
    reports), then one roll-up row per kind of report."""
    header = [
        checks.label("establishment_id", lang),
        checks.label("period", lang),
        "admin_unit",
        "admin_unit_name",
        "accommodation_type",
        "state",
        *(checks.label(name, lang) for name in indicators.ALL_COUNTS),
        "occupancy",
        "nationalities",
        *(f"{messages.translate(label, lang)} [{FORM} {code}]" for code, label, _ in FORM_TOTALS),
    ]
    found = (
        model.Session.query(VisitorReport)
        .filter(VisitorReport.period == period, VisitorReport.state.in_(COUNTED_STATES))
        .order_by(VisitorReport.kind, VisitorReport.establishment_id)
        .all()
    )
    body: list[list[Any]] = []
    totals: dict[str, dict[str, int]] = {}
    days = checks.days_in(period)
    for report in found:
        counts = [getattr(report, name) for name in indicators.ALL_COUNTS]
        kind_totals = totals.setdefault(report.kind, dict.fromkeys(indicators.ALL_COUNTS, 0))
        for name, value in zip(indicators.ALL_COUNTS, counts, strict=True):
            kind_totals[name] += value or 0
        rooms, sold = report.rooms_available, report.room_nights_sold
        body.append(
            [
                report.establishment_id,
                report.period,
                report.admin_unit or "",
                admin_unit_label(report.admin_unit, lang) if report.admin_unit else "",
                report.accommodation_type or "",
                report.state,
                *counts,
                round(sold / (rooms * days), 4) if rooms and sold is not None else None,
                " ".join(f"{n.country}:{n.guests}" for n in report.nationalities),
                *_form_totals(report.kind, dict(zip(indicators.ALL_COUNTS, counts, strict=True))),
            ]
        )
    for kind, kind_totals in sorted(totals.items()):
        rooms, sold = kind_totals["rooms_available"], kind_totals["room_nights_sold"]
        body.append(
            [
                f"TOTAL-{kind}",
                period,
                "",
                "Tỉnh Khánh Hòa" if lang == "vi" else "Khánh Hòa province",
                "",
                "",
                *(kind_totals[name] for name in indicators.ALL_COUNTS),
                round(sold / (rooms * days), 4) if rooms else None,
                "",
                *_form_totals(kind, kind_totals),
            ]
        )
    return header, body


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def to_csv(period: str, lang: str = "vi") -> bytes:
    header, body = rows(period, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow(safe_row(_text(v) for v in row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(period: str, lang: str = "vi") -> bytes:
    from openpyxl import Workbook

    header, body = rows(period, lang)
    book = Workbook()
    sheet: Any = book.active
    sheet.title = period
    sheet.append(header)
    for row in body:
        sheet.append([v if isinstance(v, int | float) or v is None else str(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
