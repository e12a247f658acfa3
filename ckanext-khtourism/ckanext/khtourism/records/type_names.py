"""Names of the record types in the user's language, for CKAN's texts about a type.

CKAN builds the texts of a dataset type's pages ("Create {object_type}", "Search
{object_type}s...", "1 accommodation found") from its machine name, which stays
English ("Accommodation", "Tour-operator") on the Vietnamese site. For the four
record types, ``humanize`` (chained to CKAN's ``humanize_entity_type`` helper) and
the search result count (``snippets/search_result_text.html``) use these names and
the texts below, all translated by the catalogue.
"""

from __future__ import annotations

from typing import Any

from ckanext.khtourism.core.messages import N_, translate
from ckanext.khtourism.core.record_types import RECORD_TYPES

# record type -> (name on its own, plural on its own, in a sentence, plural in a sentence)
NAMES: dict[str, tuple[str, str, str, str]] = {
    "accommodation": (
        N_("Accommodation"),
        N_("Accommodations"),
        N_("accommodation"),
        N_("accommodations"),
    ),
    "tour-operator": (
        N_("Tour operator"),
        N_("Tour operators"),
        N_("tour operator"),
        N_("tour operators"),
    ),
    "tour-guide": (N_("Tour guide"), N_("Tour guides"), N_("tour guide"), N_("tour guides")),
    "heritage-site": (
        N_("Heritage site"),
        N_("Heritage sites"),
        N_("heritage site"),
        N_("heritage sites"),
    ),
}
assert set(NAMES) == set(RECORD_TYPES)

# CKAN's purposes (ckan.lib.helpers.humanize_entity_type) shown as the plural name alone
PLURAL_ALONE = {"breadcrumb", "content tab", "facet label", "main nav", "page title"}
# ... and in a sentence ("{actor} updated the {dataset_type} {dataset}")
IN_SENTENCE = {"activity_record"}
# the other purposes: {name} / {names} are the names in a sentence
TEXTS: dict[str, str] = {
    "add link": N_("Add {name}"),
    "create label": N_("Create {name}"),
    "create title": N_("Create {name}"),
    "delete confirmation": N_("Are you sure you want to delete this {name}?"),
    "description placeholder": N_("A little information about this {name}..."),
    "edit label": N_("Edit {name}"),
    "form label": N_("Form of the {name}"),
    "my label": N_("My {names}"),
    "view label": N_("View {name}"),
    "name placeholder": N_("My {name}"),
    "no any objects": N_("There are no {names} on this site yet"),
    "no description": N_("There is no description for this {name}"),
    "no label": N_("No {name}"),
    "save label": N_("Save {name}"),
    "search placeholder": N_("Search {names}..."),
    "update label": N_("Update {name}"),
}


def name(
    record_type: str, plural: bool = False, in_sentence: bool = True, lang: str | None = None
) -> str:
    """The type's name in ``lang`` (default: the user's language); ``record_type`` must be
    a record type. The one naming of the record types: menus, facets, maps, CKAN's texts."""
    alone, plural_alone, in_text, plural_in_text = NAMES[record_type]
    if in_sentence:
        return translate(plural_in_text if plural else in_text, lang)
    return translate(plural_alone if plural else alone, lang)


def humanize(entity_type: str, object_type: str, purpose: str) -> str | None:
    """The text CKAN asks for, or None for a type that is not ours."""
    if entity_type != "package" or object_type not in NAMES:
        return None
    if purpose in PLURAL_ALONE:
        return name(object_type, plural=True, in_sentence=False)
    if purpose in IN_SENTENCE:
        return name(object_type)
    if purpose not in TEXTS:
        return name(object_type, in_sentence=False)
    return translate(TEXTS[purpose]).format(
        name=name(object_type), names=name(object_type, plural=True)
    )


def chained_humanize_entity_type(
    next_helper: Any, entity_type: str, object_type: str, purpose: str
) -> str | None:
    return humanize(entity_type, object_type, purpose) or next_helper(
        entity_type, object_type, purpose
    )
