"""Place names indexed as text with each record, so a search by place finds it.

A record stores its commune as a code (``admin_unit`` = ``22366``) and maybe its
former district (``former_district`` = ``568``); "nha trang" or "khách sạn nha
trang" found nothing because only the code was indexed. The search document
gets ``place_names``: the commune's name with and without its level ("Phường
Nha Trang", "Nha Trang"), the former district's name (from the record, or the
district the commune was carved from), each also without diacritics.
"""

from __future__ import annotations

from typing import Any

from ckanext.khtourism.core.record_types import is_record_type
from ckanext.khtourism.core.slugs import fold_diacritics

from . import vocabularies

FIELD = "place_names"


def _code(pkg_dict: dict[str, Any], name: str) -> str:
    value = pkg_dict.get(name) or pkg_dict.get(f"extras_{name}") or ""
    return str(value).strip() if isinstance(value, (str, int)) else ""


def place_names(admin_unit: str, former_district: str = "") -> list[str]:
    names: list[str] = []
    unit = vocabularies.admin_units().get(admin_unit)
    if unit is not None:
        names += [f"{unit.level} {unit.name}", unit.name, unit.former_district_name]
    district = vocabularies.former_districts().get(former_district)
    if district:
        names.append(district)
    unique = list(dict.fromkeys(names))
    folded = [fold_diacritics(name) for name in unique]
    return list(dict.fromkeys(unique + folded))


def before_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if not is_record_type(pkg_dict.get("type") or pkg_dict.get("dataset_type")):
        return pkg_dict
    names = place_names(_code(pkg_dict, "admin_unit"), _code(pkg_dict, "former_district"))
    if names:
        pkg_dict[FIELD] = " | ".join(names)
    return pkg_dict
