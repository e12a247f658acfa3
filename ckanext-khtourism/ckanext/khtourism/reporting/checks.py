"""Checks of a monthly report; every error names its field in the user's language."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from typing import Any

from ckanext.khtourism.core import messages

from . import indicators

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# region codes of CLDR that are not countries (groupings, private use, unknown)
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}


class ReportInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@functools.cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (CLDR's territory list, as Babel ships it)."""
    from babel import Locale

    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code for code in codes if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    )


def country_name(code: str, lang: str = "vi") -> str:
    from babel import Locale

    return str(Locale(lang).territories.get(code, code))


def label(field: str, lang: str | None = None) -> str:
    msgid = indicators.LABELS.get(field)
    if msgid is None and field.startswith("nationality_"):
        return f"{messages.translate(indicators.LABELS['nationalities'], lang)} ({field[12:]})"
    return messages.translate(msgid, lang) if msgid else field


def error(field: str, key: str, lang: str | None = None, **values: Any) -> str:
    return f"{label(field, lang)}: {messages.text(key, lang, **values)}"


def days_in(period: str) -> int:
    year, month = (int(part) for part in period.split("-"))
    return calendar.monthrange(year, month)[1]


def parse_period(value: Any, today: dt.date, lang: str | None = None) -> str:
    text = str(value or "").strip()
    if isinstance(value, dt.date):
        text = value.strftime("%Y-%m")
    elif re.match(r"^\d{4}-\d{2}-\d{2}", text):
        text = text[:7]  # a spreadsheet's date cell: its month
    if not PERIOD.match(text):
        raise ReportInvalid({"period": [error("period", "report_bad_period", lang, value=text)]})
    if text >= today.strftime("%Y-%m"):
        raise ReportInvalid({"period": [error("period", "report_future_period", lang, value=text)]})
    return text


def _integer(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):  # 1.234.567 / 1,234,567
        return int(re.sub(r"[.,]", "", text))
    return None


def check(
    values: dict[str, Any],
    kind: str,
    period: str,
    rooms: int | None,
    lang: str | None = None,
) -> dict[str, Any]:
    """The report's counts (and ``nationalities``) checked; raises ReportInvalid naming
    every field in error. ``rooms``: the establishment's rooms (used when
    ``rooms_available`` is not given)."""
    errors: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    own = indicators.COUNTS[kind]
    for field in indicators.ALL_COUNTS:
        raw = values.get(field)
        if (
            field == "rooms_available"
            and kind == indicators.ACCOMMODATION
            and (raw is None or (isinstance(raw, str) and not raw.strip()))
        ):
            raw = rooms or 0
        number = _integer(raw)
        if number is None:
            errors.setdefault(field, []).append(error(field, "report_not_integer", lang))
            continue
        if field not in own:
            if number:
                errors.setdefault(field, []).append(error(field, "report_not_for_kind", lang))
            continue
        if number < 0:
            errors.setdefault(field, []).append(error(field, "report_negative", lang))
            continue
        counts[field] = number

    nationalities: dict[str, int] = {}
    raw_nationalities = dict(values.get("nationalities") or {})
    for key, raw in values.items():
        if key.startswith("nationality_"):
            raw_nationalities[key[12:]] = raw
    if raw_nationalities and kind != indicators.ACCOMMODATION:
        errors.setdefault("nationalities", []).append(
            error("nationalities", "report_not_for_kind", lang)
        )
    elif raw_nationalities:
        for code, raw in raw_nationalities.items():
            field = f"nationality_{str(code).strip().upper()}"
            code = str(code).strip().upper()
            if code not in countries():
                errors.setdefault(field, []).append(
                    error(field, "report_bad_country", lang, value=code)
                )
                continue
            number = _integer(raw)
            if number is None:
                errors.setdefault(field, []).append(error(field, "report_not_integer", lang))
            elif number < 0:
                errors.setdefault(field, []).append(error(field, "report_negative", lang))
            elif number:
                nationalities[code] = number

    if kind == indicators.ACCOMMODATION:
        for origin in ("international", "domestic"):
            nights = counts.get(f"guest_nights_{origin}")
            guests = counts.get(f"overnight_{origin}")
            if nights is not None and guests is not None and nights < guests:
                field = f"guest_nights_{origin}"
                errors.setdefault(field, []).append(
                    error(field, "report_nights_below_guests", lang, nights=nights, guests=guests)
                )
        sold = counts.get("room_nights_sold")
        available = counts.get("rooms_available")
        if sold is not None and available is not None:
            days = days_in(period)
            if sold > available * days:
                errors.setdefault("room_nights_sold", []).append(
                    error(
                        "room_nights_sold",
                        "report_rooms_exceeded",
                        lang,
                        sold=sold,
                        rooms=available,
                        days=days,
                        limit=available * days,
                    )
                )
        international = counts.get("overnight_international", 0) + counts.get(
            "sameday_international", 0
        )
        if nationalities and sum(nationalities.values()) > international:
            errors.setdefault("nationalities", []).append(
                error(
                    "nationalities",
                    "report_nationality_total",
                    lang,
                    total=sum(nationalities.values()),
                    limit=international,
                )
            )
    if errors:
        raise ReportInvalid(errors)
    return {**counts, "nationalities": nationalities}
