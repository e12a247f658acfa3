"""``/statistics/visitors``: the open aggregates of the monthly visitor reports
(``reporting/aggregates.py``: accepted accommodation reports, cells from fewer than
three establishments suppressed with their complements; revenue never read), in JSON
or CSV, labels in the request's language."""

from __future__ import annotations

import csv
import io
from typing import Any

from ckanext.khtourism.core.messages import MESSAGES, N_
from ckanext.khtourism.records.vocabularies import admin_unit_label, former_districts
from ckanext.khtourism.reporting import aggregates, reports
from ckanext.khtourism.security.csv_cells import safe_row

from .errors import invalid
from .items import label_for
from .params import GROUPINGS

MAX_MONTHS = 120
COLUMNS = (
    "level",
    "month",
    "admin_unit",
    "admin_unit_label",
    "former_district",
    "former_district_label",
    "accommodation_type",
    "accommodation_type_label",
    "establishments",
    *aggregates.SUMS,
    "guests_total",
    "room_nights_available",
    "occupancy",
    "suppressed",
)
PROVINCE = {"vi": "Tỉnh Khánh Hòa", "en": "Khánh Hòa province"}


def _shift(month: str, delta: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _months_between(start: str, end: str) -> int:
    a, b = (int(x) for x in start.split("-")), (int(x) for x in end.split("-"))
    (ya, ma), (yb, mb) = a, b
    return (yb - ya) * 12 + mb - ma + 1


def build(parsed: dict[str, Any], lang: str) -> dict[str, Any]:
    this_month = reports.local_date(reports.now()).strftime("%Y-%m")
    end = parsed.get("to") or _shift(this_month, -1)
    start = parsed.get("from") or _shift(end, -11)
    if start > end:
        raise invalid("from", MESSAGES["stats_range"], start=start, end=end)
    if _months_between(start, end) > MAX_MONTHS:
        raise invalid("from", N_("at most {count} months per request."), count=MAX_MONTHS)
    group_by = tuple(
        parsed.get("group_by") or (g for g in GROUPINGS if g != aggregates.FORMER_DISTRICT)
    )
    result = aggregates.visitors(
        start,
        end,
        group_by=group_by,
        admin_units=parsed.get("admin_unit"),
        accommodation_types=parsed.get("accommodation_type"),
        former_districts=parsed.get("former_district"),
    )
    for cell in result["cells"]:
        _label(cell, lang)
    result["lang"] = lang
    return result


def _label(cell: dict[str, Any], lang: str) -> None:
    if cell.get("admin_unit"):
        cell["admin_unit_label"] = admin_unit_label(cell["admin_unit"], lang)
    if cell.get("former_district"):
        cell["former_district_label"] = former_districts().get(cell["former_district"])
    if cell.get("accommodation_type"):
        cell["accommodation_type_label"] = label_for(
            "accommodation", "accommodation_type", cell["accommodation_type"], lang
        )


def to_csv(result: dict[str, Any], lang: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = [{"level": "cell", **cell} for cell in result["cells"]] + [
        {"level": "province", "admin_unit_label": PROVINCE[lang], **total}
        for total in result["totals"]
    ]
    for row in rows:
        writer.writerow(safe_row(_text(row.get(column)) for column in COLUMNS))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
