"""How the portal names each record type to a reader (menu, home page, statistics)."""

from __future__ import annotations

from dataclasses import dataclass

from ckanext.khtourism.core.record_types import RECORD_TYPES


@dataclass(frozen=True)
class TypeLabel:
    vi: str
    en: str
    icon: str  # Font Awesome 6 icon name shipped with CKAN


# The plural names a reader sees in the menu and on the home page (data, in both languages).
TYPE_LABELS: dict[str, TypeLabel] = {
    "accommodation": TypeLabel("Cơ sở lưu trú", "Accommodation", "bed"),
    "tour-operator": TypeLabel("Doanh nghiệp lữ hành", "Tour operators", "suitcase"),
    "tour-guide": TypeLabel("Hướng dẫn viên", "Tour guides", "user"),
    "heritage-site": TypeLabel("Di tích", "Heritage sites", "landmark"),
}

assert tuple(TYPE_LABELS) == RECORD_TYPES  # one label per record type, in the same order


def type_label(record_type: str, lang: str) -> str:
    label = TYPE_LABELS.get(record_type)
    if label is None:
        return record_type
    return label.en if lang == "en" else label.vi
