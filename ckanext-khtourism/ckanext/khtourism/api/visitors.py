"""``/statistics/visitors``: the open aggregates of the monthly visitor reports
(``reporting/aggregates.py``: accepted accommodation reports, cells from fewer than
three establishments suppressed with their complements; revenue never read), in JSON
or CSV, labels in the request's language. The travel businesses' tours and guests are
province totals per month (``"travel"`` in JSON, rows of level ``travel`` in CSV; a month
with fewer than three reporting businesses suppressed): by the Department's decision,
not by commune (docs/statistics.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

from ckanext.khtourism.core import messages
from ckanext.khtourism.core.messages import MESSAGES, N_
from ckanext.khtourism.records.vocabularies import admin_unit_label, former_districts
from ckanext.khtourism.reporting import aggregates, checks, indicators, reports
from ckanext.khtourism.security.csv_cells import safe_row

from .errors import invalid
from .items import label_for
from .params import GROUPINGS, MAX_VISITOR_MONTHS

MAX_MONTHS = MAX_VISITOR_MONTHS
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
    # travel businesses (rows of level "travel": province totals per month)
    "businesses",
    *indicators.TRAVEL_COUNTS,
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


def month_range(parsed: dict[str, Any]) -> tuple[str, str]:
    """The first and last month of a query (the ``month-range`` rule of params.RULES)."""
    this_month = reports.local_date(reports.now()).strftime("%Y-%m")
    end = parsed.get("to") or _shift(this_month, -1)
    start = parsed.get("from") or _shift(end, -11)
    if start > end:
        raise invalid("from", MESSAGES["stats_range"], start=start, end=end)
    if _months_between(start, end) > MAX_MONTHS:
        raise invalid("from", N_("at most {count} months per request."), count=MAX_MONTHS)
    return start, end


def build(parsed: dict[str, Any], lang: str) -> dict[str, Any]:
    start, end = month_range(parsed)
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
    province = PROVINCE[lang]
    rows = (
        [{"level": "cell", **cell} for cell in result["cells"]]
        + [
            {"level": "province", "admin_unit_label": province, **total}
            for total in result["totals"]
        ]
        + [
            {"level": "travel", "admin_unit_label": province, **month}
            for month in result.get("travel", [])
        ]
    )
    for row in rows:
        writer.writerow(safe_row(_text(row.get(column)) for column in COLUMNS))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ------------------------------------------------------- CSV on the Web (CSVW)
# The W3C "Metadata Vocabulary for Tabular Data" description of the CSV above: every
# column's name, titles (Vietnamese, English, and the header's own name) and datatype;
# a suppressed or not applicable value is an empty cell ("null": "").
CSVW_MEDIA_TYPE = "application/csvm+json"
COUNT = {"base": "nonNegativeInteger"}
TEXT = {"base": "string"}
COLUMN_TITLES: dict[str, tuple[str, str]] = {
    "level": (
        N_("Level"),
        N_(
            "'cell': a cell of the grouping; 'province': the province's total of the month; "
            "'travel': the travel businesses' province total of the month."
        ),
    ),
    "month": (N_("Month"), N_("The month (YYYY-MM).")),
    "admin_unit": (N_("Commune code"), N_("The 2025 commune (ward) code; empty: not grouped.")),
    "admin_unit_label": (N_("Commune"), N_("The commune's name.")),
    "former_district": (
        N_("Former district code"),
        N_("The district before the 2025 merger; empty: not grouped."),
    ),
    "former_district_label": (N_("Former district"), N_("The former district's name.")),
    "accommodation_type": (
        N_("Accommodation type code"),
        N_("The accommodation type; empty: not grouped."),
    ),
    "accommodation_type_label": (N_("Accommodation type"), N_("The type's name.")),
    "establishments": (
        N_("Establishments"),
        N_("Establishments with an accepted report in the cell."),
    ),
    "guests_total": (
        N_("Guests served"),
        N_("Overnight and same-day guests, international and domestic."),
    ),
    "room_nights_available": (
        N_("Room-nights available"),
        N_("Rooms available × days of the month."),
    ),
    "occupancy": (N_("Room occupancy"), N_("Room-nights sold / room-nights available (0–1).")),
    "suppressed": (
        N_("Suppressed"),
        N_(
            "true: the figures of this row are hidden (empty), because it is built from "
            "fewer than 3 establishments or would let a hidden figure be derived."
        ),
    ),
    "businesses": (
        N_("Travel businesses"),
        N_("Travel businesses with an accepted report in the month (rows of level 'travel')."),
    ),
}
DATATYPES: dict[str, dict[str, Any]] = {
    "level": {"base": "string", "format": "cell|province|travel"},
    "month": {"base": "gYearMonth"},
    "admin_unit": {"base": "string", "format": "[0-9]+"},
    "former_district": {"base": "string", "format": "[0-9]+"},
    "establishments": COUNT,
    **dict.fromkeys(aggregates.SUMS, COUNT),
    "guests_total": COUNT,
    "room_nights_available": COUNT,
    "occupancy": {"base": "decimal", "minimum": 0, "maximum": 1},
    "suppressed": {"base": "boolean", "format": "true|false"},
    "businesses": COUNT,
    **dict.fromkeys(indicators.TRAVEL_COUNTS, COUNT),
}


def _titles(column: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    if column in COLUMN_TITLES:
        title, description = COLUMN_TITLES[column]
        titles = {lang: messages.translate(title, lang) for lang in ("vi", "en")}
        about = {lang: messages.translate(description, lang) for lang in ("vi", "en")}
    else:  # an indicator: its label in the report form
        titles = {lang: checks.label(column, lang) for lang in ("vi", "en")}
        about = {lang: f"{titles[lang]} (Σ)" for lang in ("vi", "en")}
    return {"und": [column], **{k: [v] for k, v in titles.items()}}, about


def csv_metadata(csv_url: str) -> dict[str, Any]:
    """The CSVW table description (JSON-LD) of the CSV at ``csv_url``."""
    columns = []
    for column in COLUMNS:
        titles, about = _titles(column)
        columns.append(
            {
                "name": column,
                "titles": titles,
                "dc:description": [{"@value": v, "@language": k} for k, v in about.items()],
                "datatype": DATATYPES.get(column, TEXT),
                "null": "",
                "required": column in ("level", "month", "suppressed"),
            }
        )
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "vi"}],
        "url": csv_url,
        "dc:title": [
            {"@value": "Thống kê khách du lịch lưu trú hằng tháng", "@language": "vi"},
            {"@value": "Monthly visitor statistics of accommodation", "@language": "en"},
        ],
        "dc:publisher": "Sở Du lịch tỉnh Khánh Hòa",
        "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
        "dialect": {
            "encoding": "utf-8",
            "header": True,
            "headerRowCount": 1,
            "lineTerminators": ["\r\n"],
            "delimiter": ",",
        },
        "tableSchema": {
            "columns": columns,
            "aboutUrl": "#row-{_row}",
        },
        "notes": [
            {
                "@type": "oa:Annotation",
                "oa:motivatedBy": {"@id": "oa:describing"},
                "oa:hasBody": {
                    "@type": "oa:TextualBody",
                    "rdf:value": (
                        f"Disclosure control: a row built from fewer than {aggregates.THRESHOLD}"
                        " establishments (travel businesses for the rows of level travel), or one"
                        " from which such a row could be derived, has"
                        " suppressed=true and empty figures."
                    ),
                    "dc:language": "en",
                },
            }
        ],
    }
