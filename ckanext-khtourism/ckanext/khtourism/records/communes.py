"""The commune-level unit (``admin_unit``) of a record, found from its point.

A record whose source or business gave no commune gets one from its point, and
``admin_unit_method`` says how, publicly:

- ``polygon``: the point lies inside the unit's boundary. Only when the operator
  gives the boundaries of the 2025 units as a GeoJSON file
  (``ckanext.khtourism.admin_units.geometry_file``): the portal ships none, no
  openly licensed boundary set of the 2025 communes was found (docs/records.md,
  "Commune from the point").
- ``nearest_centre``: the unit whose centre is nearest, for a point inside the
  province (``geo.inside_province``) that no boundary contains. An estimate, for
  a curator to check: near a boundary the nearest centre may be the neighbour's.
  The centres of the 65 units ship in ``vocabularies/khanh-hoa-commune-centres-2025.csv``
  (from the MIT-licensed ``vietnamadminunits`` package, see
  ``vocabularies/README.md``).

A commune the source or the business gave is never replaced (records/validators.py,
``khtourism_admin_unit_method``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ckanext.khtourism.core import record_types

POLYGON = "polygon"
NEAREST_CENTRE = "nearest_centre"
METHODS = (POLYGON, NEAREST_CENTRE)
GEOMETRY_FILE_SETTING = "ckanext.khtourism.admin_units.geometry_file"
CENTRES_FILE = "khanh-hoa-commune-centres-2025.csv"
# property names that may hold the 5-digit unit code in a boundary file's features
CODE_PROPERTIES = ("code", "ma_xa", "maXa", "ma", "wardCode", "MA_XA", "ma_dvhc", "admin_unit")
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Assignment:
    code: str
    method: str  # POLYGON or NEAREST_CENTRE
    distance_m: float | None = None  # to the centre (nearest_centre)

    def describe(self, lang: str = "en") -> str:
        """ "commune 22366 Phường Nha Trang, from the point (…)" for a decision log."""
        from ckanext.khtourism.core import messages

        from . import vocabularies

        key = "commune_by_polygon" if self.method == POLYGON else "commune_by_nearest_centre"
        km = f"{(self.distance_m or 0) / 1000:.1f}"
        return messages.text(
            key, lang, code=self.code, name=vocabularies.admin_unit_label(self.code, lang), km=km
        )


class GeometryFileError(ValueError):
    """The configured boundary file cannot be used (the message names the file and why)."""


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@functools.lru_cache(maxsize=1)
def centres() -> dict[str, tuple[float, float]]:
    """code -> (lon, lat) of the unit's centre, for the units of the vocabulary."""
    from .vocabularies import admin_units

    text = (
        resources.files("ckanext.khtourism.records")
        .joinpath(f"vocabularies/{CENTRES_FILE}")
        .read_text("utf-8")
    )
    known = admin_units()
    return {
        row["code"].strip(): (float(row["longitude"]), float(row["latitude"]))
        for row in csv.DictReader(io.StringIO(text))
        if row["code"].strip() in known
    }


def nearest_centre(lon: float, lat: float) -> Assignment | None:
    """The unit with the nearest centre, for a point inside the province; else None."""
    from .geo import inside_province

    if not inside_province(lon, lat):
        return None
    best = min(
        ((code, _distance_m(lon, lat, c_lon, c_lat)) for code, (c_lon, c_lat) in centres().items()),
        key=lambda pair: pair[1],
        default=None,
    )
    if best is None:
        return None
    return Assignment(best[0], NEAREST_CENTRE, best[1])


def _feature_code(properties: dict[str, Any]) -> str | None:
    for name in CODE_PROPERTIES:
        value = properties.get(name)
        if value not in (None, ""):
            text = str(value).strip()
            if text.isdigit():
                return text.zfill(5)
    return None


@functools.lru_cache(maxsize=4)
def _boundaries(path: str, mtime: float) -> tuple[Any, list[tuple[str, Any]]]:
    """(STRtree over the units' geometries, [(code, prepared geometry)]), read once per file
    version (``mtime`` is part of the cache key)."""
    from shapely import STRtree
    from shapely.geometry import shape
    from shapely.prepared import prep

    from .vocabularies import admin_units

    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise GeometryFileError(f"{path}: {error}") from error
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise GeometryFileError(f"{path}: not a GeoJSON FeatureCollection")
    known = admin_units()
    units: list[tuple[str, Any]] = []
    geometries = []
    for number, feature in enumerate(features, 1):
        code = _feature_code((feature or {}).get("properties") or {})
        if code is None or code not in known:
            raise GeometryFileError(
                f"{path}: feature #{number} has no code of a 2025 unit of the province "
                f"(properties {', '.join(CODE_PROPERTIES)})"
            )
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise GeometryFileError(f"{path}: feature #{number} ({code}): {error}") from error
        geometries.append(geometry)
        units.append((code, prep(geometry)))
    return STRtree(geometries), units


