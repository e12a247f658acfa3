"""Choice codes of the record types, read from their scheming schemas.

The schemas (``schemas/*.yaml`` and ``schemas/presets.yaml``, installed as
``ckanext.khtourism.schemas``) are the one place where code lists live, next
to their labels. Code that needs a list outside a form (the tourism API's
filters and OpenAPI document, for instance) reads it from here instead of
repeating it. Plain YAML reading: usable before CKAN is configured.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from ckanext.khtourism.core import yaml_files

_SCHEMAS_PACKAGE = "ckanext.khtourism.schemas"


def _load(file_name: str) -> dict[str, Any]:
    schema: dict[str, Any] = yaml_files.package_file(_SCHEMAS_PACKAGE, file_name)
    return schema


@functools.lru_cache(maxsize=1)
def _presets() -> dict[str, dict[str, Any]]:
    return {p["preset_name"]: p.get("values", {}) for p in _load("presets.yaml")["presets"]}


@functools.lru_cache(maxsize=1)
def _dataset_schemas() -> dict[str, dict[str, Any]]:
    schemas = {}
    for entry in resources.files(_SCHEMAS_PACKAGE).iterdir():
        if entry.name.endswith(".yaml") and entry.name != "presets.yaml":
            schema = _load(entry.name)
            schemas[schema["dataset_type"]] = schema
    return schemas


def record_types() -> tuple[str, ...]:
    """The dataset types that have a schema here."""
    return tuple(sorted(_dataset_schemas()))


def dataset_fields(dataset_type: str) -> list[dict[str, Any]]:
    """The schema's dataset fields, presets merged in, in schema order."""
    return [
        {**_presets().get(field.get("preset", ""), {}), **field}
        for field in _dataset_schemas()[dataset_type]["dataset_fields"]
    ]


def _field(dataset_type: str, field_name: str) -> dict[str, Any]:
    for field in dataset_fields(dataset_type):
        if field.get("field_name") == field_name:
            return field
    raise KeyError(f"{dataset_type} has no field {field_name!r}")


@functools.cache
def choice_codes(dataset_type: str, field_name: str) -> tuple[str, ...]:
    """The stable codes of a choice field, in schema order."""
    field = _field(dataset_type, field_name)
    if "choices" not in field:
        raise KeyError(f"{dataset_type}.{field_name} has no fixed choices")
    return tuple(str(choice["value"]) for choice in field["choices"])
