"""How the portal shows each record type to a reader: its icon (menu, home page,
statistics). Its name comes from ``records/type_names.py``, the one naming of the types."""

from __future__ import annotations

from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.records import type_names

# Font Awesome 6 icon names shipped with CKAN
TYPE_ICONS: dict[str, str] = {
    "accommodation": "bed",
    "tour-operator": "suitcase",
    "tour-guide": "user",
    "heritage-site": "landmark",
}

assert tuple(TYPE_ICONS) == RECORD_TYPES  # one icon per record type, in the same order


def type_label(record_type: str, lang: str) -> str:
    """The type's plural name, on its own (menus, cards, chart labels)."""
    if record_type not in type_names.NAMES:
        return record_type
    return type_names.name(record_type, plural=True, in_sentence=False, lang=lang)
