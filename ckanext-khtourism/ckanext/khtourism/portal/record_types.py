"""How the portal shows each record type to a reader: its icon (menu, home page,
statistics), declared in its schema. Its name comes from ``records/type_names.py``, the
one naming of the types."""

from __future__ import annotations

from ckanext.khtourism.core.record_types import declarations
from ckanext.khtourism.records import type_names

# Font Awesome 6 icon names shipped with CKAN, as each type declares (``khtourism: icon``)
TYPE_ICONS: dict[str, str] = {rt.name: rt.icon for rt in declarations().values()}


def type_label(record_type: str, lang: str) -> str:
    """The type's plural name, on its own (menus, cards, chart labels)."""
    if record_type not in type_names.NAMES:
        return record_type
    return type_names.name(record_type, plural=True, in_sentence=False, lang=lang)
