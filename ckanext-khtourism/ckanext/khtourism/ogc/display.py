"""A feature's properties as a person reads them on the HTML page of an item: each
property's label in the page's language beside its name, coded values as their labels
(``khach_san`` -> "Khách sạn" / "Hotel"), dates, counts and prices as the record page shows
them (``core/formats.py``). The JSON (GeoJSON) encoding keeps codes, ISO dates and numbers.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model

from ckanext.khtourism.api.items import field_kind, field_label
from ckanext.khtourism.core import formats, messages

# item fields whose schema label would say something else: ``title`` is the title in the
# page's language (the schema's ``title`` is the Vietnamese one)
# the properties every collection's items carry, outside the record type's schema
COMMON_LABELS = {
    "title": messages.N_("Name"),
    "title_vi": messages.N_("Name (Vietnamese)"),
    "id": messages.N_("Identifier"),
    "type": messages.N_("Record type"),
    "url": messages.N_("Page on the portal"),
    "metadata_created": messages.N_("Created"),
    "metadata_modified": messages.N_("Last modified"),
    "quality": messages.N_("Metadata quality"),
    "organization_name": messages.N_("Organization (URL name)"),
    "organization_title": messages.N_("Organization"),
}


def _text(name: str, value: Any, label: Any, kind: str, lang: str) -> str:
    if label:
        return ", ".join(label) if isinstance(label, list) else str(label)
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if name == "quality" and isinstance(value, dict):
        return f"{value.get('score')}/100"
    if name == "license_id":
        licence = model.Package.get_license_register().get(str(value))
        return licence.title if licence is not None else str(value)
    if name in ("metadata_created", "metadata_modified"):
        return formats.display_local_time(value)
    if kind == "int":
        if name.endswith("_vnd"):
            return formats.display_vnd(value, lang)
        return formats.display_count(value, lang)
    if kind == "date":
        return formats.display_date(value, lang)
    if kind == "datetime":
        return formats.display_khanh_hoa_time(value)
    return str(value)


def property_rows(
    properties: dict[str, Any],
    labels: dict[str, Any],
    dataset_type: str,
    lang: str,
    type_title: str | None = None,
) -> list[dict[str, str | None]]:
    """The non-empty properties, in order: ``name`` (the GeoJSON property), ``label`` (the
    field's label in ``lang``, ``None`` when no schema names it) and ``value`` (text);
    ``type_title``: the collection's title, shown for the record type's code."""
    rows: list[dict[str, str | None]] = []
    for name, value in properties.items():
        if value in (None, [], ""):
            continue
        if name == "type" and type_title:
            labels = {**labels, "type": type_title}
        common = COMMON_LABELS.get(name)
        rows.append(
            {
                "name": name,
                "label": messages.translate(common, lang)
                if common
                else field_label(dataset_type, name, lang),
                "value": _text(name, value, labels.get(name), field_kind(dataset_type, name), lang),
            }
        )
    return rows
