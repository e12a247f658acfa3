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

from ckanext.khtourism.core import formats, messages
from ckanext.khtourism.records import schema_fields

CORE_FIELDS = ("name", "title", "notes", "license_id", "owner_org", "url", "version")
IGNORED = {"workflow_state", "workflow_reason", "private", "id", "type", "state"}
# fields a schema may not list: a human label all the same (never a machine name)
FALLBACK_LABELS = {
    "name": messages.N_("URL name"),
    "title": messages.N_("Title"),
    "notes": messages.N_("Description"),
    "license_id": messages.N_("Data licence"),
    "owner_org": messages.N_("Organization"),
    "url": messages.N_("Source link"),
    "version": messages.N_("Version"),
    "tag_string": messages.N_("Tags"),
    "spatial": messages.N_("Location"),
    "area": messages.N_("Area"),
    "resources": messages.N_("Documents and photos"),
}
GEOMETRY_FIELDS = ("spatial", "area")


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


def _geometry(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value if value.get("type") else None
    try:
        geometry = json.loads(value) if value else None
    except (TypeError, ValueError):
        return None
    return geometry if isinstance(geometry, dict) and geometry.get("type") else None


def _geometry_text(value: Any, lang: str) -> str:
    """A point as "lat, lon"; another geometry by its kind and size; "" for none."""
    geometry = _geometry(value)
    if geometry is None:
        return str(value or "")
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return f"{float(lat):.5f}, {float(lon):.5f}"
    rings = geometry.get("coordinates") or []
    count = sum(len(ring) for ring in rings if isinstance(ring, list))
    return messages.translate(messages.N_("{kind} with {count} points"), lang).format(
        kind=geometry["type"], count=count
    )


def _licence_label(value: str) -> str:
    licence = dict(model.Package.get_license_register().items()).get(value)
    title = getattr(licence, "title", None)
    return f"{title} ({value})" if title and title != value else value


def _organization_label(value: str) -> str:
    group = model.Group.get(value) if value else None
    return group.title or group.name if group else value


def _display_field(name: str, value: Any, field: dict[str, Any] | None, lang: str) -> str:
    if name in GEOMETRY_FIELDS:
        return _geometry_text(value, lang)
    if name == "license_id" and value:
        return _licence_label(str(value))
    if name == "owner_org" and value:
        return _organization_label(str(value))
    return _display(value, field, lang)


def _label(name: str, field: dict[str, Any] | None, lang: str) -> str:
    if field and field.get("label"):
        return messages.label_text(field.get("label"), lang)
    if name in FALLBACK_LABELS:
        return messages.translate(FALLBACK_LABELS[name], lang)
    return name.replace("_", " ").capitalize()


def location_features(changes: list[dict[str, Any]], lang: str | None = None) -> dict[str, Any]:
    """A FeatureCollection of a revision's changed geometries, each labelled "Before" or
    "After" in ``lang`` (for the before/after map of the revision page); empty when the
    location did not change."""
    lang = lang or messages.current_language()
    labels = {
        "before": messages.translate(messages.N_("Before"), lang),
        "after": messages.translate(messages.N_("After"), lang),
    }
    found = []
    for change in changes:
        if change["field"] not in GEOMETRY_FIELDS:
            continue
        for side in ("before", "after"):
            geometry = change.get(f"{side}_geometry")
            if geometry:
                found.append(
                    {
                        "type": "Feature",
                        "geometry": geometry,
                        "properties": {
                            "side": side,
                            "title": labels[side],
                            "label": labels[side],
                            "field": change["label"],
                        },
                    }
                )
    return {"type": "FeatureCollection", "features": found}


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
    # dates and counts as the record page shows them (core/formats.py), by the field's kind
    validators = str((field or {}).get("validators") or "").split()
    kinds = {schema_fields.KIND_OF_VALIDATOR.get(v.split("(", 1)[0]) for v in validators}
    if schema_fields.DATE in kinds:
        return formats.display_date(text, lang)
    if schema_fields.INT in kinds:
        if str((field or {}).get("field_name", "")).endswith("_vnd"):
            return formats.display_vnd(text, lang)
        return formats.display_count(text, lang)
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
        label = _label(name, field, lang)
        if name == "resources":
            label = messages.translate(FALLBACK_LABELS["resources"], lang)
        change = {
            "field": name,
            "label": label,
            "old": _display_field(name, old, field, lang),
            "new": _display_field(name, new, field, lang),
        }
        if name in GEOMETRY_FIELDS:
            change["before_geometry"] = _geometry(old)
            change["after_geometry"] = _geometry(new)
        changes.append(change)
    return changes
