"""The OpenAPI 3.0 definition of ``/ogc`` (conformance class ``oas30``), derived from the
collections and their filter parameters, so that it says what the server accepts."""

from __future__ import annotations

import copy
from typing import Any

from ckanext.khtourism.api import params as api_params

from . import crs as ogc_crs
from . import features
from .collections import filter_names, property_names, public_collections

_LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
    },
}
_EXCEPTION = {
    "type": "object",
    "required": ["code"],
    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
}
_F = {
    "name": "f",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["json", "html"]},
    "description": "Response format (default: JSON, or HTML for a browser's Accept header).",
}
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": list(api_params.LANGS)},
}


def _crs_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "uri", "enum": list(ogc_crs.SUPPORTED)},
        "description": description,
    }


def _ok(media_type: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "200": {"description": description, "content": {media_type: {"schema": schema}}},
        "400": {
            "description": "Invalid or unknown query parameter.",
            "content": {"application/json": {"schema": _EXCEPTION}},
        },
        "404": {
            "description": "No such resource.",
            "content": {"application/json": {"schema": _EXCEPTION}},
        },
    }


def _filter_param(collection, name: str) -> dict[str, Any]:
    param = next(p for p in api_params.params_for(api_params.LIST, collection) if p.name == name)
    schema = copy.deepcopy(param.schema)
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": schema,
        "description": param.text("en"),
    }


def _feature_schema(collection) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"nullable": True, "type": "object"},
            "properties": {
                "type": "object",
                "properties": {name: {} for name in property_names(collection)},
            },
            "links": {"type": "array", "items": _LINK},
        },
    }


def document(base_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "operationId": "getLandingPage",
                "summary": "Landing page",
                "parameters": [_F, _LANG],
                "responses": _ok("application/json", {"type": "object"}, "The landing page."),
            }
        },
        "/conformance": {
            "get": {
                "operationId": "getConformanceDeclaration",
                "summary": "Conformance classes implemented",
                "parameters": [_F, _LANG],
                "responses": _ok(
                    "application/json", {"type": "object"}, "The conformance classes."
                ),
            }
        },
        "/api": {
            "get": {
                "operationId": "getAPIDefinition",
                "summary": "This document",
                "parameters": [_F, _LANG],
                "responses": _ok(
                    "application/vnd.oai.openapi+json;version=3.0",
                    {"type": "object"},
                    "The OpenAPI definition.",
                ),
            }
        },
        "/collections": {
            "get": {
                "operationId": "getCollections",
                "summary": "The record types as feature collections",
                "parameters": [_F, _LANG],
                "responses": _ok("application/json", {"type": "object"}, "The collections."),
            }
        },
    }
    for collection_id, collection in public_collections().items():
        feature = _feature_schema(collection)
        paths[f"/collections/{collection_id}"] = {
            "get": {
                "operationId": f"describeCollection_{collection_id}",
                "summary": f"{collection.title_en} (collection)",
                "parameters": [_F, _LANG],
                "responses": _ok("application/json", {"type": "object"}, "The collection."),
            }
        }
        paths[f"/collections/{collection_id}/queryables"] = {
            "get": {
                "operationId": f"getQueryables_{collection_id}",
                "summary": f"{collection.title_en}: the property filters of the items (Part 3)",
                "parameters": [_F, _LANG],
                "responses": _ok(
                    "application/schema+json", {"type": "object"}, "JSON Schema of the filters."
                ),
            }
        }
        paths[f"/collections/{collection_id}/items"] = {
            "get": {
                "operationId": f"getFeatures_{collection_id}",
                "summary": f"{collection.title_en}: published records",
                "parameters": [
                    _F,
                    _LANG,
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": features.MAX_LIMIT,
                            "default": features.DEFAULT_LIMIT,
                        },
                    },
                    {
                        "name": "offset",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0, "default": 0},
                    },
                    {
                        "name": "bbox",
                        "in": "query",
                        "required": False,
                        "style": "form",
                        "explode": False,
                        "schema": {
                            "type": "array",
                            "minItems": 4,
                            "maxItems": 6,
                            "items": {"type": "number"},
                        },
                        "description": "Bounding box (in bbox-crs, CRS84 by default).",
                    },
                    _crs_param("bbox-crs", "CRS of bbox (Part 2)."),
                    _crs_param("crs", "CRS of the response's geometries (Part 2)."),
                    {
                        "name": "datetime",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "Instant or interval (RFC 3339, `..` for an open end) "
                        "on the record's last modification.",
                    },
                    *(_filter_param(collection, name) for name in filter_names(collection)),
                ],
                "responses": _ok(
                    "application/geo+json",
                    {
                        "type": "object",
                        "required": ["type", "features"],
                        "properties": {
                            "type": {"type": "string", "enum": ["FeatureCollection"]},
                            "features": {"type": "array", "items": feature},
                            "links": {"type": "array", "items": _LINK},
                            "numberMatched": {"type": "integer", "minimum": 0},
                            "numberReturned": {"type": "integer", "minimum": 0},
                            "timeStamp": {"type": "string", "format": "date-time"},
                        },
                    },
                    "A page of features.",
                ),
            }
        }
        paths[f"/collections/{collection_id}/items/{{featureId}}"] = {
            "get": {
                "operationId": f"getFeature_{collection_id}",
                "summary": f"{collection.title_en}: one record",
                "parameters": [
                    {
                        "name": "featureId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    _F,
                    _LANG,
                    _crs_param("crs", "CRS of the response's geometry (Part 2)."),
                ],
                "responses": _ok("application/geo+json", feature, "One feature."),
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Khánh Hòa tourism data — OGC API – Features",
            "version": "1.0.0",
        },
        "servers": [{"url": base_url}],
        "paths": paths,
    }
