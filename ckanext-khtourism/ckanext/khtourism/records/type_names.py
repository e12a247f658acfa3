"""Names of the record types in the user's language, for CKAN's texts about a type.

CKAN builds the texts of a dataset type's pages ("Create {object_type}", "Search
{object_type}s...", "1 accommodation found") from its machine name, which stays
English ("Accommodation", "Tour-operator") on the Vietnamese site. For the record
types, ``humanize`` (chained to CKAN's ``humanize_entity_type`` helper) and
the search result count (``snippets/search_result_text.html``) use the names each
type declares in its schema (``khtourism: names``, Vietnamese and English) and the
texts below, translated by the catalogue.
"""

from __future__ import annotations

from typing import Any

from ckanext.khtourism.core import record_types
from ckanext.khtourism.core.messages import N_, label_text, translate

# record type -> its names ({vi, en}) in the four forms of core/record_types.NAME_FORMS
# (on its own, plural on its own, in a sentence, plural in a sentence), as declared
NAMES: dict[str, dict[str, dict[str, str]]] = {
    rt.name: rt.names for rt in record_types.declarations().values()
}

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
    if in_sentence:
        form = "plural_in_sentence" if plural else "in_sentence"
    else:
        form = "plural" if plural else "alone"
    return label_text(NAMES[record_type][form], lang)


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
