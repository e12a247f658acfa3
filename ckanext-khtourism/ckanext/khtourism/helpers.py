"""Template helpers."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

# records: helpers of the four record types and their workflow
from ckanext.khtourism.records import helpers as _records_helpers
from ckanext.khtourism.records.helpers import *  # noqa: F403

__all__ = ["khtourism_publisher_name", *_records_helpers.__all__]


def khtourism_publisher_name(lang: str | None = None) -> str:
    """The publishing authority's name in Vietnamese, or English when ``lang`` is ``en``."""
    if (lang or tk.h.lang()) == "en":
        return tk.config.get("ckanext.khtourism.publisher_name_en")
    return tk.config.get("ckanext.khtourism.publisher_name")
