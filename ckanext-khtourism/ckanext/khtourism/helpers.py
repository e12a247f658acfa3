"""Template helpers."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__ = ["khtourism_publisher_name"]


def khtourism_publisher_name(lang: str | None = None) -> str:
    """The publishing authority's name in Vietnamese, or English when ``lang`` is ``en``."""
    if (lang or tk.h.lang()) == "en":
        return tk.config.get("ckanext.khtourism.publisher_name_en")
    return tk.config.get("ckanext.khtourism.publisher_name")
