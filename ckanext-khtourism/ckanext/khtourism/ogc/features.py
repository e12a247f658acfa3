"""Items of a collection: the query parameters of OGC API – Features, turned into the
tourism API's one search path (``api.params`` values, ``api.query.search``), and
package dicts turned into GeoJSON features.

Only published public records are searched (the search runs as an anonymous user,
``include_unpublished`` is never set) and a feature's properties are the tourism
API's public item fields (``api.items.item_from_package`` without a user: no private
guide field can appear).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from werkzeug.datastructures import MultiDict

from ckanext.khtourism.api import params as api_params
from ckanext.khtourism.api import query
from ckanext.khtourism.api.collections import Collection
from ckanext.khtourism.api.errors import ApiError, invalid
from ckanext.khtourism.api.items import item_from_package
from ckanext.khtourism.core.messages import N_

from . import crs as ogc_crs
from .collections import filter_names, property_names

DEFAULT_LIMIT = 10
MAX_LIMIT = api_params.MAX_LIMIT
MAX_OFFSET = 10_000_000
# Parameters of /items besides the collection's property filters (Part 1, Part 2).
ITEMS_PARAMS = ("f", "lang", "bbox", "bbox-crs", "limit", "offset", "datetime", "crs")
ITEM_PARAMS = ("f", "lang", "crs")
SOLR_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def _single(args: MultiDict, name: str) -> str | None:
    values = args.getlist(name)
    if not values:
        return None
    if len(values) != 1:
        raise ApiError("repeated_parameter", name)
    if "\x00" in values[0]:
        raise invalid(name, N_("contains a NUL character."))
    return values[0]


def check_known(args: MultiDict, allowed: tuple[str, ...] | list[str]) -> None:
    """Part 1 (/req/core/query-param-unknown): an unknown parameter is a 400."""
    for name in args:
        if name not in allowed:
            raise ApiError("unknown_parameter", name)


def parse_crs(args: MultiDict, name: str) -> str:
    raw = _single(args, name)
    if raw is None:
        return ogc_crs.CRS84
    found = ogc_crs.canonical(raw)
    if found is None:
        raise invalid(
            name,
            N_("'{value}' is not one of: {allowed}."),
            value=raw,
            allowed=", ".join(ogc_crs.SUPPORTED),
        )
    return found


def _integer(args: MultiDict, name: str, default: int, minimum: int, maximum: int) -> int:
    raw = _single(args, name)
    if raw is None:
        return default
    text = raw.strip()
    if not text.lstrip("+").isdigit() or len(text) > 18:
        if text.startswith("-") and text[1:].isdigit():
            raise invalid(name, N_("must be ≥ {minimum}."), minimum=minimum)
        raise invalid(name, N_("expected an integer."))
    value = int(text)
    if value < minimum:
        raise invalid(name, N_("must be ≥ {minimum}."), minimum=minimum)
    # Part 1 (/per/core/limit-response-1): a larger limit is answered with the maximum.
    return min(value, maximum)


def _bbox(args: MultiDict, bbox_crs: str) -> tuple[float, float, float, float] | None:
    raw = _single(args, "bbox")
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise invalid("bbox", N_("expected at least {count} value(s)."), count=4)
    numbers = []
    for part in parts:
        try:
            numbers.append(float(part))
        except ValueError:
            raise invalid("bbox", N_("expected a number.")) from None
    if len(numbers) == 6:  # minimum and maximum heights are not used
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    try:
        wgs84 = ogc_crs.bbox_to_wgs84(numbers, bbox_crs)
    except Exception:  # pyproj raises several kinds for points it cannot project
        raise invalid("bbox", N_("expected a number.")) from None
    return api_params._check_bbox(list(wgs84))


def _datetime_clause(args: MultiDict) -> str | None:
    """``datetime`` (an instant or an interval, ``..`` for an open end) on the record's
    last modification -> a range clause on ``metadata_modified``."""
    raw = _single(args, "datetime")
    if raw is None:
        return None
    ends = raw.split("/")
    if len(ends) > 2:
        raise invalid("datetime", N_("expected an RFC 3339 date-time, e.g. 2026-01-01T00:00:00Z."))
    if len(ends) == 1:
        ends = [raw, raw]
    bounds: list[str] = []
    for end in ends:
        if end in ("..", ""):
            bounds.append("*")
            continue
        instant: dt.datetime = api_params.parse_datetime("datetime", end)
        bounds.append(instant.strftime(SOLR_TIME))
    if bounds == ["*", "*"]:
        return None
    if "*" not in bounds and bounds[0] > bounds[1]:
        raise invalid("datetime", N_("expected an RFC 3339 date-time, e.g. 2026-01-01T00:00:00Z."))
    return f"metadata_modified:[{bounds[0]} TO {bounds[1]}]"


def _filters(args: MultiDict, collection: Collection) -> dict[str, Any]:
    by_name = {p.name: p for p in api_params.params_for(api_params.LIST, collection)}
    parsed: dict[str, Any] = {}
    for name in filter_names(collection):
        raw = _single(args, name)
        if raw is not None:
            parsed[name] = api_params.parse_value(by_name[name], raw)
    return parsed


def search_items(args: MultiDict, collection: Collection) -> dict[str, Any]:
    """Validate the /items query and run it: the page of packages and its parameters."""
    check_known(args, [*ITEMS_PARAMS, *filter_names(collection)])
    out_crs = parse_crs(args, "crs")
    bbox_crs = parse_crs(args, "bbox-crs")
    if "bbox-crs" in args and "bbox" not in args:
        raise invalid("bbox-crs", N_("the value must not be empty."))
    limit = _integer(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _integer(args, "offset", 0, 0, MAX_OFFSET)
    parsed = _filters(args, collection)
    bbox = _bbox(args, bbox_crs)
    if bbox is not None:
        parsed["bbox"] = bbox
    clause = _datetime_clause(args)
    result = query.search(
        parsed,
        [collection.dataset_type],
        rows=limit,
        start=offset,
        extra_fq=[clause] if clause else None,
        user_name=None,
    )
    return {
        "packages": result["results"],
        "matched": result["count"],
        "limit": limit,
        "offset": offset,
        "crs": out_crs,
    }


def feature(pkg: dict[str, Any], collection: Collection, lang: str, crs: str) -> dict[str, Any]:
    """One record as a GeoJSON feature (public fields only)."""
    return feature_and_labels(pkg, collection, lang, crs)[0]


def feature_and_labels(
    pkg: dict[str, Any], collection: Collection, lang: str, crs: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The feature and the labels of its coded values in ``lang`` (the API item's
    ``labels``: for the HTML page; the GeoJSON keeps the codes)."""
    item = item_from_package(pkg, lang=lang, user_name=None)
    organization = item.get("organization") or {}
    values = dict(item)
    values["organization_name"] = organization.get("name")
    values["organization_title"] = organization.get("title")
    properties = {name: values.get(name) for name in property_names(collection)}
    found = {
        "type": "Feature",
        "id": item["id"],
        "geometry": ogc_crs.point_geometry(item.get("longitude"), item.get("latitude"), crs),
        "properties": properties,
    }
    return found, item.get("labels") or {}
