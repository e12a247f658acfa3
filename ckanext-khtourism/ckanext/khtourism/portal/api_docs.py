"""The developers' page (``/developers``): the tourism API's endpoints, each with a request
and a response example, and the fields of each record type — all derived from what the API
runs on (its OpenAPI document, ``api/openapi.py``, and the scheming schemas), never from
hand-written lists — in the user's language."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from ckanext.khtourism.api import openapi
from ckanext.khtourism.api import params as api_params
from ckanext.khtourism.api.collections import COLLECTIONS
from ckanext.khtourism.core import messages
from ckanext.khtourism.core.messages import N_

from . import record_types

# what each endpoint does, in the user's language ({type}: the record type's label)
ENDPOINT_TEXT = {
    "list": N_("Published {type}: filtered by text, commune, area and the type's codes; paged."),
    "item": N_("One record of {type}, by its id or name."),
    "lookup": N_(
        "Records by an official identifier (enterprise code, licence number, card number)."
    ),
    "changes": N_("The ordered change feed with a cursor (created, updated, withdrawn, …)."),
    "stats": N_("Counts by type, administrative unit, category and month."),
    "openapi": N_("The machine-readable OpenAPI 3.1 document of this API."),
    "visitor_statistics": N_(
        "Visitor statistics by month and commune, from the businesses' monthly reports "
        "(open aggregates; small cells suppressed)."
    ),
    "visitor_statistics_metadata": N_(
        "The CSV on the Web (CSVW) description of the visitor statistics' CSV: each column's "
        "name, Vietnamese and English titles and datatype."
    ),
}
# parameters the OpenAPI document declares itself (api/openapi_base.yaml), not api/params.py
BASE_PARAMETER_TEXT = (N_("Record id (UUID) or name."),)
EXAMPLE_ID = "khach-san-bien-xanh"
# the lookup's identifier parameters carry no example in the API's definitions
LOOKUP_EXAMPLE = {"enterprise_code": "4201234567"}
MAX_EXAMPLE_DEPTH = 6


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def example_of(document: dict[str, Any], schema: dict[str, Any] | None, depth: int = 0) -> Any:
    """An example value of a JSON Schema (its example, first enum value, or a placeholder
    of its type); objects get every declared property."""
    schema = _resolve(document, schema or {})
    if depth > MAX_EXAMPLE_DEPTH:
        return None
    if "example" in schema:
        return schema["example"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            options = [_resolve(document, s) for s in schema[key]]
            chosen = next((s for s in options if s.get("type") != "null"), options[0])
            return example_of(document, chosen, depth + 1)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {
            name: example_of(document, sub, depth + 1)
            for name, sub in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        return [example_of(document, schema.get("items"), depth + 1)]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return 12.25
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if schema.get("format") == "date":
        return "2025-07-01"
    if schema.get("format") == "date-time":
        return "2025-07-01T08:00:00+07:00"
    return "…"


def _example_query(operation: dict[str, Any], most: int = 2) -> dict[str, str]:
    """Example query parameters: the first ``most`` parameters that have an example."""
    query = {}
    for param in operation.get("parameters", []):
        if param.get("in") != "query" or "example" not in param:
            continue
        value = param["example"]
        query[param["name"]] = (
            ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        )
        if len(query) == most:
            break
    return query


def endpoints(lang: str | None = None) -> list[dict[str, Any]]:
    """Every GET endpoint of the API: path, description, parameters, an example request
    URL and an example JSON response (derived from the response schema)."""
    lang = lang or messages.current_language()
    document = openapi.document()
    # the OpenAPI document's parameter descriptions are English; the page shows each in
    # the user's language (the parameter it came from, found by its English text)
    by_text = {p.text("en"): p for p in api_params.PARAMS}
    by_path = {c.path: c for c in COLLECTIONS.values()}
    found = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        # the client systems' endpoints and the dumps are documented in docs/integration.md
        if operation is None or {"clients", "dumps"} & set(operation.get("tags", [])):
            continue
        segment = path.strip("/").split("/")[0]
        collection = by_path.get(segment)
        if collection is not None:
            kind = "item" if "{" in path else "list"
            text = messages.translate(ENDPOINT_TEXT[kind], lang).format(
                type=record_types.type_label(collection.dataset_type, lang)
            )
        else:
            kind = operation["operationId"]
            text = messages.translate(ENDPOINT_TEXT.get(kind, N_("Other")), lang)
        # a lookup takes one identifier at a time
        query = {} if kind == "item" else _example_query(operation, 1 if kind == "lookup" else 2)
        if kind == "lookup" and not query:
            query = dict(LOOKUP_EXAMPLE)
        example_path = path.replace("{id}", EXAMPLE_ID)
        request = openapi.BASE_PATH + example_path + (f"?{urlencode(query)}" if query else "")
        content = operation["responses"]["200"].get("content", {})
        # JSON and the JSON-based types (application/csvm+json, application/geo+json)
        json_schema = next(
            (
                body.get("schema")
                for media, body in content.items()
                if media == "application/json" or media.endswith("+json")
            ),
            None,
        )
        response = example_of(document, json_schema) if json_schema and kind != "openapi" else None
        found.append(
            {
                "path": openapi.BASE_PATH + path,
                "kind": kind,
                "description": text,
                "summary": operation.get("summary", ""),
                "parameters": [
                    {
                        "name": p["name"],
                        "in": p["in"],
                        "description": by_text[p["description"]].text(lang)
                        if p.get("description") in by_text
                        else messages.translate(p.get("description", ""), lang),
                        "example": p.get("example"),
                    }
                    for p in operation.get("parameters", [])
                ],
                "formats": sorted(content),
                "request": request,
                "response": json.dumps(response, ensure_ascii=False, indent=2)[:4000]
                if response is not None
                else "",
            }
        )
    return found


def type_fields(lang: str | None = None) -> list[dict[str, Any]]:
    """Per record type: its API path and the fields of its items, each with its label,
    help text and codes from the scheming schema, in ``lang``."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    lang = lang or messages.current_language()
    result = []
    for collection in COLLECTIONS.values():
        schema = scheming_get_dataset_schema(collection.dataset_type) or {}
        by_name = {f["field_name"]: f for f in schema.get("dataset_fields", [])}
        fields = []
        for name in collection.all_fields:
            field = by_name.get(name) or {}
            choices = [
                f"{c.get('value')} = {messages.label_text(c.get('label'), lang)}"
                for c in field.get("choices") or []
            ]
            fields.append(
                {
                    "name": name,
                    "label": messages.label_text(field.get("label"), lang) if field else "",
                    "help": messages.label_text(field.get("help_text"), lang) if field else "",
                    "required": bool(field.get("required")),
                    "choices": choices,
                }
            )
        result.append(
            {
                "type": collection.dataset_type,
                "label": record_types.type_label(collection.dataset_type, lang),
                "path": f"{openapi.BASE_PATH}/{collection.path}",
                "fields": fields,
            }
        )
    return result
