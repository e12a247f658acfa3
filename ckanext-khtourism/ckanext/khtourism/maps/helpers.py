"""Template helpers of the maps (exported through ``ckanext.khtourism.helpers``).

The GeoJSON helpers return JSON text for a ``data-`` attribute (Jinja escapes it).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages
from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.records import geo

from . import features, settings


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def khtourism_map_settings() -> dict[str, str]:
    """What every map element carries: basemap, its attribution, the outline's URL."""
    return {
        "tile_url": settings.tile_url(),
        "tile_attribution": tk.config.get(settings.TILE_ATTRIBUTION) or "",
        "tile_attribution_url": tk.config.get(settings.TILE_ATTRIBUTION_URL) or "",
        "outline_url": tk.h.url_for_static("/vendor/khanh-hoa-outline/khanh-hoa.geojson"),
        "icon_path": tk.h.url_for_static("/vendor/leaflet/images/"),
    }


def khtourism_search_map_geojson(dataset_type: str) -> str:
    """The current search's results (all pages, up to the setting) as GeoJSON text."""
    return _json(features.search_features(dataset_type, messages.current_language()))


def khtourism_published_map_geojson() -> str:
    """The published records of the record types as GeoJSON text (the home page's map)."""
    return _json(features.published_features(messages.current_language(), RECORD_TYPES))


def khtourism_record_map_geojson(pkg: dict[str, Any]) -> str:
    """The record's point (and heritage area polygon, if any) as GeoJSON text."""
    lang = messages.current_language()
    collection = features.feature_collection([pkg], lang)
    area = features.area_feature(pkg)
    if area:
        collection["features"].insert(0, area)
    return _json(collection)


def khtourism_coordinates_text(pkg: dict[str, Any]) -> str:
    """ "lat, lon" of the record's point with 5 decimals (~1 m), or "" without one."""
    point = features.point_of(pkg)
    if point is None:
        return ""
    lon, lat = point
    return f"{lat:.5f}, {lon:.5f}"


def khtourism_province_boxes() -> str:
    """The province extent boxes (records/vocabularies/province-extent.json) as JSON text:
    the location picker decides the order of two typed numbers with them."""
    return _json(geo.province_boxes())


def khtourism_map_bbox() -> str:
    """The current ``ext_bbox`` filter ("minx,miny,maxx,maxy"), or ""."""
    return tk.request.args.get("ext_bbox", "") if tk.request else ""


__all__ = [
    "khtourism_map_settings",
    "khtourism_search_map_geojson",
    "khtourism_published_map_geojson",
    "khtourism_record_map_geojson",
    "khtourism_coordinates_text",
    "khtourism_province_boxes",
    "khtourism_map_bbox",
]
