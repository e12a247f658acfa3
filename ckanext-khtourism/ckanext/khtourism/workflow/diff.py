"""Field-by-field comparison of a record and a proposed revision.

Both sides are compared in their *stored* form (what validation produces:
core columns, extras, tag names, resource names and links), so that a value
the validators normalise (an enterprise code without its hyphen, a date
typed as DD/MM/YYYY) is not reported as a change.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model

from ckanext.khtourism.core import messages

CORE_FIELDS = ("name", "title", "notes", "license_id", "owner_org", "url", "version")
IGNORED = {"workflow_state", "workflow_reason", "private", "id", "type", "state"}


def stored_values(validated: dict[str, Any]) -> dict[str, Any]:
    """Stored form of a validated package dict: core fields + extras + tags + resources."""
    values: dict[str, Any] = {}
    for name in CORE_FIELDS:
        if name in validated:
            values[name] = validated[name] or ""
    for extra in validated.get("extras") or []:
        if isinstance(extra, dict) and "key" in extra:
            values[extra["key"]] = extra.get("value") or ""
    if "tags" in validated:
        values["tag_string"] = ", ".join(sorted(t["name"] for t in validated["tags"] or []))
    if "resources" in validated:
        values["resources"] = [
            {"name": r.get("name") or "", "url": r.get("url") or ""}
            for r in validated["resources"] or []
        ]
    return values


def current_values(pkg: model.Package) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(pkg, name, None) or "" for name in CORE_FIELDS}
    values.update({key: value or "" for key, value in pkg.extras.items()})
    values["tag_string"] = ", ".join(sorted(tag.name for tag in pkg.get_tags()))
    values["resources"] = [
        {"name": r.name or "", "url": r.url or ""} for r in pkg.resources if r.state == "active"
    ]
    return values


def _display(value: Any, field: dict[str, Any] | None, lang: str) -> str:
    if isinstance(value, list):
        return "; ".join(
            f"{r.get('name')} <{r.get('url')}>" if isinstance(r, dict) else str(r) for r in value
        )
    text = str(value or "")
    if field and text.startswith("[") and "choices" in field:
        try:
            text_values = json.loads(text)
        except ValueError:
            text_values = None
        if isinstance(text_values, list):
            return ", ".join(_choice_label(v, field, lang) for v in text_values)
    if field and "choices" in field:
        return _choice_label(text, field, lang)
    return text


def _choice_label(value: str, field: dict[str, Any], lang: str) -> str:
    for choice in field.get("choices", []):
        if str(choice.get("value")) == value:
            return f"{messages.label_text(choice.get('label'), lang)} ({value})"
    return value


def field_diff(
    pkg: model.Package,
    proposed: dict[str, Any],
    schema: dict[str, Any] | None,
    lang: str | None = None,
) -> list[dict[str, Any]]:
    """Changed fields, in schema order: ``{field, label, old, new}`` (display text)."""
    lang = lang or messages.current_language()
    current = current_values(pkg)
    fields = {f["field_name"]: f for f in (schema or {}).get("dataset_fields", [])}
    order = list(fields) + sorted(k for k in set(current) | set(proposed) if k not in fields)
    if "resources" not in order:
        order.append("resources")
    changes = []
    for name in order:
        if name in IGNORED or name not in proposed:
            continue
        old, new = current.get(name, ""), proposed.get(name, "")
        if old == new:
            continue
        field = fields.get(name)
        label = messages.label_text(field.get("label"), lang) if field else name
        if name == "resources":
            label = messages.translate(messages.N_("Documents and photos"), lang)
        changes.append(
            {
                "field": name,
                "label": label,
                "old": _display(old, field, lang),
                "new": _display(new, field, lang),
            }
        )
    return changes
