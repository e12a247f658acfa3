"""GeoJSON (RFC 7946): a FeatureCollection of Point features, or one Feature."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .json import dumps

if TYPE_CHECKING:
    from . import Page


def feature(item: dict[str, Any]) -> dict[str, Any]:
    lon, lat = item.get("longitude"), item.get("latitude")
    geometry = (
        {"type": "Point", "coordinates": [lon, lat]}
        if lon is not None and lat is not None
        else None
    )
    properties = {key: value for key, value in item.items() if key not in ("longitude", "latitude")}
    return {"type": "Feature", "id": item.get("id"), "geometry": geometry, "properties": properties}


def render_page(page: Page, lang: str) -> bytes:
    return dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": page.total,
            "numberReturned": len(page.items),
            "page": page.page,
            "limit": page.limit,
            "links": page.links,
            "features": [feature(item) for item in page.items],
        }
    )


def render_item(item: dict[str, Any], lang: str) -> bytes:
    return dumps(feature(item))
