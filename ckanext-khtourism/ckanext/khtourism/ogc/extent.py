"""A collection's ``extent`` (OGC API – Features Part 1, /rec/core/fc-md-extent) and its
queryables (Part 3, /req/queryables).

The extent is that of the records the collection's ``items`` answer (the same anonymous
search, ``api.query.search``): the bounding box of their points in CRS84, and the
interval of their last modification — what the ``datetime`` parameter filters on. It is
computed once and kept until the type's records change (their count, or the newest
modification: any change to a record makes it the newest).

The queryables are the property filters ``items`` accepts (``collections.filter_names``),
each with the JSON schema the server validates a value against (``api.params``).
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from ckanext.khtourism.api import params as api_params
from ckanext.khtourism.api import query
from ckanext.khtourism.api.collections import Collection
from ckanext.khtourism.api.items import point_of

from . import crs as ogc_crs
from .collections import filter_names

GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
PAGE = 1000

_cache: dict[str, tuple[tuple[Any, ...], dict[str, Any] | None]] = {}
_lock = threading.Lock()


def _utc(value: str) -> str:
    """A CKAN timestamp (UTC, no offset) as RFC 3339, to the second."""
    return value[:19] + "Z"


def _first(collection: Collection, sort: str) -> tuple[int, dict[str, Any] | None]:
    result = query.search({"sort": sort}, [collection.dataset_type], rows=1, user_name=None)
    packages = result["results"]
    return result["count"], (packages[0] if packages else None)


def _bbox(collection: Collection) -> list[float] | None:
    """[min_lon, min_lat, max_lon, max_lat] of the located records, or None."""
    lons: list[float] = []
    lats: list[float] = []
    start = 0
    while True:
        result = query.search(
            {"sort": "updated"}, [collection.dataset_type], rows=PAGE, start=start, user_name=None
        )
        for pkg in result["results"]:
            point = point_of(pkg)
            if point is not None:
                lons.append(point[0])
                lats.append(point[1])
        start += PAGE
        if not result["results"] or start >= result["count"]:
            break
    if not lons:
        return None
    return [min(lons), min(lats), max(lons), max(lats)]


def extent(collection: Collection) -> dict[str, Any] | None:
    """The collection's extent, or None while it has no published record."""
    count, newest = _first(collection, "-updated")
    if newest is None:
        return None
    key = (count, newest["id"], newest["metadata_modified"])
    cached = _cache.get(collection.dataset_type)
    if cached is not None and cached[0] == key:
        return copy.deepcopy(cached[1])
    _, oldest = _first(collection, "updated")
    assert oldest is not None
    found: dict[str, Any] = {
        "temporal": {
            "interval": [[_utc(oldest["metadata_modified"]), _utc(newest["metadata_modified"])]],
            "trs": GREGORIAN,
        }
    }
    bbox = _bbox(collection)
    if bbox is not None:
        found = {"spatial": {"bbox": [bbox], "crs": ogc_crs.CRS84}, **found}
    with _lock:
        _cache[collection.dataset_type] = (key, found)
    return copy.deepcopy(found)


def _param(collection: Collection, name: str) -> api_params.Param:
    return next(p for p in api_params.params_for(api_params.LIST, collection) if p.name == name)


def queryable_texts(collection: Collection, lang: str) -> list[dict[str, str | None]]:
    """Each queryable for the HTML page, in the rows ``display.property_rows`` gives the
    item page: ``name``, ``label`` (none: the name is what a request uses) and ``value``
    (its description in ``lang``)."""
    return [
        {"name": name, "label": None, "value": _param(collection, name).text(lang)}
        for name in filter_names(collection)
    ]


def _queryable(collection: Collection, name: str) -> dict[str, Any]:
    """One filter as a queryable: the schema of one value (a request may give several,
    comma-separated: any of them)."""
    param = _param(collection, name)
    schema = copy.deepcopy(param.schema)
    value = schema.get("items", schema) if schema.get("type") == "array" else schema
    return {
        "title": name,
        "description": param.text("en") + " Several values, comma-separated: any of them.",
        **value,
    }


def queryables(collection: Collection, collection_id: str, url: str) -> dict[str, Any]:
    """The JSON Schema of the property filters of the collection's items."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": collection.title_en,
        "description": (
            f"The properties of {collection_id} features that /items filters on "
            "(`name=value`, several values comma-separated), besides bbox and datetime."
        ),
        "properties": {name: _queryable(collection, name) for name in filter_names(collection)},
        "additionalProperties": False,
    }
