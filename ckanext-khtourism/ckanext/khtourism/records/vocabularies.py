"""Code lists that come from data files shipped with the package.

The administrative units are read from ``vocabularies/khanh-hoa-admin-units-2025.csv``
(a copy of the reference list: 65 commune-level units of the merged province,
Resolution 1667/NQ-UBTVQH15, codes under Decision 19/2025/QĐ-TTg). Fixed
code lists of the record types (accommodation types, card types, …) live in
the scheming schemas themselves, next to their labels.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

from ckanext.khtourism.core.record_types import declarations

_PACKAGE = "ckanext.khtourism.records"


@dataclass(frozen=True)
class AdminUnit:
    code: str
    name: str
    level: str  # phường, xã or đặc khu
    former_district_code: str
    former_district_name: str


def _read_csv(file_name: str) -> list[dict[str, str]]:
    text = (resources.files(_PACKAGE) / "vocabularies" / file_name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.lru_cache(maxsize=1)
def admin_units() -> dict[str, AdminUnit]:
    """The 65 commune-level units by 5-digit code, in file order."""
    units = {}
    for row in _read_csv("khanh-hoa-admin-units-2025.csv"):
        unit = AdminUnit(
            code=row["code"].strip(),
            name=row["name"].strip(),
            level=row["level"].strip(),
            former_district_code=row["former_district_code"].strip(),
            former_district_name=row["former_district_name"].strip(),
        )
        units[unit.code] = unit
    return units


@functools.lru_cache(maxsize=1)
def former_districts() -> dict[str, str]:
    """District-level units abolished on 1 July 2025: code -> name, by code."""
    districts = {u.former_district_code: u.former_district_name for u in admin_units().values()}
    return dict(sorted(districts.items()))


@functools.lru_cache(maxsize=1)
def demo_heritage_sites() -> list[dict[str, str]]:
    """Real ranked heritage sites of the province (approximate coordinates), for demo data."""
    return _read_csv("heritage-sites-demo.csv")


@functools.cache
def demo_records(record_type: str) -> list[dict[str, str]]:
    """Real places and events of the province for the demo of the record types of
    issue 17 (``vocabularies/<type>s-demo.csv``; approximate coordinates, sources given).

    Columns are the schema's field names, plus ``approx_lat``/``approx_lon`` (the point),
    ``approx_boundary`` (a rough GeoJSON outline), ``sources`` (public pages the row was
    checked against); multi-valued fields separate their values with ``;``.
    """
    return _read_csv(DEMO_FILES[record_type])


# the ``demo`` file each record type declares (core/record_types.py)
DEMO_FILES = {rt.name: rt.option("demo") for rt in declarations().values() if rt.option("demo")}


LEVEL_LABELS_EN = {"phường": "ward", "xã": "commune", "đặc khu": "special zone"}


def admin_unit_label(code: str, lang: str = "vi") -> str:
    unit = admin_units().get(code)
    if unit is None:
        return code
    if lang == "en":
        return f"{unit.name} ({LEVEL_LABELS_EN.get(unit.level, unit.level)})"
    return f"{unit.level.capitalize()} {unit.name}"
