"""The OpenAPI 3.1 document of the API, built from the same definitions the
code runs on: the parameters (``params.PARAMS``), the resources and their
fields (``resources``), the error codes (``errors``) and the formats."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.records import schema_fields
from ckanext.khtourism.records.schema_choices import choice_codes

from . import params
from .errors import ERROR_CODES
from .params import CHANGE_TYPES, CHANGES, ITEM, LIST, LOOKUP, STATS
from .resources import COMMON_FIELDS, PRIVATE_GUIDE_FIELDS, RESOURCES, Resource

API_VERSION = "1.0.0"
BASE_PATH = "/api/tourism/v1"

NULLABLE_STRING = {"type": ["string", "null"]}
STRING_LIST = {"type": ["array", "null"], "items": {"type": "string"}}

COMMON_FIELD_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "description": "Record id (UUID)."},
    "name": {"type": "string", "description": "Record name (URL slug)."},
    "type": {"type": "string", "enum": [r.dataset_type for r in RESOURCES.values()]},
    "title": {
        "type": ["string", "null"],
        "description": "Name in the request's language (`lang=en`: the English name, "
        "or the Vietnamese one when the record has none).",
    },
    "title_vi": {"type": ["string", "null"], "description": "Name in Vietnamese."},
    "title_en": {"type": ["string", "null"], "description": "Name in English, if any."},
    "display_title": {
        "type": ["string", "null"],
        "description": "Same as `title` (kept for v1 clients).",
    },
    "notes": {
        "type": ["string", "null"],
        "description": "Description in the request's language (English falls back to Vietnamese).",
    },
    "notes_vi": {"type": ["string", "null"], "description": "Description in Vietnamese."},
    "notes_en": {"type": ["string", "null"], "description": "Description in English, if any."},
    "url": {"type": "string", "description": "The record's page on the portal."},
    "organization": {
        "type": ["object", "null"],
        "properties": {"name": NULLABLE_STRING, "title": NULLABLE_STRING},
    },
    "admin_unit": {"type": ["string", "null"], "description": "Commune-level unit code (2025)."},
    "admin_unit_method": {
        "type": ["string", "null"],
        "enum": ["polygon", "nearest_centre", None],
        "description": "How the portal found admin_unit from the point: polygon (inside the "
        "unit's boundary) or nearest_centre (an estimate, to be checked); null when the "
        "source or the business gave it.",
    },
    "former_district": NULLABLE_STRING,
    "street_address": NULLABLE_STRING,
    "latitude": {"type": ["number", "null"]},
    "longitude": {"type": ["number", "null"]},
    "phone": NULLABLE_STRING,
    "email": NULLABLE_STRING,
    "website": NULLABLE_STRING,
    "operating_status": NULLABLE_STRING,
    "last_verified": {"type": ["string", "null"], "format": "date"},
    "license_id": NULLABLE_STRING,
    "tags": {"type": "array", "items": {"type": "string"}},
    "metadata_created": NULLABLE_STRING,
    "metadata_modified": NULLABLE_STRING,
    "distance_m": {
        "type": ["number", "null"],
        "description": "Metres from the radius search centre.",
    },
    "labels": {
        "type": "object",
        "description": "Labels of coded fields in the request's language.",
        "additionalProperties": True,
    },
    "workflow_state": {"type": ["string", "null"], "description": "Only on unpublished records."},
    "published": {"type": "boolean", "description": "Only on unpublished records."},
}


# JSON Schema of each kind of field value (records/schema_fields.py), as items carry it
# (api/items.py ``typed_value``); every value may be null.
KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    schema_fields.TEXT: {"type": ["string", "null"]},
    schema_fields.CODE: {"type": ["string", "null"]},
    schema_fields.INT: {"type": ["integer", "null"]},
    schema_fields.DATE: {"type": ["string", "null"], "format": "date"},
    schema_fields.DATETIME: {"type": ["string", "null"], "format": "date-time"},
    schema_fields.TIME: {"type": ["string", "null"], "description": "HH:MM"},
    schema_fields.MULTI: STRING_LIST,
    schema_fields.GEOJSON: {"type": ["object", "null"]},
}


def field_schema(dataset_type: str, name: str) -> dict[str, Any]:
    """The JSON Schema of a record-type field in an API item, from the field's kind in the
    scheming schema (and its fixed choices, when it has them)."""
    kind = schema_fields.field_kind(dataset_type, name)
    schema: dict[str, Any] = {
        **KIND_SCHEMAS[kind],
        "description": f"`{name}` as in docs/record-types.md.",
    }
    try:
        codes = list(choice_codes(dataset_type, name))
    except KeyError:
        codes = []
    if codes and kind == schema_fields.CODE:
        schema["enum"] = [*codes, None]
    elif codes and kind == schema_fields.MULTI:
        schema["items"] = {"type": "string", "enum": codes}
    return schema


def _item_schema(resource: Resource) -> dict[str, Any]:
    properties = dict(COMMON_FIELD_SCHEMAS)
    for name in resource.fields:
        properties[name] = field_schema(resource.dataset_type, name)
    if resource.dataset_type == "tour-guide":
        for name in PRIVATE_GUIDE_FIELDS:
            properties[name] = {
                **field_schema(resource.dataset_type, name),
                "description": "Private: only for curators, sysadmins and the guide's organization.",
            }
    return {
        "type": "object",
        "required": ["id"],
        "properties": properties,
        "additionalProperties": True,
    }


def _parameter(param: params.Param) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": param.description,
        "schema": param.schema,
    }
    if param.schema.get("type") == "array":
        spec["style"] = "form"
        spec["explode"] = False
    if param.example is not None:
        spec["example"] = param.example
    return spec


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes: int) -> dict[str, Any]:
    names = {
        400: "BadRequest",
        401: "Unauthorized",
        404: "NotFound",
        406: "NotAcceptable",
        429: "TooManyRequests",
        500: "ServerError",
    }
    return {str(code): {"$ref": f"#/components/responses/{names[code]}"} for code in codes}


def _ok(description: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "ETag": {"schema": {"type": "string"}, "description": "Strong validator of the body."},
            "Last-Modified": {
                "schema": {"type": "string"},
                "description": "When the newest record changed.",
            },
        },
        "content": content,
    }


def _formats(json_schema: dict[str, Any], geojson_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "application/json": {"schema": json_schema},
        "application/geo+json": {"schema": geojson_schema},
        "text/csv": {"schema": {"type": "string"}},
        "application/ld+json": {"schema": _ref("JsonLd")},
    }


def _operation(
    op_id: str,
    summary: str,
    endpoint: str,
    resource: Resource | None,
    responses: dict[str, Any],
    tags: list[str],
    extra_params: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "operationId": op_id,
        "summary": summary,
        "tags": tags,
        "parameters": (extra_params or [])
        + [_parameter(p) for p in params.params_for(endpoint, resource)],
        "responses": responses,
    }


def _list_schema(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["total", "page", "limit", "items"],
        "properties": {
            "type": {"type": ["string", "null"]},
            "lang": {"type": "string", "enum": list(params.LANGS)},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "limit": {"type": "integer", "minimum": 1},
            "returned": {"type": "integer", "minimum": 0},
            "items": {"type": "array", "items": item},
            "links": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
        },
    }


FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "numberMatched": {"type": "integer"},
        "numberReturned": {"type": "integer"},
        "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
    },
}


@lru_cache(maxsize=4)
def _document(server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "parameter", "status"],
                    "properties": {
                        "code": {"type": "string", "enum": ERROR_CODES},
                        "message": {"type": "string", "description": "In the request's language."},
                        "parameter": {
                            "type": ["string", "null"],
                            "description": "The offending parameter.",
                        },
                        "status": {"type": "integer"},
                    },
                }
            },
        },
        "Feature": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "id": {"type": ["string", "null"]},
                "geometry": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "required": ["type", "coordinates"],
                            "properties": {
                                "type": {"const": "Point"},
                                "coordinates": {
                                    "type": "array",
                                    "items": {"type": "number"},
                                    "minItems": 2,
                                    "maxItems": 2,
                                },
                            },
                        },
                    ]
                },
                "properties": {"type": "object"},
            },
        },
        "FeatureCollection": FEATURE_COLLECTION,
        "JsonLd": {
            "type": "object",
            "required": ["@context"],
            "properties": {"@context": {"const": "https://schema.org"}, "@type": {}},
            "description": "schema.org JSON-LD: an ItemList for lists, one thing for an item.",
        },
        "Change": {
            "type": "object",
            "required": ["cursor", "change", "removal", "id", "name", "type", "changed_at"],
            "properties": {
                "cursor": {"type": "string"},
                "change": {"type": "string", "enum": list(CHANGE_TYPES)},
                "removal": {
                    "type": "boolean",
                    "description": "True when a consumer should drop the record.",
                },
                "id": {"type": "string"},
                "name": {"type": "string"},
                "type": {"type": "string"},
                "operating_status": {"type": ["string", "null"]},
                "changed_at": {"type": "string"},
            },
        },
        "ChangeFeed": {
            "type": "object",
            "required": ["changes", "next_cursor", "has_more"],
            "properties": {
                "changes": {"type": "array", "items": _ref("Change")},
                "next_cursor": {
                    "type": ["string", "null"],
                    "description": "Pass as `cursor` to read the changes that follow.",
                },
                "has_more": {"type": "boolean"},
            },
        },
        "Stats": {
            "type": "object",
            "required": ["total", "types", "months"],
            "properties": {
                "lang": {"type": "string"},
                "total": {"type": "integer"},
                "types": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["count", "by"],
                        "properties": {
                            "count": {"type": "integer"},
                            "by": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["code", "count"],
                                        "properties": {
                                            "code": {"type": "string"},
                                            "label": {"type": "string"},
                                            "count": {"type": "integer"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
                "months": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["month"],
                        "properties": {"month": {"type": "string"}},
                        "additionalProperties": {"type": "integer"},
                    },
                },
            },
        },
    }
    not_modified = {"304": {"description": "Not modified (conditional request matched)."}}
    for resource in RESOURCES.values():
        name = "".join(part.capitalize() for part in resource.dataset_type.split("-"))
        schemas[name] = _item_schema(resource)
        schemas[f"{name}List"] = _list_schema(_ref(name))
        paths[f"/{resource.path}"] = {
            "get": _operation(
                f"list_{resource.path.replace('-', '_')}",
                f"{resource.title_en} ({resource.title_vi}): published records, filtered and paged",
                LIST,
                resource,
                {
                    "200": _ok(
                        "A page of records.",
                        _formats(_ref(f"{name}List"), _ref("FeatureCollection")),
                    ),
                    **not_modified,
                    **_errors(400, 401, 406, 429),
                },
                [resource.path],
            )
        }
        paths[f"/{resource.path}/{{id}}"] = {
            "get": _operation(
                f"show_{resource.dataset_type.replace('-', '_')}",
                f"One {resource.dataset_type} by id or name",
                ITEM,
                resource,
                {
                    "200": _ok("The record.", _formats(_ref(name), _ref("Feature"))),
                    **not_modified,
                    **_errors(400, 401, 404, 406, 429),
                },
                [resource.path],
                extra_params=[
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": "Record id (UUID) or name.",
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"},
                    }
                ],
            )
        }
    any_item = {
        "type": "object",
        "required": ["id"],
        "properties": COMMON_FIELD_SCHEMAS,
        "additionalProperties": True,
    }
    paths["/lookup"] = {
        "get": _operation(
            "lookup",
            "Records by official identifier (enterprise code, licence number, card number)",
            LOOKUP,
            None,
            {
                "200": _ok(
                    "Matching records.", _formats(_list_schema(any_item), _ref("FeatureCollection"))
                ),
                **not_modified,
                **_errors(400, 401, 406, 429),
            },
            ["lookup"],
        )
    }
    paths["/changes"] = {
        "get": _operation(
            "changes",
            "Ordered change feed with a cursor (created, updated, withdrawn, unpublished, deleted)",
            CHANGES,
            None,
            {
                "200": _ok(
                    "Changes in order.", {"application/json": {"schema": _ref("ChangeFeed")}}
                ),
                **not_modified,
                **_errors(400, 401, 429),
            },
            ["changes"],
        )
    }
    paths["/stats"] = {
        "get": _operation(
            "stats",
            "Counts by type, administrative unit, category and month",
            STATS,
            None,
            {
                "200": _ok("Counts.", {"application/json": {"schema": _ref("Stats")}}),
                **not_modified,
                **_errors(400, 401, 429),
            },
            ["stats"],
        )
    }
    paths["/openapi.json"] = {
        "get": _operation(
            "openapi",
            "This document",
            params.META,
            None,
            {
                "200": _ok(
                    "OpenAPI 3.1 document.", {"application/json": {"schema": {"type": "object"}}}
                ),
                **not_modified,
                **_errors(400, 401, 429),
            },
            ["meta"],
        )
    }
    error_content = {"application/json": {"schema": _ref("Error")}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Khánh Hòa tourism data API",
            "version": API_VERSION,
            "summary": "Accommodation, tour operators, tour guides and heritage sites of Khánh Hòa province.",
            "description": (
                "Read-only API of the Khánh Hòa open tourism-data portal. Published data needs no "
                "token. A CKAN API token in the `Authorization` header (raw or `Bearer <token>`) "
                "identifies a client; curators' tokens may read unpublished records with "
                "`include_unpublished=true`. Requests are rate-limited per token and per IP "
                "(429 with `Retry-After`). Responses carry `ETag` and `Last-Modified`; conditional "
                "requests get 304. Breaking changes go to `/v2`; `v1` stays."
            ),
            "license": {"name": "CC-BY-4.0 (data)", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": server_url}],
        "security": [{}, {"apiToken": []}],
        "tags": [
            {"name": r.path, "description": f"{r.title_en} — {r.title_vi}"}
            for r in RESOURCES.values()
        ]
        + [{"name": "lookup"}, {"name": "changes"}, {"name": "stats"}, {"name": "meta"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "A CKAN API token, raw or as `Bearer <token>`.",
                }
            },
            "schemas": schemas,
            "responses": {
                "BadRequest": {
                    "description": "A parameter is invalid; `parameter` names it.",
                    "content": error_content,
                },
                "Unauthorized": {
                    "description": "The token is invalid, or the request needs one.",
                    "content": error_content,
                },
                "NotFound": {
                    "description": "No such record (or not visible to the caller).",
                    "content": error_content,
                },
                "NotAcceptable": {
                    "description": "No supported format matches the Accept header.",
                    "content": error_content,
                },
                "TooManyRequests": {
                    "description": "Rate limit exceeded.",
                    "headers": {
                        "Retry-After": {
                            "schema": {"type": "string"},
                            "description": "Seconds to wait before retrying.",
                        }
                    },
                    "content": error_content,
                },
                "ServerError": {
                    "description": "Unexpected server error.",
                    "content": error_content,
                },
            },
        },
    }


def document() -> dict[str, Any]:
    return _document(tk.config.get("ckan.site_url", "").rstrip("/") + BASE_PATH)


__all__ = ["document", "API_VERSION", "COMMON_FIELDS"]
