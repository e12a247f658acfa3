"""GeoJSON (RFC 7946): a FeatureCollection of Point features, or one Feature.

``links`` are arrays of ``{href, rel, type}`` as in OGC API – Features (the JSON format
keeps its ``{self, next, prev}`` object)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .json import dumps

if TYPE_CHECKING:
    from . import Page


GEOJSON = "application/geo+json"


def page_links(links: dict[str, str | None]) -> list[dict[str, str]]:
    """``{"self": url, "next": url or None, …}`` -> ``[{href, rel, type}]`` (no empty ones)."""
    return [{"href": href, "rel": rel, "type": GEOJSON} for rel, href in links.items() if href]


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
            "links": page_links(page.links),
            "features": [feature(item) for item in page.items],
        }
    )


def render_item(item: dict[str, Any], lang: str) -> bytes:
    data = feature(item)
    if item.get("url"):
        data["links"] = [{"href": item["url"], "rel": "alternate", "type": "text/html"}]
    return dumps(data)
