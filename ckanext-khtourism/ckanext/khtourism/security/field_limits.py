"""Size limits on a record's fields, checked before every create and update.

Any dataset type (the four record types, plain datasets, harvest sources):
the title, the description (``notes``), any other text value, the number of
tags and of custom fields (``extras``) are bounded by settings, and no text
may hold a NUL character (PostgreSQL cannot store one). A breach is a
``ValidationError`` naming the field, in Vietnamese or English.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages

TITLE_LENGTH = "ckanext.khtourism.limits.title_length"
NOTES_LENGTH = "ckanext.khtourism.limits.notes_length"
TEXT_LENGTH = "ckanext.khtourism.limits.text_length"
TAGS = "ckanext.khtourism.limits.tags"
EXTRAS = "ckanext.khtourism.limits.extras"
RESOURCES = "ckanext.khtourism.limits.resources"

_LENGTH_SETTINGS = {"title": TITLE_LENGTH, "notes": NOTES_LENGTH}
_COUNT_SETTINGS = {"tags": TAGS, "extras": EXTRAS, "resources": RESOURCES}


def _strings(value: Any) -> Iterator[str]:
    """Every text value inside ``value`` (lists and dicts walked without recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def has_nul(value: Any) -> bool:
    """Does any text (key or value) inside ``value`` hold a NUL character?"""
    return any("\x00" in text for text in _strings(value))


def _field(dataset_type: str | None, name: str) -> dict[str, Any] | None:
    if not dataset_type:
        return None
    try:
        schema = tk.h.scheming_get_dataset_schema(dataset_type)
    except (AttributeError, KeyError, TypeError):
        return None
    for field in (schema or {}).get("dataset_fields", []):
        if field.get("field_name") == name:
            return field
    return None


def errors_of(data_dict: dict[str, Any]) -> dict[str, list[str]]:
    """The limit breaches of a dataset dict, per top-level field."""
    dataset_type = data_dict.get("type") if isinstance(data_dict.get("type"), str) else None
    text_length = tk.config.get(TEXT_LENGTH)
    errors: dict[str, list[str]] = {}

    def add(name: str, key: str, **values: Any) -> None:
        errors.setdefault(name, []).append(
            messages.field_error(_field(dataset_type, name), key, **values)
        )

    for name, value in data_dict.items():
        if not isinstance(name, str):
            continue
        if name in _COUNT_SETTINGS and isinstance(value, (list, tuple)):
            limit = tk.config.get(_COUNT_SETTINGS[name])
            if len(value) > limit:
                add(name, "too_many", count=len(value), max=limit)
        strings = list(_strings(value))
        if has_nul(strings):
            add(name, "nul_character")
        limit = tk.config.get(_LENGTH_SETTINGS[name]) if name in _LENGTH_SETTINGS else text_length
        longest = max((len(text) for text in strings), default=0)
        if longest > limit:
            add(name, "too_long", length=longest, max=limit)
    return errors


def validation_error(data_dict: dict[str, Any]) -> tk.ValidationError | None:
    """A ``ValidationError`` naming each field over its limit, or None."""
    errors: dict[str, Any] = dict(errors_of(data_dict))
    if not errors:
        return None
    if "tags" in errors:  # CKAN's ValidationError expects tag errors per tag: [{"name": [...]}]
        errors["tags"] = [{"name": errors["tags"]}]
    return tk.ValidationError(errors)


def check(data_dict: dict[str, Any]) -> None:
    """Raise a ``ValidationError`` naming each field over its limit."""
    error = validation_error(data_dict)
    if error is not None:
        raise error
