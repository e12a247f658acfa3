"""Vietnamese text folded to ASCII: URL slugs of records and place names without diacritics."""

from __future__ import annotations

import re
import unicodedata


def fold_diacritics(text: str) -> str:
    """``Khách sạn Đà Lạt`` -> ``Khach san Da Lat`` (case kept, ``đ`` -> ``d``)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def slug(text: str, fallback: str) -> str:
    """A URL slug: ``Khách sạn UX Hải Âu`` -> ``khach-san-ux-hai-au`` (``fallback`` if too short)."""
    folded = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(text).lower()).strip("-")[:80].strip("-")
    return folded if len(folded) >= 2 else fallback
