"""GeoJSON of records for the maps: one Feature per record with a location.

A Feature's geometry is the record's ``spatial`` point (or, failing one, the
centroid of its ``area``); its properties are what a popup shows: the title in
the page's language, the record type's label and the record page's URL.

The search pages' maps show every result of the current search — all pages,
up to ``ckanext.khtourism.maps.search_markers_max`` — from one extra
``package_search`` with the page's own query, filters and ``ext_*`` parameters
(:func:`search_features`), embedded in the page: no second request, nothing
for the Content-Security-Policy to allow.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from werkzeug.routing import BuildError

import ckan.plugins.toolkit as tk

from ckanext.khtourism.records import type_names

from . import settings

log = logging.getLogger(__name__)

# what a Feature needs of a record (the search index's stored fields)
FIELDS = ("id", "name", "title", "title_en", "type", "spatial", "area")


def _geometry(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    if not isinstance(geometry, dict) or "coordinates" not in geometry:
        return None
    return {"type": geometry.get("type"), "coordinates": geometry["coordinates"]}


def point_of(record: dict[str, Any]) -> tuple[float, float] | None:
    """The record's (lon, lat): its ``spatial`` point, or the centre of its ``area``."""
    geometry = _geometry(record.get("spatial"))
    if geometry and geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lon), float(lat)
    area = _geometry(record.get("area")) or geometry
    if area and area["type"] in ("Polygon", "MultiPolygon"):
        from shapely.geometry import shape

        try:
            centre = shape(area).representative_point()
        except (ValueError, TypeError, AttributeError):
            return None
        return centre.x, centre.y
    return None


def type_label(dataset_type: str, lang: str) -> str:
    """The record type's name in ``lang`` (records/type_names.py)."""
    if dataset_type not in type_names.NAMES:
        return dataset_type
    return type_names.name(dataset_type, in_sentence=False, lang=lang)


# a placeholder record name: a type's record URL is built once and the name put in its
# place (CKAN's record names are URL-safe: lowercase letters, digits, - and _), instead of
# one url_for per marker — 500 url_for calls were a third of a search page's server time
# at 10,000 records (docs/performance.md, "Portal pages")
_NAME_SLOT = "khtourism-record-name-slot"


class _TypeFacts:
    """Per record type, once per collection: its label in ``lang`` and its URL pattern."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._known: dict[str, tuple[str, str]] = {}

    def __call__(self, dataset_type: str) -> tuple[str, str]:
        if dataset_type not in self._known:
            try:
                url = tk.url_for(f"{dataset_type}.read", id=_NAME_SLOT)
            except BuildError:
                # a dataset type no plugin serves pages for (a type whose schema was
                # removed, or a harvested one): CKAN's own dataset page shows it
                url = tk.url_for("dataset.read", id=_NAME_SLOT)
            self._known[dataset_type] = (type_label(dataset_type, self.lang), url)
        return self._known[dataset_type]


def record_feature(
    record: dict[str, Any], lang: str, facts: _TypeFacts | None = None
) -> dict[str, Any] | None:
    """A GeoJSON Point Feature of the record, or None when it has no location."""
    point = point_of(record)
    if point is None:
        return None
    dataset_type = record.get("type") or "dataset"
    title = (lang == "en" and record.get("title_en")) or record.get("title") or record.get("name")
    label, url_pattern = (facts or _TypeFacts(lang))(dataset_type)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(point[0], 6), round(point[1], 6)]},
        "properties": {
            "title": title,
            "type": dataset_type,
            "type_label": label,
            "url": url_pattern.replace(_NAME_SLOT, str(record.get("name") or "")),
        },
    }


def feature_collection(records: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    facts = _TypeFacts(lang)
    features = [record_feature(record, lang, facts) for record in records]
    return {"type": "FeatureCollection", "features": [f for f in features if f]}


def area_feature(record: dict[str, Any]) -> dict[str, Any] | None:
    """The record's ``area`` polygon (heritage sites) as a Feature, or None."""
    area = _geometry(record.get("area"))
    if not area or area["type"] not in ("Polygon", "MultiPolygon"):
        return None
    return {"type": "Feature", "geometry": area, "properties": {}}


def _search(data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        result = tk.get_action("package_search")({}, data_dict)
    except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized) as error:
        log.info("map search refused: %s", error)
        return []
    return result.get("results", [])


def search_features(dataset_type: str, lang: str) -> dict[str, Any]:
    """Features of every result of the current search page's query (its ``q``,
    facet filters and ``ext_*`` parameters, read the way CKAN's search view reads
    them), up to ``search_markers_max``."""
    from ckan.views.dataset import _get_search_details

    details = _get_search_details()
    fq = details["fq"]
    show_all = str(tk.config.get("ckan.search.show_all_types") or "false").lower()
    if show_all in ("false", "0", "no") or dataset_type != "dataset":
        fq += f" +dataset_type:{dataset_type}"
    data_dict = {
        "q": tk.request.args.get("q", ""),
        "fq": fq.strip(),
        "rows": int(tk.config.get(settings.SEARCH_MARKERS_MAX) or 0),
        "fl": " ".join(FIELDS),
        "extras": details["search_extras"],
        "include_private": tk.config.get("ckan.search.default_include_private"),
    }
    if data_dict["rows"] <= 0:
        return feature_collection([], lang)
    return feature_collection(_search(data_dict), lang)


def published_features(lang: str, dataset_types: tuple[str, ...]) -> dict[str, Any]:
    """Features of the published records of the given types (the home page's map)."""
    types = " OR ".join(dataset_types)
    data_dict = {
        "q": "",
        "fq": f"+dataset_type:({types})",
        "rows": int(tk.config.get(settings.SEARCH_MARKERS_MAX) or 0),
        "fl": " ".join(FIELDS),
    }
    return feature_collection(_search(data_dict), lang)
