"""WFS 2.0 GetFeature with a GeoJSON output format, paged with ``count``/``startIndex``."""

from __future__ import annotations

from typing import Any

from . import http, safexml
from .base import SourceError, SourceListing, SourceRecord, clean_id

MAX_PAGES = 10_000


def _crs_of(collection: dict[str, Any]) -> str | None:
    crs = collection.get("crs")
    if isinstance(crs, dict):
        return (crs.get("properties") or {}).get("name")
    return None


def read_features(
    url: str,
    type_name: str,
    *,
    page_size: int = 1000,
    srs_name: str | None = None,
    output_format: str = "application/json",
    timeout: float = http.DEFAULT_TIMEOUT,
) -> SourceListing:
    base_url = url.split("?")[0]
    listing = SourceListing()
    start = 0
    for _page in range(MAX_PAGES):
        params = {
            "service": "WFS",
            "version": "2.0.0",
            "request": "GetFeature",
            "typeNames": type_name,
            "outputFormat": output_format,
            "count": page_size,
            "startIndex": start,
        }
        if srs_name:
            params["srsName"] = srs_name
        response = http.get(base_url, params=params, timeout=timeout)
        body = response.content.lstrip()
        if body.startswith(b"<"):
            # an OWS exception report: its ExceptionText only (parsed without entities)
            text = safexml.exception_text(body)
            raise SourceError(
                f"{response.url}: the server answered XML, not GeoJSON"
                + (f": {text}" if text else "")
            )
        try:
            page = response.json()
        except ValueError as error:
            raise SourceError(f"{response.url}: malformed or truncated JSON ({error})") from error
        if not isinstance(page, dict) or page.get("type") != "FeatureCollection":
            raise SourceError(f"{response.url}: not a GeoJSON FeatureCollection")
        page_crs = _crs_of(page) or srs_name
        if page_crs:
            listing.crs = listing.crs or page_crs
        features = page.get("features") or []
        http.count_records(len(features), response.url)
        for feature in features:
            fid = feature.get("id")
            listing.records.append(
                SourceRecord(
                    ref=f"feature {fid}",
                    properties=dict(feature.get("properties") or {}),
                    geometry=feature.get("geometry"),
                    url=(
                        f"{base_url}?service=WFS&version=2.0.0&request=GetFeature"
                        f"&typeNames={type_name}&featureID={fid}&outputFormat={output_format}"
                    ),
                    problem=None if fid is not None else "feature without an id",
                    feature_id=clean_id(fid),
                )
            )
        matched = page.get("numberMatched")
        start += len(features)
        if len(features) < page_size or (isinstance(matched, int) and start >= matched):
            break
    else:
        raise SourceError(f"{base_url}: more than {MAX_PAGES} pages")
    if listing.crs is None:
        listing.crs = "EPSG:4326"  # GeoJSON default; srsName or the crs member override it
    return listing
