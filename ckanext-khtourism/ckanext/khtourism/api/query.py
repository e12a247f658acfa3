"""Parsed parameters -> one ``package_search`` call (the portal's one query path)."""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError

from .collections import ALL_FILTERS, BY_DATASET_TYPE
from .errors import ApiError
from .params import DEFAULT_LIMIT

# the engine's spatial parameters as the tourism API names them
API_SPATIAL_PARAMETER = {
    "ext_lat": "radius",
    "ext_lon": "radius",
    "ext_radius": "radius",
    "ext_polygon": "polygon",
    "ext_bbox": "bbox",
}

log = logging.getLogger(__name__)

SORT_FIELDS = {
    "title": "title_string",
    "name": "name",
    "updated": "metadata_modified",
    "created": "metadata_created",
    "quality": "quality_sort",  # records/quality.py: the score, zero-padded
}
# Tie-breaker that makes every order total, so pages are stable.
TIEBREAK = "id asc"


def quote(value: str) -> str:
    """A Solr/Lucene phrase for ``value`` (codes are validated; this is belt and braces)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def any_of(field: str, values: list[str]) -> str:
    return f"{field}:(" + " OR ".join(quote(value) for value in values) + ")"


def filter_queries(parsed: dict[str, Any], dataset_types: list[str]) -> list[str]:
    fq = [any_of("dataset_type", dataset_types)]
    for name in ("admin_unit", "former_district", "operating_status", "quality_band", *ALL_FILTERS):
        if name in parsed:
            fq.append(any_of(name, parsed[name]))
    if "updated_since" in parsed:
        since = parsed["updated_since"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        fq.append(f"metadata_modified:[{since} TO *]")
    fq.extend(period_queries(parsed, dataset_types))
    return fq


def _instant(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def period_queries(parsed: dict[str, Any], dataset_types: list[str]) -> list[str]:
    """``from`` / ``to`` / ``happening_now`` of a type with a period (events): the records
    whose [start, end] overlaps the asked interval; a record without an end is the instant
    of its start."""
    periods = {BY_DATASET_TYPE[t].period for t in dataset_types if t in BY_DATASET_TYPE}
    periods.discard(None)
    if len(periods) != 1:
        return []
    start, end = periods.pop()  # type: ignore[misc]
    fq = []
    if "from" in parsed:
        since = _instant(parsed["from"])
        fq.append(f"({end}:[{since} TO *] OR {start}:[{since} TO *])")
    if "to" in parsed:
        fq.append(f"{start}:[* TO {_instant(parsed['to'])}]")
    if parsed.get("happening_now"):
        fq.append(f"{start}:[* TO NOW]")
        fq.append(f"{end}:[NOW TO *]")
    return fq


def spatial_extras(parsed: dict[str, Any]) -> dict[str, str]:
    import json

    if "bbox" in parsed:
        return {"ext_bbox": ",".join(repr(value) for value in parsed["bbox"])}
    if "radius" in parsed:
        return {
            "ext_lat": repr(parsed["lat"]),
            "ext_lon": repr(parsed["lon"]),
            "ext_radius": repr(parsed["radius"]),
        }
    if "polygon" in parsed:
        return {"ext_polygon": json.dumps(parsed["polygon"])}
    return {}


def sort_clause(parsed: dict[str, Any]) -> str | None:
    """Solr sort for ``sort=``; None lets the engine order by distance or score."""
    sort = parsed.get("sort")
    if sort is None:
        if "radius" in parsed or "q" in parsed:
            return None
        sort = "-updated"
    if sort in ("distance", "relevance"):
        return None if sort == "distance" else f"score desc, {TIEBREAK}"
    descending = sort.startswith("-")
    field = SORT_FIELDS[sort.lstrip("-")]
    return f"{field} {'desc' if descending else 'asc'}, {TIEBREAK}"


def search(
    parsed: dict[str, Any],
    dataset_types: list[str],
    *,
    rows: int | None = None,
    start: int = 0,
    facets: list[str] | None = None,
    extra_fq: list[str] | None = None,
    user_name: str | None = None,
) -> dict[str, Any]:
    """Run ``package_search`` for the request's user; SearchQueryError -> 400."""
    include_unpublished = bool(parsed.get("include_unpublished"))
    # One ``fq`` string of required clauses, not ``fq_list``: CKAN copies
    # ``fq_list`` into ``fq`` and also passes it on, so the engine would parse
    # and apply every filter twice (docs/api.md, "Per-request cost").
    filters = filter_queries(parsed, dataset_types) + (extra_fq or [])
    data_dict: dict[str, Any] = {
        "q": parsed.get("q", ""),
        "fq": " ".join(f"+{clause}" for clause in filters),
        "rows": DEFAULT_LIMIT if rows is None else rows,
        "start": start,
        "include_private": include_unpublished,
        "include_drafts": include_unpublished,
        "extras": spatial_extras(parsed),
    }
    sort = sort_clause(parsed)
    if sort:
        data_dict["sort"] = sort
    if facets:
        data_dict["facet"] = "true"
        data_dict["facet.field"] = facets
        data_dict["facet.limit"] = -1
        data_dict["facet.mincount"] = 1
    context = {"user": user_name or "", "ignore_auth": False}
    try:
        return tk.get_action("package_search")(context, data_dict)
    except tk.ValidationError as error:
        spatial = getattr(error, "spatial_param", None)
        if spatial:
            # engine = solr refused a spatial search (search/hooks.py): answered in the
            # API's language, naming the API's parameter — never answered unfiltered
            parameter = API_SPATIAL_PARAMETER.get(spatial, spatial)
            raise ApiError(
                "invalid_query", parameter, error.msgid, detail_values={"param": parameter}
            ) from None
        detail = _first_message(error.error_dict)
        raise ApiError("invalid_query", "q" if "q" in parsed else None, detail) from None
    except SearchError as error:
        # SearchQueryError (unsupported syntax) and CKAN's SearchError for user
        # input in q (local parameters, magic fields): the request is at fault
        log.info("tourism API: search rejected the query: %s", error)
        detail = str(error) or type(error).__name__
        raise ApiError("invalid_query", "q" if "q" in parsed else None, detail) from None


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_message(value)
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def page_window(parsed: dict[str, Any]) -> tuple[int, int]:
    limit = parsed.get("limit", DEFAULT_LIMIT)
    page = parsed.get("page", 1)
    return limit, (page - 1) * limit
