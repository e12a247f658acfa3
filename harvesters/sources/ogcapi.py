"""OGC API – Features: ``/collections/{id}/items``, following ``next`` links."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from . import http
from .base import SourceError, SourceListing, SourceRecord, clean_id

MAX_PAGES = 10_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def items_url(url: str) -> str:
    """Accept a collection URL or its items URL."""
    url = url.split("?")[0].rstrip("/")
    return url if url.endswith("/items") else f"{url}/items"


def read_features(
    url: str, *, limit: int = 500, crs: str | None = None, timeout: float = http.DEFAULT_TIMEOUT
) -> SourceListing:
    first = items_url(url)
    first_params: dict[str, Any] = {"limit": limit, "f": "json"}
    if crs:
        first_params["crs"] = crs  # Part 2: ask the server for this CRS
    headers = {"Accept": "application/geo+json, application/json;q=0.9"}
    listing = SourceListing()
    seen: set[str] = set()
    next_url: str | None = first
    params: dict[str, Any] | None = first_params
    for _page in range(MAX_PAGES):
        if next_url is None:
            break
        if next_url in seen:
            raise SourceError(f"{next_url}: the 'next' links loop back to a page already read")
        seen.add(next_url)
        response = http.get(next_url, params=params, timeout=timeout, headers=headers)
        try:
            page = response.json()
        except ValueError as error:
            raise SourceError(f"{response.url}: malformed or truncated JSON ({error})") from error
        if not isinstance(page, dict) or page.get("type") != "FeatureCollection":
            raise SourceError(f"{response.url}: not a GeoJSON FeatureCollection")
        content_crs = response.headers.get("Content-Crs", "").strip("<> ")
        page_crs = content_crs or crs or CRS84
        if listing.crs and listing.crs != page_crs:
            raise SourceError(
                f"{response.url}: pages in different CRSs ({listing.crs}, {page_crs})"
            )
        listing.crs = page_crs
        http.count_records(len(page.get("features") or []), response.url)
        for feature in page.get("features") or []:
            fid = feature.get("id", (feature.get("properties") or {}).get("id"))
            self_link = next(
                (
                    link.get("href")
                    for link in feature.get("links") or []
                    if link.get("rel") == "self"
                ),
                None,
            )
            listing.records.append(
                SourceRecord(
                    ref=f"feature {fid}",
                    properties=dict(feature.get("properties") or {}),
                    geometry=feature.get("geometry"),
                    url=urljoin(response.url, self_link) if self_link else f"{first}/{fid}",
                    problem=None if fid is not None else "feature without an id",
                    feature_id=clean_id(fid),
                )
            )
        next_link = next(
            (link.get("href") for link in page.get("links") or [] if link.get("rel") == "next"),
            None,
        )
        next_url = urljoin(response.url, next_link) if next_link else None
        params = None  # the next link carries its own query string
    else:
        raise SourceError(f"{first}: more than {MAX_PAGES} pages")
    if re.search(r"/crs/EPSG/0/4326$", listing.crs or ""):
        # EPSG:4326 proper is latitude-first; GeoJSON bodies are longitude-first.
        listing.warnings.append("Content-Crs EPSG:4326: coordinates read as longitude, latitude")
    return listing
