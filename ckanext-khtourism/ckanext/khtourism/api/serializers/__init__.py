"""Response formats: JSON, GeoJSON, CSV (UTF-8 with BOM), JSON-LD (schema.org).

Every serializer takes a :class:`Page` (or one item) and returns bytes; the
media type and the negotiation live here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import csv as csv_format
from . import geojson as geojson_format
from . import json as json_format
from . import jsonld as jsonld_format

MEDIA_TYPES = {
    "json": "application/json",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "jsonld": "application/ld+json",
}
# Accept-header media types -> format name
ACCEPTED = {
    "application/json": "json",
    "application/geo+json": "geojson",
    "application/vnd.geo+json": "geojson",
    "text/csv": "csv",
    "application/ld+json": "jsonld",
}


@dataclass
class Page:
    """One answer of a list-like endpoint."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    page: int = 1
    resource: str | None = None
    links: dict[str, str | None] = field(default_factory=dict)
    columns: list[str] | None = None


def negotiate(format_param: str | None, accept: Any) -> str | None:
    """``format=`` wins; else the best Accept match; None when nothing acceptable."""
    if format_param:
        return format_param
    if accept is None or not accept or not list(accept.values()):
        return "json"
    best = accept.best_match(list(ACCEPTED), default=None)
    if best is None:
        # */* or application/* without a listed type: JSON
        wildcards = ("*/*", "application/*", "*")
        if any(value in wildcards and quality > 0 for value, quality in accept):
            return "json"
        return None
    return ACCEPTED[best]


LIST_RENDERERS: dict[str, Callable[..., bytes]] = {
    "json": json_format.render_page,
    "geojson": geojson_format.render_page,
    "csv": csv_format.render_page,
    "jsonld": jsonld_format.render_page,
}
ITEM_RENDERERS: dict[str, Callable[..., bytes]] = {
    "json": json_format.render_item,
    "geojson": geojson_format.render_item,
    "csv": csv_format.render_item,
    "jsonld": jsonld_format.render_item,
}


def render_page(fmt: str, page: Page, lang: str) -> bytes:
    return LIST_RENDERERS[fmt](page, lang)


def render_item(fmt: str, item: dict[str, Any], lang: str) -> bytes:
    return ITEM_RENDERERS[fmt](item, lang)
