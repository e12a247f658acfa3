"""Links from a record type's search page to its downloads.

"Download these results" goes through the tourism API's list endpoint with the
search page's own filters: its text query, the facet values that are also API
filters (commune, star rating, …) and the map area (``ext_bbox`` -> ``bbox``).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from ckanext.khtourism.api.collections import COLLECTIONS, Collection
from ckanext.khtourism.api.params import LIST, MAX_LIMIT, PARAMS

API_BASE = "/api/tourism/v1"
DOWNLOAD_FORMATS = ("csv", "geojson")
# search-page parameters that are not filters of the result set
NOT_FILTERS = {"format", "limit", "page", "sort", "fields", "cursor", "lang"}


def resource_for(dataset_type: str) -> Collection | None:
    return next((r for r in COLLECTIONS.values() if r.dataset_type == dataset_type), None)


def results_download_url(
    dataset_type: str, fmt: str, args: Iterable[tuple[str, str]], lang: str = "vi"
) -> str | None:
    """The tourism API URL returning the records a search page shows, in ``fmt``."""
    resource = resource_for(dataset_type)
    if resource is None or fmt not in DOWNLOAD_FORMATS:
        return None
    filters = {p.name for p in PARAMS if p.applies(LIST, resource) and p.name not in NOT_FILTERS}
    values: dict[str, list[str]] = {}
    for key, value in args:
        name = "bbox" if key == "ext_bbox" else key
        if name in filters and value.strip():
            values.setdefault(name, []).append(value.strip())
    query: list[tuple[str, str]] = [("format", fmt), ("limit", str(MAX_LIMIT))]
    if lang == "en":
        query.append(("lang", "en"))
    query.extend((name, ",".join(found)) for name, found in values.items())
    return f"{API_BASE}/{resource.path}?{urlencode(query)}"
