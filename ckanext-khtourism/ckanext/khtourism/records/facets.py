"""Search facets of each record type's search page, labelled from the schemas."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ckanext.khtourism.core import messages

from . import vocabularies

FACETS: dict[str, tuple[str, ...]] = {
    "accommodation": (
        "accommodation_type",
        "star_rating",
        "admin_unit",
        "amenities",
        "operating_status",
    ),
    "tour-operator": ("licence_type", "services", "languages", "admin_unit"),
    "tour-guide": ("card_type", "card_status", "languages"),
    "heritage-site": ("ranking", "heritage_type", "unesco_status", "admin_unit"),
}


def _field(dataset_type: str, field_name: str) -> dict[str, Any] | None:
    from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type)
    if not schema:
        return None
    return scheming_field_by_name(schema["dataset_fields"], field_name)


def dataset_facets(facets_dict: OrderedDict[str, Any], package_type: str) -> OrderedDict[str, Any]:
    """Our type's own facets first, then CKAN's (organization, tags, formats, licence)."""
    names = FACETS.get(package_type)
    if not names:
        return facets_dict
    facets: OrderedDict[str, Any] = OrderedDict()
    for name in names:
        field = _field(package_type, name)
        facets[name] = messages.label_text(field["label"]) if field else name
    for key, title in facets_dict.items():
        if key not in ("groups",):
            facets.setdefault(key, title)
    return facets


def facet_label_function(
    facet: str, dataset_type: str | None
) -> Callable[[dict[str, Any]], str] | None:
    """A ``label_function`` for CKAN's facet list: choice codes shown as their labels."""
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
