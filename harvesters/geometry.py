"""Reprojection to WGS 84 and geometry checks.

A source declares its CRS as an EPSG code, an OGC URI/URN, an ArcGIS WKID or
WKT, a PROJ string, or one of the names in :data:`NAMED_CRS` (configured per
source). Coordinates are always read as x = easting/longitude,
y = northing/latitude (GeoJSON and Esri JSON order).

VN-2000
-------
Khánh Hòa's provincial grid is VN-2000 / TM-3 108-15 (EPSG:9217: transverse
Mercator, central meridian 108°15′E, k = 0.9999, false easting 500 000 m, on
the WGS 84 ellipsoid). VN-2000 is *not* WGS 84 although it uses the same
ellipsoid: the datums differ by about 220 m here. The official 7-parameter
transformation of Decision 05/2007/QĐ-BTNMT is in the EPSG registry as
EPSG:6960 "VN-2000 to WGS 84 (2)" (Coordinate Frame rotation: tx −191.90441429,
ty −39.30318279, tz −111.45032835 m, rx −0.00928836″, ry +0.01975479″,
rz −0.00427372″, scale +0.252906278 ppm). PROJ's ``+towgs84`` uses the
*Position Vector* convention, so the same transformation written as
``+towgs84`` has the three rotations with the opposite sign
(:data:`VN2000_TOWGS84`). Every VN-2000 source is transformed with EPSG:6960,
never with a ballpark (ellipsoid-only) operation.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy as np
import pyproj
import shapely
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

WGS84 = pyproj.CRS.from_epsg(4326)
VN2000_DATUM_NAME = "Vietnam 2000"
VN2000_TO_WGS84_OPERATION = "VN-2000 to WGS 84 (2)"  # EPSG:6960
# EPSG:6960 as PROJ +towgs84 (Position Vector: rotations sign-flipped from the Coordinate
# Frame values the EPSG registry records).
VN2000_TOWGS84 = (
    -191.90441429,
    -39.30318279,
    -111.45032835,
    0.00928836,
    -0.01975479,
    0.00427372,
    0.252906278,
)
KHANH_HOA_TM3 = (
    "+proj=tmerc +lat_0=0 +lon_0=108.25 +k=0.9999 +x_0=500000 +y_0=0 "
    "+ellps=WGS84 +towgs84="
    + ",".join(f"{v:.9g}" for v in VN2000_TOWGS84)
    + " +units=m +no_defs +type=crs"
)

# Names a source configuration may use for its CRS.
NAMED_CRS = {
    "vn2000-khanhhoa": "EPSG:9217",  # VN-2000 / TM-3 108-15 (Khánh Hòa, Ninh Thuận, Bình Định)
    "vn2000-tm3-108-15": "EPSG:9217",
    "vn2000": "EPSG:4756",  # VN-2000 geographic (degrees)
    "wgs84": "EPSG:4326",
    "crs84": "OGC:CRS84",
}

# OGC URIs and URNs: http://www.opengis.net/def/crs/EPSG/0/9217, urn:ogc:def:crs:EPSG::9217
_OGC_URI = re.compile(
    r"(?:/def/crs/|urn:ogc:def:crs:)(EPSG|OGC|ESRI)(?::[^:]*:|/[^/]*/)([\w.]+)$", re.IGNORECASE
)


class UnknownCRSError(ValueError):
    """The source declares a CRS we cannot resolve."""


class GeometryError(ValueError):
    """A geometry is malformed, invalid, or cannot be reprojected."""


def resolve_crs(declared: Any) -> pyproj.CRS:
    """The CRS a source declares (any of the forms in the module doc), or UnknownCRSError."""
    if declared is None or declared == "":
        raise UnknownCRSError(
            "the source declares no coordinate reference system; "
            'set "crs" in the source configuration'
        )
    if isinstance(declared, pyproj.CRS):
        return declared
    if isinstance(declared, dict):  # an ArcGIS spatialReference
        wkid = declared.get("latestWkid") or declared.get("wkid")
        declared = f"ESRI-WKID:{wkid}" if wkid else declared.get("wkt")
        return resolve_crs(declared)
    text = str(declared).strip()
    text = NAMED_CRS.get(text.lower(), text)
    try:
        if text.upper().startswith("ESRI-WKID:"):
            wkid = int(text.split(":", 1)[1])
            return _crs_from_wkid(wkid)
        if re.fullmatch(r"\d{4,6}", text):
            return pyproj.CRS.from_epsg(int(text))
        match = _OGC_URI.search(text)
        if match:
            authority, code = match.group(1).upper(), match.group(2)
            return pyproj.CRS.from_user_input(f"{authority}:{code}")
        return pyproj.CRS.from_user_input(text)
    except UnknownCRSError:
        raise
    except (CRSError, ValueError) as error:
        raise UnknownCRSError(
            f"unknown coordinate reference system {str(declared)[:120]!r}"
        ) from error


def _crs_from_wkid(wkid: int) -> pyproj.CRS:
    for authority in ("EPSG", "ESRI"):
        try:
            return pyproj.CRS.from_authority(authority, str(wkid))
        except CRSError:
            continue
    raise UnknownCRSError(f"unknown coordinate reference system: ArcGIS WKID {wkid}")


def _is_vn2000(crs: pyproj.CRS) -> bool:
    geodetic = crs.geodetic_crs
    datum = geodetic.datum if geodetic is not None else None
    return datum is not None and datum.name == VN2000_DATUM_NAME


@functools.lru_cache(maxsize=64)
def _transformer_for(crs_wkt: str) -> pyproj.Transformer:
    crs = pyproj.CRS.from_wkt(crs_wkt)
    if _is_vn2000(crs):
        group = pyproj.transformer.TransformerGroup(crs, WGS84, always_xy=True)
        for transformer in group.transformers:
            if VN2000_TO_WGS84_OPERATION in transformer.description:
                return transformer
        # PROJ database without EPSG:6960: the same parameters written out.
        return pyproj.Transformer.from_pipeline(_vn2000_pipeline(crs))
    return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)


def _vn2000_pipeline(crs: pyproj.CRS) -> str:
    towgs84 = ",".join(f"{v:.9g}" for v in VN2000_TOWGS84)
    source = crs.to_proj4() if crs.is_projected else "+proj=longlat +ellps=WGS84"
    bound = pyproj.CRS.from_proj4(re.sub(r"\+towgs84=\S+", "", source) + f" +towgs84={towgs84}")
    return pyproj.Transformer.from_crs(bound, WGS84, always_xy=True).to_proj4()


def transformer_to_wgs84(crs: pyproj.CRS) -> pyproj.Transformer:
    return _transformer_for(crs.to_wkt())


def is_wgs84(crs: pyproj.CRS) -> bool:
    return crs.equals(WGS84, ignore_axis_order=True) or crs.equals(
        pyproj.CRS.from_user_input("OGC:CRS84"), ignore_axis_order=True
    )


def to_wgs84(
    geometry: dict[str, Any], crs: pyproj.CRS, *, repair: bool = False
) -> shapely.Geometry:
    """A GeoJSON geometry in ``crs`` as a checked shapely geometry in WGS 84 (lon, lat).

    ``repair``: an invalid geometry (a self-intersecting ring, common in real catalogues'
    spatial coverage) is made valid (``shapely.make_valid``) instead of refused — for
    records that keep only a point of it."""
    try:
        shp = shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as error:
        raise GeometryError(f"malformed geometry ({error})") from error
    if shp.is_empty:
        raise GeometryError("empty geometry")
    if not is_wgs84(crs):
        transformer = transformer_to_wgs84(crs)

        def _project(coords):
            x, y = transformer.transform(coords[:, 0], coords[:, 1], errcheck=True)
            return np.column_stack([x, y])

        try:
            shp = shapely.transform(shp, _project)
        except ProjError as error:
            raise GeometryError(f"cannot reproject from {crs.name}: {error}") from error
    coords = shapely.get_coordinates(shp)
    if not all(math.isfinite(v) for v in coords.ravel()):
        raise GeometryError("coordinates are not finite numbers after reprojection")
    if (
        (coords[:, 0] < -180) | (coords[:, 0] > 180) | (coords[:, 1] < -90) | (coords[:, 1] > 90)
    ).any():
        raise GeometryError(
            f"coordinates outside longitude/latitude range (first: "
            f"{coords[0].tolist()}): wrong CRS declared?"
        )
    if not shp.is_valid:
        if not repair:
            raise GeometryError(f"invalid geometry: {shapely.is_valid_reason(shp)}")
        shp = shapely.make_valid(shp)
    return shp


def geojson(shp: BaseGeometry, precision: int = 7) -> dict[str, Any]:
    """GeoJSON dict with coordinates rounded to ``precision`` decimals (1 cm at 7)."""
    if isinstance(shp, Point):
        return {"type": "Point", "coordinates": [round(shp.x, precision), round(shp.y, precision)]}
    return _lists(mapping(shapely.set_precision(shp, 10**-precision)))


def _lists(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value
