"""OGC API – Features Part 2: the coordinate reference systems the portal serves.

Records are stored in WGS 84 longitude/latitude (CRS84, the default). On
request (``crs=``) features are given in EPSG:4326 (latitude first, the axis
order of that CRS) or in VN-2000 / TM-3 108-15 (EPSG:9217, the Khánh Hòa
provincial grid, easting then northing), and ``bbox-crs=`` says which of them a
``bbox`` is in. The VN-2000 transformation is the harvesters' own (EPSG:6960,
``harvesters.geometry``) run in reverse, so a point harvested from a VN-2000
source and served back in VN-2000 comes back where it was.
"""

from __future__ import annotations

from typing import Any

from pyproj.enums import TransformDirection

from ckanext.khtourism.harvesters import geometry

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
VN2000_KHANH_HOA = "http://www.opengis.net/def/crs/EPSG/0/9217"
SUPPORTED = (CRS84, EPSG_4326, VN2000_KHANH_HOA)
STORAGE_CRS = CRS84

# Other spellings a client may send for the same CRSs (Part 2 names them by URI; a safe
# CURIE ``[EPSG:9217]`` and the plain ``EPSG:9217`` are common).
_ALIASES = {
    "ogc:crs84": CRS84,
    "[ogc:crs84]": CRS84,
    "urn:ogc:def:crs:ogc:1.3:crs84": CRS84,
    "epsg:4326": EPSG_4326,
    "[epsg:4326]": EPSG_4326,
    "urn:ogc:def:crs:epsg::4326": EPSG_4326,
    "epsg:9217": VN2000_KHANH_HOA,
    "[epsg:9217]": VN2000_KHANH_HOA,
    "urn:ogc:def:crs:epsg::9217": VN2000_KHANH_HOA,
    "https://www.opengis.net/def/crs/ogc/1.3/crs84": CRS84,
    "https://www.opengis.net/def/crs/epsg/0/4326": EPSG_4326,
    "https://www.opengis.net/def/crs/epsg/0/9217": VN2000_KHANH_HOA,
}


def canonical(value: str) -> str | None:
    """The URI of a supported CRS named by ``value``; None when it is not supported."""
    text = value.strip()
    if text in SUPPORTED:
        return text
    return _ALIASES.get(text.lower())


def _vn2000_transformer():
    """VN-2000 / TM-3 108-15 -> WGS 84 (lon, lat), the harvesters' transformation."""
    return geometry.transformer_to_wgs84(geometry.resolve_crs("vn2000-khanhhoa"))


def from_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """A WGS 84 point in ``crs``'s axis order."""
    if crs == CRS84:
        return lon, lat
    if crs == EPSG_4326:
        return lat, lon
    easting, northing = _vn2000_transformer().transform(
        lon, lat, direction=TransformDirection.INVERSE, errcheck=True
    )
    return round(easting, 3), round(northing, 3)  # a millimetre


def bbox_to_wgs84(bbox: list[float], crs: str) -> tuple[float, float, float, float]:
    """A bbox in ``crs`` (its axis order) as min_lon, min_lat, max_lon, max_lat."""
    if crs == CRS84:
        return bbox[0], bbox[1], bbox[2], bbox[3]
    if crs == EPSG_4326:
        return bbox[1], bbox[0], bbox[3], bbox[2]
    return _vn2000_transformer().transform_bounds(*bbox, densify_pts=21, errcheck=True)


def point_geometry(lon: Any, lat: Any, crs: str) -> dict[str, Any] | None:
    if lon is None or lat is None:
        return None
    x, y = from_wgs84(float(lon), float(lat), crs)
    return {"type": "Point", "coordinates": [x, y]}


def header_value(crs: str) -> str:
    """The ``Content-Crs`` header (Part 2): the URI in angle brackets."""
    return f"<{crs}>"
