"""GeoJSON checks for record locations: shape, coordinates, province extent.

The extent of Khánh Hòa (merged with Ninh Thuận on 1 July 2025) is kept as a
few boxes in ``vocabularies/province-extent.json``: the mainland with its
coastal islands, and the Trường Sa special zone far out at sea. Each box
already includes a small tolerance; a point must fall in one of them.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources
from typing import Any

from shapely.geometry import shape
from shapely.validation import explain_validity


class GeometryError(ValueError):
    """A geometry problem: ``key`` names the message in ``core.messages``."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@functools.lru_cache(maxsize=1)
def province_boxes() -> list[dict[str, Any]]:
    text = (
        resources.files("ckanext.khtourism.records") / "vocabularies" / "province-extent.json"
    ).read_text("utf-8")
    return json.loads(text)["boxes"]


def inside_province(lon: float, lat: float) -> bool:
    return any(
        box["west"] <= lon <= box["east"] and box["south"] <= lat <= box["north"]
        for box in province_boxes()
    )


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GeometryError(
            "geojson_not_number", value=json.dumps(value, ensure_ascii=False, default=str)[:80]
        )
    if not math.isfinite(value):
        raise GeometryError("geojson_not_finite", value=value)
    return float(value)


def parse_geojson(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        geometry = value
    else:
        try:
            geometry = json.loads(str(value))
        except json.JSONDecodeError as error:
            raise GeometryError(
                "geojson_not_json", line=error.lineno, column=error.colno
            ) from error
        except ValueError as error:
            raise GeometryError("geojson_not_json", line=1, column=1) from error
        except RecursionError as error:  # "[[[[…" nested beyond the parser's depth
            raise GeometryError("geojson_too_deep") from error
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise GeometryError("geojson_no_type")
    if geometry.get("type") == "Feature":
        inner = geometry.get("geometry")
        if not isinstance(inner, dict):
            raise GeometryError("geojson_no_geometry")
        geometry = inner
    if "coordinates" not in geometry:
        raise GeometryError("geojson_no_coordinates")
    return geometry


def _positions(coordinates: Any, depth: int) -> list[tuple[float, float]]:
    """Every [lon, lat] position of a coordinates array nested ``depth`` levels."""
    if depth == 0:
        if not isinstance(coordinates, list) or len(coordinates) not in (2, 3):
            raise GeometryError(
                "geojson_not_position", value=json.dumps(coordinates, ensure_ascii=False)[:80]
            )
        lon, lat = _number(coordinates[0]), _number(coordinates[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeometryError("geojson_not_wgs84", lon=lon, lat=lat)
        return [(lon, lat)]
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryError("geojson_bad_coordinates")
    found: list[tuple[float, float]] = []
    for item in coordinates:
        found.extend(_positions(item, depth - 1))
    return found


def _check_inside(positions: list[tuple[float, float]]) -> None:
    for lon, lat in positions:
        if not inside_province(lon, lat):
            raise GeometryError("outside_province", lon=lon, lat=lat)


def normalise_point(value: Any) -> str:
    """A GeoJSON Point inside the province, as compact JSON text."""
    geometry = parse_geojson(value)
    if geometry.get("type") != "Point":
        raise GeometryError("geometry_type", expected="Point", value=geometry.get("type"))
    positions = _positions(geometry["coordinates"], 0)
    _check_inside(positions)
    lon, lat = positions[0]
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


def _check_closed(ring: list[Any]) -> None:
    """A GeoJSON linear ring: at least 4 positions, the last the same as the first
    (RFC 7946, 3.1.6). Shapely would silently close an open ring; a boundary drawn or
    exported wrongly is refused instead."""
    if len(ring) < 4:
        raise GeometryError("ring_too_short", count=len(ring))
    first, last = ring[0][:2], ring[-1][:2]
    if [float(v) for v in first] != [float(v) for v in last]:
        raise GeometryError(
            "ring_not_closed",
            first=json.dumps(first),
            last=json.dumps(last),
        )


def normalise_area(value: Any) -> str:
    """A valid GeoJSON Polygon or MultiPolygon inside the province, as compact JSON."""
    geometry = parse_geojson(value)
    depth = {"Polygon": 2, "MultiPolygon": 3}.get(geometry.get("type", ""))
    if depth is None:
        raise GeometryError(
            "geometry_type", expected="Polygon/MultiPolygon", value=geometry.get("type")
        )
    positions = _positions(geometry["coordinates"], depth)
    _check_inside(positions)
    polygons = [geometry["coordinates"]] if depth == 2 else geometry["coordinates"]
    for polygon_rings in polygons:
        for ring in polygon_rings:
            _check_closed(ring)
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError) as error:
        raise GeometryError("invalid_polygon", detail=str(error)) from error
    if polygon.is_empty or not polygon.is_valid:
        raise GeometryError("invalid_polygon", detail=explain_validity(polygon))
    return json.dumps({"type": geometry["type"], "coordinates": geometry["coordinates"]})


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def point_of(spatial: Any) -> tuple[float, float] | None:
    """(lon, lat) of a stored or built ``spatial`` value (a GeoJSON point), else None."""
    if not spatial:
        return None
    try:
        value = json.loads(spatial) if isinstance(spatial, str) else spatial
        if value.get("type") == "Point":
            lon, lat = value["coordinates"][:2]
            return float(lon), float(lat)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return None
