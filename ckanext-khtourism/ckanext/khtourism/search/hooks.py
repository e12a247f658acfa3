"""The IPackageController hooks of the search room (``plugin.py`` delegates here)."""

from __future__ import annotations

from typing import Any

from ckanext.khtourism.security import action_limits

from . import postgres_enabled, spatial


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """Turn ``ext_bbox`` / radius / ``ext_polygon`` into filters our engine understands;
    cap the rows of an anonymous action-API search (security)."""
    search_params = action_limits.cap_anonymous_rows(search_params)
    if not postgres_enabled():
        return search_params
    return spatial.before_dataset_search(search_params)
