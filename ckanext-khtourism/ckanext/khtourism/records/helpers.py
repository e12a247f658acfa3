"""Template helpers of the record types (exported through ``ckanext.khtourism.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core.record_types import RECORD_TYPES

from . import privacy, type_names, vocabularies


def khtourism_admin_unit_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of the ``admin_unit`` select: the 65 units, labelled in both languages."""
    return [
        {
            "value": code,
            "label": {
                "vi": vocabularies.admin_unit_label(code, "vi"),
                "en": vocabularies.admin_unit_label(code, "en"),
            },
        }
        for code in vocabularies.admin_units()
    ]


def khtourism_former_district_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"value": code, "label": f"{name} ({code})"}
        for code, name in vocabularies.former_districts().items()
    ]


def khtourism_record_types() -> tuple[str, ...]:
    return RECORD_TYPES


def khtourism_private_fields(dataset_type: str | None) -> tuple[str, ...]:
    return privacy.private_fields(dataset_type)


def khtourism_facet_label_function(facet: str, dataset_type: str | None) -> Any:
    """Label function for a facet of a record type's search page (None: CKAN's default)."""
    from .facets import facet_label_function

    return facet_label_function(facet, dataset_type)


def khtourism_type_name(record_type: str, plural: bool = False, in_sentence: bool = True) -> str:
    """A record type's name in the user's language (``records/type_names.py``)."""
    return type_names.name(record_type, plural=plural, in_sentence=in_sentence)


def khtourism_quality(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """A record's metadata quality for its page and the dashboards (``records/quality.py``):
    score, band and its label, the dimensions and the fixes in the user's language."""
    from . import quality
    from .facets import band_label

    found = quality.assess(pkg)
    if found is None:
        return None
    return {**found.as_dict(page=True), "band_label": band_label(found.band)}


def khtourism_quality_dimension_label(name: str) -> str:
    from . import quality

    return quality.dimension_label(name)


@tk.chained_helper
def humanize_entity_type(
    next_helper: Any, entity_type: str, object_type: str, purpose: str
) -> str | None:
    """CKAN's texts about a dataset type, in the user's language for the record types."""
    return type_names.chained_humanize_entity_type(next_helper, entity_type, object_type, purpose)


__all__ = [
    "khtourism_admin_unit_choices",
    "khtourism_former_district_choices",
    "khtourism_record_types",
    "khtourism_private_fields",
    "khtourism_facet_label_function",
    "khtourism_type_name",
    "khtourism_quality",
    "khtourism_quality_dimension_label",
    "humanize_entity_type",
]
