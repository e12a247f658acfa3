"""Spatial search without PostGIS: bounding box, radius and polygon.

At index time the dataset's ``spatial`` GeoJSON gives a bounding box
(``min_x … max_y``, GiST-indexed as a PostgreSQL ``box``) and a centroid
(GiST-indexed ``point``). At query time:

* ``ext_bbox=minx,miny,maxx,maxy`` keeps the datasets whose extent
  intersects the box, ordered (unless a sort is asked for) by overlap —
  area(intersection) / area(union), as ckanext-spatial ranks them;
* ``ext_lat``, ``ext_lon``, ``ext_radius`` (metres) keeps the datasets whose
  extent comes within that great-circle distance (haversine to the nearest
  point of the dataset's bounding box — the point itself for the point
  records; a bounding-box prefilter uses the index), ordered by distance;
  each result carries ``distance_m``;
* ``ext_polygon`` (GeoJSON Polygon/MultiPolygon or WKT) keeps the datasets
  whose geometry intersects it: an SQL bounding-box prefilter, then an exact
  shapely test of the candidates, before counting and paging.

CKAN drops ``ext_*`` parameters before querying the search engine, so
:func:`before_dataset_search` turns them into pseudo-field filters
(``khtourism_bbox:"…"``) in ``fq_list`` that :mod:`.parse` routes back here.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ckan.lib.search.common import SearchQueryError

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6371008.8
MAX_RADIUS_M = 2_000_000


@dataclass(frozen=True)
class Extent:
    min_x: float
    min_y: float
    max_x: float
    max_y: float
    centroid_lon: float
    centroid_lat: float
    geometry: str


def extent_of(value: Any) -> Extent | None:
    """The extent of a dataset's ``spatial`` value (GeoJSON text or dict), or None."""
    if not value:
        return None
    try:
        geometry = shape(json.loads(value) if isinstance(value, str) else value)
    except Exception as error:  # noqa: BLE001 - bad geometry is logged and not indexed spatially
        log.warning("Cannot index spatial value %.200r: %s", value, error)
        return None
    if geometry.is_empty:
        return None
    min_x, min_y, max_x, max_y = geometry.bounds
    centroid = geometry.centroid  # a point's centroid is the point
    return Extent(min_x, min_y, max_x, max_y, centroid.x, centroid.y, shapely.to_geojson(geometry))


# ------------------------------------------------------------------ ext_* parameters
def _number(name: str, raw: Any) -> float:
    try:
        number = float(str(raw).strip())
    except (TypeError, ValueError) as error:
        raise SearchQueryError(f"{name}: {raw!r} is not a number") from error
    if not math.isfinite(number):
        raise SearchQueryError(f"{name}: {raw!r} is not a finite number")
    return number


def _check_lon_lat(name: str, lon: float, lat: float) -> None:
    if not -180 <= lon <= 180:
        raise SearchQueryError(f"{name}: longitude {lon} is outside -180..180")
    if not -90 <= lat <= 90:
        raise SearchQueryError(f"{name}: latitude {lat} is outside -90..90")


def parse_bbox(raw: str, name: str = "ext_bbox") -> tuple[float, float, float, float]:
    parts = str(raw).split(",")
    if len(parts) != 4:
        raise SearchQueryError(f"{name}: expected minx,miny,maxx,maxy, got {raw!r}")
    min_x, min_y, max_x, max_y = (_number(name, p) for p in parts)
    _check_lon_lat(name, min_x, min_y)
    _check_lon_lat(name, max_x, max_y)
    if min_x > max_x or min_y > max_y:
        raise SearchQueryError(f"{name}: minimum is greater than maximum in {raw!r}")
    return min_x, min_y, max_x, max_y


def parse_radius(lat: Any, lon: Any, radius: Any) -> tuple[float, float, float]:
    lat_v, lon_v = _number("ext_lat", lat), _number("ext_lon", lon)
    _check_lon_lat("ext_lat/ext_lon", lon_v, lat_v)
    radius_v = _number("ext_radius", radius)
    if not 0 < radius_v <= MAX_RADIUS_M:
        raise SearchQueryError(
            f"ext_radius: {radius!r} must be between 0 and {MAX_RADIUS_M} metres"
        )
    return lat_v, lon_v, radius_v


def parse_polygon(raw: str) -> BaseGeometry:
    text = str(raw).strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            if data.get("type") == "Feature":
                data = data.get("geometry") or {}
            geometry = shape(data)
        else:
            geometry = shapely.from_wkt(text)
    except Exception as error:  # noqa: BLE001 - any parse failure is the user's input
        raise SearchQueryError(f"ext_polygon: not a GeoJSON or WKT polygon: {error}") from error
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise SearchQueryError(
            f"ext_polygon: expected a Polygon or MultiPolygon, got {geometry.geom_type}"
        )
    if geometry.is_empty or not geometry.is_valid:
        raise SearchQueryError(
            f"ext_polygon: the polygon is empty or invalid ({shapely.is_valid_reason(geometry)})"
        )
    min_x, min_y, max_x, max_y = geometry.bounds
    _check_lon_lat("ext_polygon", min_x, min_y)
    _check_lon_lat("ext_polygon", max_x, max_y)
    return geometry


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """Move ``ext_bbox`` / ``ext_lat,ext_lon,ext_radius`` / ``ext_polygon`` into fq_list."""
    extras = search_params.get("extras") or {}
    filters: list[str] = []
    if extras.get("ext_bbox"):
        bbox = parse_bbox(extras["ext_bbox"])
        filters.append('khtourism_bbox:"{}"'.format(",".join(repr(v) for v in bbox)))
    radius_keys = [
        k for k in ("ext_lat", "ext_lon", "ext_radius") if extras.get(k) not in (None, "")
    ]
    if radius_keys:
        if len(radius_keys) != 3:
            missing = {"ext_lat", "ext_lon", "ext_radius"} - set(radius_keys)
            raise SearchQueryError(
                "radius search needs ext_lat, ext_lon and ext_radius; missing: "
                + ", ".join(sorted(missing))
            )
        lat, lon, radius = parse_radius(extras["ext_lat"], extras["ext_lon"], extras["ext_radius"])
        filters.append(f'khtourism_radius:"{lat!r},{lon!r},{radius!r}"')
    if extras.get("ext_polygon"):
        polygon = parse_polygon(extras["ext_polygon"])
        filters.append(f'khtourism_polygon:"{polygon.wkt}"')
    if filters:
        fq_list = list(search_params.get("fq_list") or [])
        fq_list.extend(filters)
        search_params["fq_list"] = fq_list
        if search_params.get("sort") in (None, "", "rank"):
            # ckanext-spatial's ordering: by overlap, or here also by distance
            search_params["sort"] = (
                "khtourism_distance asc" if radius_keys else "khtourism_overlap desc"
            )
    return search_params


