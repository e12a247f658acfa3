"""Values as a person reads them: prices, province codes, localized titles."""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources
from typing import Any

from ckanext.khtourism.core import formats

VND_SIGN = formats.VND_SIGN


def format_vnd(value: Any, lang: str = "vi") -> str:
    """``1500000`` -> ``1.500.000 ₫`` (Vietnamese) or ``1,500,000 ₫`` (English)."""
    return formats.display_vnd(value, lang)


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
    return formats.display_local_time(value)


def khanh_hoa_time(value: Any) -> str:
    """An event's start or end in Khánh Hòa's time (``core/formats.py``)."""
    return formats.display_khanh_hoa_time(value)
