"""Reprojection to WGS 84, VN-2000 with the official 7-parameter transformation.

Independent check: Circular 20/2019/TT-BGTVT (Ministry of Transport), annex
on the seaport waters of Khánh Hòa, publishes its boundary points in both
WGS 84 and VN-2000 geographic coordinates (to 0.1″ ≈ 3 m). We project the
published VN-2000 coordinates to the provincial grid (VN-2000 / TM-3 108-15,
a pure map projection on the same datum), harvest them back to WGS 84, and
compare with the published WGS 84 coordinates.
"""

from __future__ import annotations

import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Point

from ckanext.khtourism.harvesters import geometry

GEOD = Geod(ellps="WGS84")


def dms(degrees: int, minutes: int, seconds: float) -> float:
    return degrees + minutes / 60 + seconds / 3600


# point: (WGS 84 lat, lon), (VN-2000 lat, lon) as published in Circular 20/2019/TT-BGTVT
PUBLISHED_PAIRS = {
    "VP1": (((12, 33, 36.0), (109, 26, 0.0)), ((12, 33, 39.7), (109, 25, 53.6))),
    "NT1": (((12, 14, 14.0), (109, 16, 0.0)), ((12, 14, 17.7), (109, 15, 53.6))),
    "BT1": (((12, 12, 27.9), (109, 11, 18.8)), ((12, 12, 31.6), (109, 11, 12.4))),
    "C1": (((11, 58, 8.8), (109, 12, 24.9)), ((11, 58, 12.5), (109, 12, 18.4))),
}


@pytest.mark.parametrize("point", sorted(PUBLISHED_PAIRS))
def test_vn2000_provincial_grid_to_wgs84_matches_published_pair(point):
    (wgs_lat, wgs_lon), (vn_lat, vn_lon) = PUBLISHED_PAIRS[point]
    grid = Transformer.from_crs("EPSG:4756", "EPSG:9217", always_xy=True)
    x, y = grid.transform(dms(*vn_lon), dms(*vn_lat))
    crs = geometry.resolve_crs("vn2000-khanhhoa")
    result = geometry.to_wgs84(Point(x, y).__geo_interface__, crs)
    error_m = GEOD.inv(result.x, result.y, dms(*wgs_lon), dms(*wgs_lat))[2]
    assert error_m < 5, f"{point}: {error_m:.1f} m from the published WGS 84 position"
    # A bare ellipsoid swap (no datum shift) is ~220 m off here: the test would catch it.
    ellipsoid_only = Transformer.from_crs(
        "+proj=tmerc +lon_0=108.25 +k=0.9999 +x_0=500000 +ellps=WGS84 +type=crs",
        "EPSG:4326",
        always_xy=True,
    ).transform(x, y)
    assert GEOD.inv(*ellipsoid_only, dms(*wgs_lon), dms(*wgs_lat))[2] > 150


def test_vn2000_uses_the_epsg_6960_operation():
    transformer = geometry.transformer_to_wgs84(geometry.resolve_crs("EPSG:9217"))
    assert "VN-2000 to WGS 84 (2)" in transformer.description
    assert "x=-191.90441429" in transformer.definition
    assert (
        "rx=-0.00928836" in transformer.definition
        and "convention=coordinate_frame" in transformer.definition
    )


def test_towgs84_string_with_position_vector_signs_equals_the_epsg_operation():
    x, y = 598345.123, 1354123.456
    by_epsg = geometry.to_wgs84(
        {"type": "Point", "coordinates": [x, y]}, geometry.resolve_crs("EPSG:9217")
    )
    by_towgs84 = geometry.to_wgs84(
        {"type": "Point", "coordinates": [x, y]}, geometry.resolve_crs(geometry.KHANH_HOA_TM3)
    )
    assert GEOD.inv(by_epsg.x, by_epsg.y, by_towgs84.x, by_towgs84.y)[2] < 0.01


@pytest.mark.parametrize(
    "declared",
    [
        "EPSG:9217",
        "9217",
        "urn:ogc:def:crs:EPSG::9217",
        "http://www.opengis.net/def/crs/EPSG/0/9217",
        "ESRI-WKID:9217",
        {"wkid": 9217, "latestWkid": 9217},
        "VN2000-KhanhHoa",
    ],
)
def test_declared_crs_forms(declared):
    assert geometry.resolve_crs(declared).to_epsg() == 9217


def test_arcgis_wkt_spatial_reference():
    from pyproj import CRS

    wkt = CRS.from_epsg(9217).to_wkt("WKT1_ESRI")
    crs = geometry.resolve_crs({"wkt": wkt})
    point = geometry.to_wgs84({"type": "Point", "coordinates": [598345.0, 1354123.0]}, crs)
    reference = geometry.to_wgs84(
        {"type": "Point", "coordinates": [598345.0, 1354123.0]}, geometry.resolve_crs("EPSG:9217")
    )
    assert GEOD.inv(point.x, point.y, reference.x, reference.y)[2] < 0.01


def test_web_mercator_wkid_and_crs84():
    point = geometry.to_wgs84(
        {"type": "Point", "coordinates": [12155523.0, 1375000.0]},
        geometry.resolve_crs({"wkid": 102100, "latestWkid": 3857}),
    )
    assert 109.1 < point.x < 109.3 and 12.2 < point.y < 12.4
    crs84 = geometry.resolve_crs("http://www.opengis.net/def/crs/OGC/1.3/CRS84")
    assert geometry.to_wgs84({"type": "Point", "coordinates": [109.2, 12.25]}, crs84).x == 109.2


@pytest.mark.parametrize(
    "declared", ["EPSG:999999", "urn:ogc:def:crs:EPSG::0", "not a crs", {"wkid": 999999}, None]
)
def test_unknown_crs_is_reported(declared):
    with pytest.raises(geometry.UnknownCRSError, match="coordinate reference system|WKID"):
        geometry.resolve_crs(declared)


def test_geometry_checks():
    wgs84 = geometry.resolve_crs("EPSG:4326")
    with pytest.raises(geometry.GeometryError, match="invalid geometry: Self-intersection"):
        geometry.to_wgs84(
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, wgs84
        )
    # a record that keeps only a point of it: repaired (a real DCAT-AP.de catalogue's spatial
    # coverage self-intersects, tests/harvesters/test_third_party_catalogues.py)
    repaired = geometry.to_wgs84(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
        wgs84,
        repair=True,
    )
    assert repaired.is_valid and repaired.area == pytest.approx(0.5)
    with pytest.raises(geometry.GeometryError, match="malformed"):
        geometry.to_wgs84({"type": "Point"}, wgs84)
    with pytest.raises(geometry.GeometryError, match="outside longitude/latitude range"):
        geometry.to_wgs84({"type": "Point", "coordinates": [598345.0, 1354123.0]}, wgs84)
