"""Values as a person reads them: prices, province codes, localized titles."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from importlib import resources
from typing import Any

VND_SIGN = "₫"


def format_vnd(value: Any, lang: str = "vi") -> str:
    """``1500000`` -> ``1.500.000 ₫`` (Vietnamese) or ``1,500,000 ₫`` (English)."""
    if value in (None, ""):
        return ""
    try:
        amount = int(str(value).strip())
    except ValueError:
        return str(value)
    grouped = f"{amount:,}"
    if lang != "en":
        grouped = grouped.replace(",", ".")
    return f"{grouped} {VND_SIGN}"


@functools.lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    """Province codes (General Statistics Office list used on guide cards) -> name."""
    text = (
        resources.files("ckanext.khtourism.records")
        .joinpath("vocabularies/vietnam-provinces.csv")
        .read_text("utf-8")
    )
    return {row["code"]: row["name"] for row in csv.DictReader(io.StringIO(text))}


def province_label(code: Any) -> str:
    """``56`` -> ``Khánh Hòa (56)``; an unknown code stays as it is."""
    value = str(code or "").strip()
    name = provinces().get(value.zfill(2)) if value.isdigit() else None
    return f"{name} ({value})" if name else value


def localized(pkg: dict[str, Any], field: str, lang: str) -> str:
    """``title``/``notes`` in the page language: ``title_en`` under /en/ when present."""
    if lang == "en":
        english = pkg.get(f"{field}_en")
        if isinstance(english, str) and english.strip():
            return english
    return pkg.get(field) or ""


def local_time(value: Any) -> str:
    """``value`` (a datetime or ISO string, UTC when naive) in ``ckan.display_timezone``."""
    import datetime as dt

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


def khanh_hoa_time(value: Any) -> str:
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
