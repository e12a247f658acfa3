"""Template helpers of the record types (exported through ``ckanext.khtourism.helpers``)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.workflow import roles, states
from ckanext.khtourism.workflow.model import PendingRevision

from . import RECORD_TYPES, messages, privacy, vocabularies


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


def khtourism_is_curator() -> bool:
    user = tk.current_user
    return bool(user and user.is_authenticated and roles.is_curator(user.name))


def khtourism_workflow_state_label(state: str | None) -> str:
    labels = {
        states.DRAFT: ("Bản nháp", "Draft"),
        states.SUBMITTED: ("Chờ duyệt", "Submitted for review"),
        states.PUBLISHED: ("Đã công bố", "Published"),
        states.REJECTED: ("Bị từ chối", "Rejected"),
    }
    vi, en = labels.get(state or states.DRAFT, (state or "", state or ""))
    return en if messages.current_language() == "en" else vi


def khtourism_pending_revision(package_id: str) -> dict[str, Any] | None:
    revision = PendingRevision.pending_for(package_id)
    return revision.as_dict() if revision else None


def khtourism_private_fields(dataset_type: str | None) -> tuple[str, ...]:
    return privacy.private_fields(dataset_type)


def khtourism_facet_label_function(facet: str, dataset_type: str | None) -> Any:
    """Label function for a facet of a record type's search page (None: CKAN's default)."""
    from .facets import facet_label_function

    return facet_label_function(facet, dataset_type)


def khtourism_text(vi: str, en: str) -> str:
    """Pick the Vietnamese or English text for the current language."""
    return en if messages.current_language() == "en" else vi


@tk.chained_helper
def dataset_display_name(next_helper: Any, package_or_package_dict: Any) -> str:
    """A record's name in the page's language: ``title_en`` under ``/en/`` when it has one
    (the record page's heading, breadcrumb and browser title); CKAN's otherwise."""
    if isinstance(package_or_package_dict, dict) and messages.current_language() == "en":
        english = package_or_package_dict.get("title_en")
        if isinstance(english, str) and english.strip():
            return english
    return next_helper(package_or_package_dict)


__all__ = [
    "dataset_display_name",
    "khtourism_admin_unit_choices",
    "khtourism_former_district_choices",
    "khtourism_record_types",
    "khtourism_is_curator",
    "khtourism_workflow_state_label",
    "khtourism_pending_revision",
    "khtourism_private_fields",
    "khtourism_facet_label_function",
    "khtourism_text",
]
