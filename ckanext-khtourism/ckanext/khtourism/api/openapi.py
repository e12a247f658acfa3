"""The OpenAPI 3.1 document of the API: the fixed parts are data (``openapi_base.yaml``);
the rest is derived from the definitions the code runs on: the record types and their
fields (``resources``, typed from the scheming schemas by ``records.schema_fields``), the
parameters (``params.PARAMS``), the error codes (``errors``) and the formats."""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources as package_files
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.clients.webhooks import EVENTS as WEBHOOK_EVENTS
from ckanext.khtourism.core import yaml_files
from ckanext.khtourism.records import schema_fields
from ckanext.khtourism.records.privacy import private_fields
from ckanext.khtourism.records.schema_choices import choice_codes

from . import http, params
from .collections import COLLECTIONS, COMMON_FIELDS, Collection
from .errors import ERROR_CODES
from .params import CHANGE_TYPES, ITEM, LIST

API_VERSION = "1.0.0"
BASE_PATH = "/api/tourism/v1"
DERIVED = "$derived"


@lru_cache(maxsize=1)
def base() -> dict[str, Any]:
    """``openapi_base.yaml`` as read (callers copy what they change)."""
    text = (package_files.files(__package__) / "openapi_base.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml_files.safe_load(text)
    return data


def _derive(value: Any, derived: dict[str, Any]) -> Any:
    """``value`` with every ``{$derived: NAME}`` replaced by ``derived[NAME]`` (a fresh copy)."""
    if isinstance(value, dict):
        if set(value) == {DERIVED}:
            return copy.deepcopy(derived[value[DERIVED]])
        return {key: _derive(item, derived) for key, item in value.items()}
    if isinstance(value, list):
        return [_derive(item, derived) for item in value]
    return value


def field_schema(dataset_type: str, name: str) -> dict[str, Any]:
    """The JSON Schema of a record-type field in an API item, from the field's kind in the
    scheming schema (and its fixed choices, when it has them)."""
    kind = schema_fields.field_kind(dataset_type, name)
    schema: dict[str, Any] = {
        **copy.deepcopy(base()["field_kinds"][kind]),
        "description": base()["field_description"].format(name=name),
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


def _common_fields() -> dict[str, Any]:
    dataset_types = [r.dataset_type for r in COLLECTIONS.values()]
    return _derive(base()["common_fields"], {"dataset_types": dataset_types})


def _item_schema(resource: Collection) -> dict[str, Any]:
    properties = _common_fields()
    for name in resource.fields:
        properties[name] = field_schema(resource.dataset_type, name)
    for name in private_fields(resource.dataset_type):
        properties[name] = {
            **field_schema(resource.dataset_type, name),
            "description": base()["private_field_description"],
        }
    return {
        "type": "object",
        "required": ["id"],
        "properties": properties,
        "additionalProperties": True,
    }


def _list_schema(item: dict[str, Any]) -> dict[str, Any]:
    return _derive(base()["list_schema"], {"item": item, "langs": list(params.LANGS)})


def _parameter(param: params.Param, resource: Collection | None = None) -> dict[str, Any]:
    schema = param.schema
    if param.name == "fields" and resource is not None:
        # the names the server accepts for this collection (params._check_rules)
        schema = {
            **schema,
            "items": {"type": "string", "enum": list(dict.fromkeys(resource.all_fields))},
        }
    spec: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": param.text("en"),
        "schema": schema,
    }
    if param.schema.get("type") == "array":
        spec["style"] = "form"
        spec["explode"] = False
    if param.example is not None:
        spec["example"] = param.example
    return spec


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _formats(json_schema: dict[str, Any], geojson_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "application/json": {"schema": json_schema},
        "application/geo+json": {"schema": geojson_schema},
        "text/csv": {"schema": {"type": "string"}},
        "application/ld+json": {"schema": _ref("JsonLd")},
    }


def _operation(
    spec: dict[str, Any],
    endpoint: str,
    resource: Collection | None,
    content: dict[str, Any],
    tag: str,
    summary: str | None = None,
) -> dict[str, Any]:
    """One GET operation from its ``spec`` in openapi_base.yaml."""
    operation: dict[str, Any] = {
        "operationId": spec["operationId"],
        "summary": summary or spec["summary"],
        "tags": [tag],
        "parameters": copy.deepcopy(spec.get("path_parameters", []))
        + [_parameter(p, resource) for p in params.params_for(endpoint, resource)],
        "responses": {
            "200": {
                "description": spec["ok"],
                "headers": copy.deepcopy(base()["ok_headers"]),
                "content": content,
            },
            "304": dict(base()["not_modified"]),
            **_error_responses([*spec["errors"], *base()["common_errors"]]),
        },
    }
    rules = [rule.document() for rule in params.rules_for(endpoint, resource)]
    if rules:
        # what a schema per parameter cannot say (params.RULES; the server enforces them)
        operation["x-parameter-rules"] = rules
        operation["description"] = "Rules between parameters: " + " ".join(
            f"{rule['description'][0].upper()}{rule['description'][1:]}" for rule in rules
        )
    return operation


def _error_responses(codes: list[int]) -> dict[str, Any]:
    names = base()["error_responses"]
    return {
        str(code): {"$ref": f"#/components/responses/{names[code]}"} for code in sorted(set(codes))
    }


def _client_paths(derived: dict[str, Any]) -> dict[str, Any]:
    """The client systems' endpoints and the dumps, each operation with the common errors."""
    paths: dict[str, Any] = _derive(base()["client_paths"], derived)
    for item in paths.values():
        for method, operation in item.items():
            if method != "parameters":
                operation["responses"].update(_error_responses(base()["common_errors"]))
    return paths


def _record_type_paths(resource: Collection, schema_name: str) -> dict[str, Any]:
    """The list and item operations of one record type."""
    names = {
        "path": resource.path,
        "path_id": resource.path.replace("-", "_"),
        "type_id": resource.dataset_type.replace("-", "_"),
        "dataset_type": resource.dataset_type,
        "title_en": resource.title_en,
        "title_vi": resource.title_vi,
    }
    paths: dict[str, Any] = {}
    for endpoint, (item_schema, feature_schema) in (
        (LIST, (_ref(f"{schema_name}List"), _ref("FeatureCollection"))),
        (ITEM, (_ref(schema_name), _ref("Feature"))),
    ):
        spec = dict(base()["record_type_operations"][endpoint])
        spec["operationId"] = spec["operationId"].format(**names)
        paths[spec["path"].format(**names)] = {
            "get": _operation(
                spec,
                endpoint,
                resource,
                _formats(item_schema, feature_schema),
                resource.path,
                summary=spec["summary"].format(**names),
            )
        }
    return paths


@lru_cache(maxsize=4)
def _document(server_url: str) -> dict[str, Any]:
    document = _derive(
        base()["document"],
        {
            "api_version": API_VERSION,
            "error_codes": list(ERROR_CODES),
            "change_types": list(CHANGE_TYPES),
            "token_url": f"{server_url}/oauth/token",
            "webhook_events": list(WEBHOOK_EVENTS),
        },
    )
    schemas = document["components"]["schemas"]
    paths: dict[str, Any] = {}
    tags: list[dict[str, Any]] = []
    for resource in COLLECTIONS.values():
        name = "".join(part.capitalize() for part in resource.dataset_type.split("-"))
        schemas[name] = _item_schema(resource)
        schemas[f"{name}List"] = _list_schema(_ref(name))
        paths.update(_record_type_paths(resource, name))
        tags.append(
            {"name": resource.path, "description": f"{resource.title_en} — {resource.title_vi}"}
        )
    any_item = {
        "type": "object",
        "required": ["id"],
        "properties": _common_fields(),
        "additionalProperties": True,
    }
    derived = {"lookup_content": _formats(_list_schema(any_item), _ref("FeatureCollection"))}
    for path, spec in base()["operations"].items():
        tag = spec.get("tag", spec["operationId"])
        content = _derive(spec["content"], derived)
        paths[path] = {"get": _operation(spec, spec["endpoint"], None, content, tag)}
        tags.append({"name": tag})
    paths.update(_client_paths({"webhook_events": list(WEBHOOK_EVENTS)}))
    tags += [{"name": "clients"}, {"name": "dumps"}]
    return {
        "openapi": document["openapi"],
        "info": document["info"],
        "servers": [{"url": server_url}],
        "security": document["security"],
        "tags": tags,
        "paths": paths,
        "components": document["components"],
        # the longest URI the API reads; longer ones are answered 414 (api/http.py)
        "x-max-uri-length": http.MAX_URI_LENGTH,
    }


def document() -> dict[str, Any]:
    return _document(tk.config.get("ckan.site_url", "").rstrip("/") + BASE_PATH)


__all__ = ["document", "API_VERSION", "COMMON_FIELDS"]
