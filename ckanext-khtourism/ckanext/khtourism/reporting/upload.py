"""Upload of many monthly reports in one CSV or XLSX file (many establishments, many
months): every row checked, every error named by its row and field in the user's
language, and nothing written unless every row is right (one transaction).

The columns are the report's fields (``establishment_id``, ``period``, the counts,
``nationality_XX`` per ISO 3166 code) or their labels in Vietnamese or English; the
file is read by the harvester's spreadsheet reader (encodings, title lines above the
header, XLSX safety checks).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ckan.model as model

from ckanext.khtourism.core import messages
from ckanext.khtourism.harvesters.mapping import fold
from ckanext.khtourism.harvesters.sources.base import SourceError
from ckanext.khtourism.harvesters.sources.spreadsheet import read_spreadsheet

from . import checks, indicators, reports
from .model import VisitorReport

MAX_ROWS = 50_000
COLUMNS = ("establishment_id", "period", *indicators.ALL_COUNTS)


class UploadRefused(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclasses.dataclass
class UploadResult:
    created: int = 0
    updated: int = 0
    corrections: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.corrections


def _aliases(lang: str | None) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for field in COLUMNS:
        aliases[fold(field)] = field
        msgid = indicators.LABELS.get(field)
        if msgid:
            for language in ("vi", "en"):
                aliases[fold(messages.translate(msgid, language))] = field
    return aliases


def _row_error(row: int | None, field: str | None, message: str, lang: str | None) -> dict:
    prefix = messages.text("report_row", lang, row=row) if row else ""
    return {
        "row": row,
        "field": field,
        "message": f"{prefix}: {message}" if prefix else message,
    }


def _columns(headers: list[str], lang: str | None) -> tuple[dict[str, str], list[dict]]:
    aliases = _aliases(lang)
    mapping: dict[str, str] = {}
    unknown = []
    for header in headers:
        key = fold(header)
        if key in aliases:
            mapping[header] = aliases[key]
        elif key.startswith("nationality") and len(key) == len("nationality") + 2:
            mapping[header] = f"nationality_{key[-2:].upper()}"
        else:
            unknown.append(header)
    errors = []
    if unknown:
        errors.append(
            _row_error(
                None,
                None,
                messages.text("report_unknown_column", lang, columns=", ".join(unknown)),
                lang,
            )
        )
    missing = [
        checks.label(field, lang)
        for field in ("establishment_id", "period")
        if field not in mapping.values()
    ]
    if missing:
        errors.append(
            _row_error(
                None,
                None,
                messages.text("report_missing_column", lang, columns=", ".join(missing)),
                lang,
            )
        )
    return mapping, errors


def upload(
    data: bytes,
    *,
    name: str,
    user: model.User,
    lang: str | None = None,
    today: dt.date | None = None,
    demo: bool = False,
) -> UploadResult:
    """Check every row; raise UploadRefused with every error, or write them all (the
    caller commits)."""
    today = today or reports.local_date(reports.now())
    try:
        listing = read_spreadsheet(data, name_hint=name, max_rows=MAX_ROWS)
    except SourceError as error:
        raise UploadRefused(
            [_row_error(None, None, messages.text("report_file_error", lang, detail=error), lang)]
        ) from error
    if not listing.records:
        raise UploadRefused(
            [
                _row_error(
                    None,
                    None,
                    messages.text("report_file_error", lang, detail="no rows"),
                    lang,
                )
            ]
        )
    headers = list(listing.records[0].properties)
    mapping, errors = _columns(headers, lang)
    if errors:
        raise UploadRefused(errors)

    rows = []
    for record in listing.records:
        number = int(record.ref.split()[-1])
        values = {mapping[key]: value for key, value in record.properties.items() if key in mapping}
        rows.append((number, values, record.problem))
    places = reports.establishments(str(v.get("establishment_id") or "") for _, v, _ in rows)
    existing = {
        (r.establishment_id, r.period): r
        for r in model.Session.query(VisitorReport).filter(
            VisitorReport.establishment_id.in_(list(places))
        )
    }
    is_curator = reports.roles.is_curator(user)
    allowed_orgs: dict[str | None, bool] = {}
    seen: dict[tuple[str, str], int] = {}
    checked_rows = []
    for number, values, problem in rows:
        if problem:
            errors.append(_row_error(number, None, problem, lang))
            continue
        identifier = str(values.get("establishment_id") or "").strip().upper()
        place = places.get(identifier)
        if place is None:
            errors.append(
                _row_error(
                    number,
                    "establishment_id",
                    checks.error(
                        "establishment_id", "report_unknown_establishment", lang, value=identifier
                    ),
                    lang,
                )
            )
            continue
        if place.owner_org not in allowed_orgs:
            allowed_orgs[place.owner_org] = is_curator or reports.may_report(user, place.owner_org)
        if not allowed_orgs[place.owner_org]:
            errors.append(
                _row_error(
                    number,
                    "establishment_id",
                    checks.error("establishment_id", "report_not_owner", lang, value=identifier),
                    lang,
                )
            )
            continue
        try:
            period = checks.parse_period(values.get("period"), today, lang)
            checked = checks.check(values, place.kind, period, place.rooms, lang)
        except checks.ReportInvalid as invalid:
            for field, messages_ in invalid.errors.items():
                errors.extend(_row_error(number, field, message, lang) for message in messages_)
            continue
        key = (identifier, period)
        if key in seen:
            errors.append(
                _row_error(
                    number,
                    "period",
                    checks.error("period", "report_duplicate_row", lang, other=seen[key]),
                    lang,
                )
            )
            continue
        seen[key] = number
        checked_rows.append((place, period, checked))
    if errors:
        raise UploadRefused(errors)

    result = UploadResult()
    for place, period, checked in checked_rows:
        before = existing.get((place.establishment_id, period))
        report = reports.save_checked(
            place,
            period,
            checked,
            user.name,
            curator=is_curator,
            existing=before,
            lookup=False,
            demo=demo,
        )
        if before is None:
            result.created += 1
        elif report.pending and report.state == reports.ACCEPTED and not is_curator:
            result.corrections += 1
        else:
            result.updated += 1
    return result
