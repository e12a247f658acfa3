"""Dates, counts and prices as a person reads them on a page (docs/records.md, "Dates
and numbers on pages").

- a plain date (``2026-03-01``) is day/month/year in both languages: ``01/03/2026`` — the
  form of the licences, cards and decisions themselves, and of the portal's times;
- a count (rooms, beds, seats, capacity) groups thousands: ``1.200`` in Vietnamese,
  ``1,200`` in English; a price in đồng the same, followed by ``₫``.

Only pages use these: the API, DCAT, CSV and GeoJSON keep ISO dates and bare numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import messages

VND_SIGN = "₫"
DATE_FORMAT = "%d/%m/%Y"  # both languages (docs/records.md)


def _lang(lang: str | None) -> str:
    return lang or messages.current_language()


def group_digits(amount: int, lang: str | None = None) -> str:
    """``1200`` -> ``1.200`` (Vietnamese) or ``1,200`` (English)."""
    grouped = f"{amount:,}"
    return grouped if _lang(lang) == "en" else grouped.replace(",", ".")


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return None


def display_count(value: Any, lang: str | None = None) -> str:
    """A count (``1200``, ``"1200"``) with thousands grouped; anything else as it is."""
    if value in (None, ""):
        return ""
    amount = _whole_number(value)
    return str(value) if amount is None else group_digits(amount, lang)


def display_vnd(value: Any, lang: str | None = None) -> str:
    """``1500000`` -> ``1.500.000 ₫`` (Vietnamese) or ``1,500,000 ₫`` (English)."""
    if value in (None, ""):
        return ""
    amount = _whole_number(value)
    return str(value) if amount is None else f"{group_digits(amount, lang)} {VND_SIGN}"


def display_date(value: Any, lang: str | None = None) -> str:
    """A plain date (``2026-03-01``, a ``date``, or the date part of an ISO date-time) as
    ``01/03/2026``; a value that is not a date stays as it is. ``lang`` is accepted so
    that every caller says which page it writes for, though both languages read the
    same form today."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:
            value = dt.date.fromisoformat(text[:10])
        except ValueError:
            return text
        if len(text) > 10 and text[10] not in "T ":
            return text
    return value.strftime(DATE_FORMAT)


def display_local_time(value: Any) -> str:
    """``value`` (a datetime or ISO string, UTC when naive) in ``ckan.display_timezone``."""
    from ckan.lib.helpers import get_display_timezone

    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(get_display_timezone())
    offset = local.strftime("%z") or "+0000"
    return f"{local:%d/%m/%Y %H:%M} (UTC{offset[:3]}:{offset[3:]})"


KHANH_HOA = dt.timezone(dt.timedelta(hours=7))


def display_khanh_hoa_time(value: Any) -> str:
    """An event's start or end (stored ISO 8601 with its offset) in Khánh Hòa's time,
    UTC+7 whatever ``ckan.display_timezone`` says: ``05/06/2027 19:00 (UTC+07:00)``. The
    record page showed the stored ``2027-06-05T19:00:00+07:00``."""
    if value in (None, ""):
        return ""
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if parsed.tzinfo is None:  # (the validator stores an offset; a bare value is local)
        parsed = parsed.replace(tzinfo=KHANH_HOA)
    return f"{parsed.astimezone(KHANH_HOA):%d/%m/%Y %H:%M} (UTC+07:00)"
