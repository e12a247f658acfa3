"""ArcGIS REST feature layers (FeatureServer/MapServer ``…/{layer}``) through ``query``.

Paging follows the layer's capabilities: ``resultOffset``/``resultRecordCount``
while the response says ``exceededTransferLimit``; layers that do not support
pagination (older servers, many MapServer layers) are read by asking for
every object id first (``returnIdsOnly``) and then fetching them in batches
of ``maxRecordCount`` with ``objectIds``.
"""

from __future__ import annotations

from typing import Any

from . import http
from .base import SourceError, SourceListing, SourceRecord, clean_id

MAX_PAGES = 10_000  # a server that never stops saying exceededTransferLimit is an error


def _check(payload: Any, url: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise SourceError(f"{url}: unexpected response (not a JSON object)")
    if "error" in payload:  # ArcGIS reports errors as HTTP 200 with an error object
        error = payload["error"] or {}
        if not isinstance(error, dict):
            error = {}
        details = "; ".join(str(d) for d in error.get("details") or [])
        # the server's own words, short and on one line: never a whole remote body
        text = http.outbound.excerpt(
            f"{error.get('message', 'unknown')}" + (f" ({details})" if details else ""), 200
        )
        raise SourceError(
            f"{url}: ArcGIS error {http.outbound.excerpt(error.get('code', '?'), 10)}: {text}"
        )
    return payload


def spatial_reference_text(spatial_reference: dict[str, Any] | None) -> str | None:
    """The CRS an ArcGIS ``spatialReference`` names, as text :mod:`..geometry` resolves."""
    if not spatial_reference:
        return None
    wkid = spatial_reference.get("latestWkid") or spatial_reference.get("wkid")
    if wkid:
        return f"ESRI-WKID:{wkid}"
    if spatial_reference.get("wkt"):
        return str(spatial_reference["wkt"])
    return None


def _ring_area(ring: list[list[float]]) -> float:
    return sum(
        x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False)
    )


def esri_to_geojson(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    """Esri JSON geometry to GeoJSON (rings: clockwise = outer, counter-clockwise = hole)."""
    if not geometry:
        return None
    if "x" in geometry and "y" in geometry:
        if geometry["x"] is None or geometry["y"] is None or geometry["x"] == "NaN":
            return None
        return {"type": "Point", "coordinates": [geometry["x"], geometry["y"]]}
    if "points" in geometry:
        return {"type": "MultiPoint", "coordinates": geometry["points"]}
    if "paths" in geometry:
        paths = geometry["paths"]
        if len(paths) == 1:
            return {"type": "LineString", "coordinates": paths[0]}
        return {"type": "MultiLineString", "coordinates": paths}
    if "rings" in geometry:
        polygons: list[list[list[list[float]]]] = []
        for ring in geometry["rings"]:
            if _ring_area(ring) <= 0 or not polygons:  # clockwise (or first): a new outer ring
                polygons.append([ring])
            else:
                polygons[-1].append(ring)
        if len(polygons) == 1:
            return {"type": "Polygon", "coordinates": polygons[0]}
        return {"type": "MultiPolygon", "coordinates": polygons}
    raise SourceError(f"unsupported Esri geometry with keys {sorted(geometry)}")


def read_layer(
    layer_url: str,
    *,
    where: str = "1=1",
    out_fields: str = "*",
    page_size: int | None = None,
    timeout: float = http.DEFAULT_TIMEOUT,
    token: str | None = None,
) -> SourceListing:
    layer_url = layer_url.rstrip("/")
    if layer_url.endswith("/query"):
        layer_url = layer_url[: -len("/query")]
    auth = {"token": token} if token else {}
    layer = _check(
        http.get_json(layer_url, params={"f": "json", **auth}, timeout=timeout), layer_url
    )
    oid_field = layer.get("objectIdField") or next(
        (f["name"] for f in layer.get("fields") or [] if f.get("type") == "esriFieldTypeOID"),
        "OBJECTID",
    )
    max_records = int(layer.get("maxRecordCount") or 1000)
    page_size = min(page_size or max_records, max_records)
    supports_paging = bool((layer.get("advancedQueryCapabilities") or {}).get("supportsPagination"))
    declared_crs = spatial_reference_text(
        layer.get("sourceSpatialReference") or (layer.get("extent") or {}).get("spatialReference")
    )

    query_url = f"{layer_url}/query"
    base = {"f": "json", "where": where, "outFields": out_fields, "returnGeometry": "true", **auth}
    features: list[dict[str, Any]] = []
    response_crs: str | None = None
    if supports_paging:
        offset = 0
        previous_ids: list[Any] = []
        for _page in range(MAX_PAGES):
            page = _check(
                http.get_json(
                    query_url,
                    params={
                        **base,
                        "resultOffset": offset,
                        "resultRecordCount": page_size,
                        "orderByFields": oid_field,
                    },
                    timeout=timeout,
                ),
                query_url,
            )
            batch = page.get("features")
            if batch is None:
                raise SourceError(f"{query_url}: response without 'features' at offset {offset}")
            batch_ids = [(f.get("attributes") or {}).get(oid_field) for f in batch]
            if batch and batch_ids == previous_ids:
                raise SourceError(
                    f"{query_url}: resultOffset={offset} returned the previous page "
                    "again (the server ignores paging)"
                )
            previous_ids = batch_ids
            http.count_records(len(batch), query_url)
            features.extend(batch)
            response_crs = response_crs or spatial_reference_text(page.get("spatialReference"))
            if not page.get("exceededTransferLimit") or not batch:
                break
            offset += len(batch)
        else:
            raise SourceError(f"{query_url}: still exceededTransferLimit after {MAX_PAGES} pages")
    else:
        ids_payload = _check(
            http.get_json(
                query_url,
                params={"f": "json", "where": where, "returnIdsOnly": "true", **auth},
                timeout=timeout,
            ),
            query_url,
        )
        object_ids = sorted(ids_payload.get("objectIds") or [])
        http.count_records(len(object_ids), query_url)
        oid_field = ids_payload.get("objectIdFieldName") or oid_field
        for start in range(0, len(object_ids), page_size):
            chunk = object_ids[start : start + page_size]
            page = _check(
                http.get_json(
                    query_url,
                    params={**base, "objectIds": ",".join(str(i) for i in chunk)},
                    timeout=timeout,
                ),
                query_url,
            )
            batch = page.get("features")
            if batch is None:
                raise SourceError(f"{query_url}: response without 'features' for ids {chunk[:3]}…")
            if len(batch) < len(chunk):
                raise SourceError(
                    f"{query_url}: asked for {len(chunk)} object ids, received {len(batch)}"
                )
            features.extend(batch)
            response_crs = response_crs or spatial_reference_text(page.get("spatialReference"))

    listing = SourceListing(crs=response_crs or declared_crs)
    for position, feature in enumerate(features, start=1):
        attributes = feature.get("attributes") or {}
        oid = clean_id(attributes.get(oid_field))
        ref = f"{oid_field} {oid}" if oid is not None else f"feature #{position} (no {oid_field})"
        try:
            geometry = esri_to_geojson(feature.get("geometry"))
            problem = None
        except SourceError as error:
            geometry, problem = None, f"{ref}: {error}"
        listing.records.append(
            SourceRecord(
                ref=ref,
                properties=dict(attributes),
                geometry=geometry,
                problem=problem,
                url=f"{layer_url}/{oid}" if oid is not None else None,
                feature_id=oid,
            )
        )
    return listing