# ------------------------------------------------------------------ SQL
@dataclass
class SpatialPlan:
    """Spatial predicates and ordering expressions for one query."""

    predicates: list[str]
    distance_sql: str | None = None
    overlap_sql: str | None = None
    polygons: list[BaseGeometry] = field(default_factory=list)


def _box_overlaps(
    bind: Any, min_x: float, min_y: float, max_x: float, max_y: float, use_index: bool
) -> str:
    """The dataset's extent overlaps the box: through the GiST box index, or as plain
    column comparisons when another index (full text) should choose the candidates."""
    if use_index:
        return (
            "d.min_x IS NOT NULL AND box(point(d.min_x, d.min_y), point(d.max_x, d.max_y))"
            f" && box(point({bind(min_x)}, {bind(min_y)}), point({bind(max_x)}, {bind(max_y)}))"
        )
    return (
        f"d.min_x <= {bind(max_x)} AND d.max_x >= {bind(min_x)}"
        f" AND d.min_y <= {bind(max_y)} AND d.max_y >= {bind(min_y)}"
    )


def plan(filters: list[tuple[str, str]], bind: Any, use_box_index: bool = True) -> SpatialPlan:
    """Predicates and ordering of the spatial filters.

    ``use_box_index=False`` when the query also has a full-text match: the planner
    misjudges the box index's selectivity (a fixed estimate) and would scan every
    dataset in the box, de-TOASTing each one's text vector to test the words;
    the text index first, then a test of the inline extent columns, is far cheaper.
    """
    result = SpatialPlan(predicates=[], polygons=[])
    for name, value in filters:
        if name == "khtourism_bbox":
            min_x, min_y, max_x, max_y = parse_bbox(value)
            result.predicates.append(_box_overlaps(bind, min_x, min_y, max_x, max_y, use_box_index))
            area = f"GREATEST(({bind(max_x)} - {bind(min_x)}) * ({bind(max_y)} - {bind(min_y)}), 0)"
            inter = (
                f"GREATEST(LEAST(d.max_x, {bind(max_x)}) - GREATEST(d.min_x, {bind(min_x)}), 0)"
                f" * GREATEST(LEAST(d.max_y, {bind(max_y)}) - GREATEST(d.min_y, {bind(min_y)}), 0)"
            )
            own = "((d.max_x - d.min_x) * (d.max_y - d.min_y))"
            result.overlap_sql = f"coalesce(({inter}) / NULLIF({own} + {area} - ({inter}), 0), 0)"
        elif name == "khtourism_radius":
            try:
                lat_s, lon_s, radius_s = value.split(",")
            except ValueError as error:
                raise SearchQueryError(f"Invalid radius filter {value!r}") from error
            lat, lon, radius = parse_radius(lat_s, lon_s, radius_s)
            dlat = math.degrees(radius / EARTH_RADIUS_M)
            cos_lat = max(math.cos(math.radians(lat)), 1e-6)
            dlon = min(180.0, dlat / cos_lat)
            lat_p, lon_p = bind(lat), bind(lon)
            # the nearest point of the dataset's extent (the point itself for points)
            near_lon = f"LEAST(GREATEST({lon_p}, d.min_x), d.max_x)"
            near_lat = f"LEAST(GREATEST({lat_p}, d.min_y), d.max_y)"
            distance = (
                f"(2 * {EARTH_RADIUS_M} * asin(sqrt(power(sin(radians({near_lat} - {lat_p}) / 2), 2)"
                f" + cos(radians({lat_p})) * cos(radians({near_lat}))"
                f" * power(sin(radians({near_lon} - {lon_p}) / 2), 2))))"
            )
            box_sql = _box_overlaps(
                bind, lon - dlon, lat - dlat, lon + dlon, lat + dlat, use_box_index
            )
            result.predicates.append(f"{box_sql} AND {distance} <= {bind(radius)}")
            result.distance_sql = distance
        elif name == "khtourism_polygon":
            try:
                polygon = shapely.from_wkt(value)
            except Exception as error:  # noqa: BLE001
                raise SearchQueryError(f"Invalid polygon filter: {error}") from error
            min_x, min_y, max_x, max_y = polygon.bounds
            result.predicates.append(_box_overlaps(bind, min_x, min_y, max_x, max_y, use_box_index))
            result.polygons.append(polygon)
    return result


def intersects_all(geometry_json: str | None, polygons: list[BaseGeometry]) -> bool:
    if not geometry_json:
        return False
    try:
        geometry = shape(json.loads(geometry_json))
    except Exception:  # noqa: BLE001
        return False
    return all(geometry.intersects(polygon) for polygon in polygons)