def boundary_file() -> str | None:
    import ckan.plugins.toolkit as tk

    path = (tk.config.get(GEOMETRY_FILE_SETTING) or "").strip()
    return path or None


def in_boundary(lon: float, lat: float, path: str) -> Assignment | None:
    """The unit whose boundary (from the GeoJSON file at ``path``) contains the point."""
    from shapely.geometry import Point

    tree, units = _boundaries(path, os.path.getmtime(path))
    point = Point(lon, lat)
    for index in sorted(int(i) for i in tree.query(point)):
        code, prepared = units[index]
        if prepared.covers(point):
            return Assignment(code, POLYGON)
    return None


def assign(lon: float, lat: float) -> Assignment | None:
    """The commune of a point: by boundary when boundaries are configured, else (or when
    no boundary contains it) by the nearest centre inside the province; None outside."""
    path = boundary_file()
    if path:
        found = in_boundary(lon, lat, path)
        if found is not None:
            return found
    return nearest_centre(lon, lat)


def point_of(spatial: Any) -> tuple[float, float] | None:
    """(lon, lat) of a record's ``spatial`` (a point, or a geometry's representative point)."""
    if spatial in (None, ""):
        return None
    if isinstance(spatial, str):  # as stored: parsed once (quality reads it twice a record)
        return _point_of_text(spatial)
    return _point_of(spatial)


@functools.lru_cache(maxsize=4096)
def _point_of_text(spatial: str) -> tuple[float, float] | None:
    return _point_of(spatial)


def _point_of(spatial: Any) -> tuple[float, float] | None:
    try:
        from shapely.geometry import shape

        from .geo import parse_geojson

        geometry = parse_geojson(spatial)
        if geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
            return float(lon), float(lat)
        inner = shape(geometry).representative_point()
        return inner.x, inner.y
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None


RECORD_TYPES = record_types.RECORD_TYPES


def records_without_commune(*, estimates: bool = False) -> list[str]:
    """Ids of active records (the record types) with a location and no ``admin_unit`` (and,
    with ``estimates``, those whose commune is a ``nearest_centre`` estimate)."""
    import sqlalchemy as sa

    import ckan.model as model

    rows = model.Session.execute(
        sa.text(
            """
            SELECT p.id FROM package p
            JOIN package_extra s ON s.package_id = p.id AND s.key = 'spatial'
                 AND s.state = 'active' AND coalesce(s.value, '') <> ''
            LEFT JOIN package_extra u ON u.package_id = p.id AND u.key = 'admin_unit'
                 AND u.state = 'active'
            LEFT JOIN package_extra m ON m.package_id = p.id AND m.key = 'admin_unit_method'
                 AND m.state = 'active'
            WHERE p.state = 'active' AND p.type = ANY(:types)
              AND (coalesce(u.value, '') = ''
                   OR (:estimates AND m.value = :estimate))
            ORDER BY p.metadata_created
            """
        ),
        {"types": list(RECORD_TYPES), "estimates": estimates, "estimate": NEAREST_CENTRE},
    )
    return [row[0] for row in rows]


def assign_existing(user: str, *, dry_run: bool = False, estimates: bool = False) -> dict[str, Any]:
    """Give records that have a point but no commune their commune (``ckan khtourism
    records assign-communes``): each through ``package_patch`` (validated, indexed, in the
    activity stream), so the schema's validator finds it as for a new record. With
    ``estimates``, ``nearest_centre`` communes are found again too (e.g. once a boundary
    file is configured).

    Returns {"checked": n, "polygon": n, "nearest_centre": n, "outside": n, "records": […]}.
    """
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    counts: dict[str, Any] = {"checked": 0, POLYGON: 0, NEAREST_CENTRE: 0, "outside": 0}
    done = []
    for package_id in records_without_commune(estimates=estimates):
        counts["checked"] += 1
        package = model.Package.get(package_id)
        point = point_of((package.extras or {}).get("spatial")) if package else None
        found = assign(*point) if point is not None else None
        if found is None:
            counts["outside"] += 1
            continue
        if not dry_run:
            result = tk.get_action("package_patch")(
                {"user": user, "model": model, "session": model.Session},
                {"id": package_id, "admin_unit": "", "admin_unit_method": ""},
            )
            found = Assignment(
                result.get("admin_unit") or found.code,
                result.get("admin_unit_method") or found.method,
                found.distance_m,
            )
        counts[found.method] += 1
        done.append(
            {
                "id": package_id,
                "name": package.name,
                "admin_unit": found.code,
                "method": found.method,
            }
        )
    counts["records"] = done
    return counts
