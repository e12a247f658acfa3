"""Template helpers."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

# records: helpers of the four record types and their workflow
from ckanext.khtourism.records import helpers as _records_helpers
from ckanext.khtourism.records.helpers import *  # noqa: F403

__all__ = [
    "khtourism_publisher_name",
    "khtourism_harvest_source_license",
    *_records_helpers.__all__,
]


def khtourism_publisher_name(lang: str | None = None) -> str:
    """The publishing authority's name in Vietnamese, or English when ``lang`` is ``en``."""
    if (lang or tk.h.lang()) == "en":
        return tk.config.get("ckanext.khtourism.publisher_name_en")
    return tk.config.get("ckanext.khtourism.publisher_name")


def khtourism_harvest_source_license(harvest_source: dict) -> dict[str, str]:
    """The licence a harvest source's records get when they carry none of their own:
    ``{"id", "title", "url", "origin"}`` (origin ``source``: its configuration declares
    it; ``default``: the portal's ``ckanext.khtourism.harvest.default_license``)."""
    import json

    from ckan import model

    from ckanext.khtourism.harvesters.mapping import source_license

    try:
        config = json.loads(harvest_source.get("config") or "{}")
    except ValueError:
        config = {}
    license_id, origin = source_license(config if isinstance(config, dict) else {})
    known = dict(model.Package.get_license_register().items()).get(license_id)
    return {
        "id": license_id,
        "title": getattr(known, "title", None) or license_id,
        "url": getattr(known, "url", None) or (license_id if "://" in license_id else ""),
        "origin": origin,
    }
