"""Search facets of each record type's search page, labelled from the schemas."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages, record_types

from . import licenses, quality, type_names, vocabularies

# the ``facets`` each record type declares (core/record_types.py)
FACETS: dict[str, tuple[str, ...]] = {
    rt.name: rt.facets for rt in record_types.declarations().values()
}


def _field(dataset_type: str, field_name: str) -> dict[str, Any] | None:
    from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type)
    if not schema:
        return None
    return scheming_field_by_name(schema["dataset_fields"], field_name)


# Facets whose values have a natural order (shown in it, not by count).
VALUE_ORDER: dict[str, tuple[str, ...]] = {
    "star_rating": ("1", "2", "3", "4", "5", "dat_chuan", "chua_xep_hang"),
}
# The facet of /dataset/ (every type's records and the registry datasets): the record type.
TYPE_FACET = "dataset_type"


def dataset_facets(facets_dict: OrderedDict[str, Any], package_type: str) -> OrderedDict[str, Any]:
    """Our type's own facets first, then CKAN's (organization, tags, formats, licence);
    /dataset/ gets the record type first."""
    if package_type == "dataset":
        with_type: OrderedDict[str, Any] = OrderedDict([(TYPE_FACET, tk._("Record type"))])
        with_type.update(facets_dict)
        return with_type
    names = FACETS.get(package_type)
    if not names:
        return facets_dict
    facets: OrderedDict[str, Any] = OrderedDict()
    for name in names:
        field = _field(package_type, name)
        facets[name] = messages.label_text(field["label"]) if field else name
    # records/quality.py: every type's records by metadata quality band
    facets[quality.FACET] = tk._("Metadata quality")
    for key, title in facets_dict.items():
        if key not in ("groups",):
            facets.setdefault(key, title)
    return facets


def facet_label_function(
    facet: str, dataset_type: str | None
) -> Callable[[dict[str, Any]], str] | None:
    """A ``label_function`` for CKAN's facet list: choice codes shown as their labels."""
    if facet == TYPE_FACET:
        lang = messages.current_language()

        def type_label(item: dict[str, Any]) -> str:
            if item["name"] in type_names.NAMES:
                return type_names.name(item["name"], plural=True, in_sentence=False, lang=lang)
            if item["name"] == "dataset":  # CKAN's own datasets (statistics, registries)
                return tk._("Datasets")
            return item["name"]

        return type_label
    if facet == quality.FACET:
        return lambda item: band_label(item["name"])
    if facet == "license_id":
        lang = messages.current_language()
        return lambda item: licenses.short_title(str(item["display_name"]), lang)
    if not dataset_type or facet not in FACETS.get(dataset_type, ()):
        return None
    if facet == "admin_unit":
        lang = messages.current_language()
        return lambda item: vocabularies.admin_unit_label(item["name"], lang)
    field = _field(dataset_type, facet)
    if not field or "choices" not in field:
        return None
    labels = {str(c["value"]): messages.label_text(c["label"]) for c in field["choices"]}
    return lambda item: labels.get(item["name"], item["display_name"])


def ordered_facet_items(facet: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Facet items of a facet with a natural order (star ratings 1–5) in that order."""
    order = VALUE_ORDER.get(facet)
    if not order:
        return items
    return sorted(
        items, key=lambda item: order.index(item["name"]) if item["name"] in order else len(order)
    )


BAND_LABELS = {
    "good": messages.N_("Good (80–100)"),
    "fair": messages.N_("Fair (50–79)"),
    "poor": messages.N_("Poor (below 50)"),
}


def band_label(band: str, lang: str | None = None) -> str:
    """A quality band's name in the user's language."""
    msgid = BAND_LABELS.get(band)
    return messages.translate(msgid, lang) if msgid else band
