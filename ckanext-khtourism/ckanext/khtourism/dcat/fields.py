"""Which fields of each record type are public, and of what kind.

This is the DCAT side of ``docs/record-types.md``: every field listed here is
published (with the property ``<site>/dcat/terms#<field>``, plus richer
schema.org / DCAT properties where they exist) and
parsed back by the profile. Fields that are not listed are never published:
in particular the tour guides' private personal fields and the curation state.
"""

from __future__ import annotations

from ckanext.khtourism.records.privacy import private_fields
from ckanext.khtourism.records.schema_choices import record_types
from ckanext.khtourism.records.schema_fields import (
    CODE,
    DATE,
    DATETIME,
    GEOJSON,
    INT,
    MULTI,
    TEXT,
    TIME,
    field_kind,
    type_field_names,
)

# The kinds, as the profile and the registry exports name them (F.MULTI, …).
__all__ = ["CODE", "DATE", "DATETIME", "GEOJSON", "INT", "MULTI", "TEXT"]

# Carried by the dcat/terms properties (title, notes, spatial, tags, licence, contact and
# resources have their own DCAT properties and are not repeated here).
COMMON_FIELDS: dict[str, str] = {
    "admin_unit": CODE,
    "admin_unit_method": CODE,
    "former_district": CODE,
    "street_address": TEXT,
    "phone": TEXT,
    "email": TEXT,
    "website": TEXT,
    "operating_status": CODE,
    "last_verified": DATE,
    "source_name": TEXT,
    "source_record_id": TEXT,
    "source_url": TEXT,
    "harvested_at": DATETIME,
}


def _dcat_kind(kind: str) -> str:
    """Times of day are published as plain literals (``HH:MM``)."""
    return TEXT if kind == TIME else kind


# Each type's own fields, from its schema, with their kinds (records/schema_fields.py);
# private ones left out.
TYPE_FIELDS: dict[str, dict[str, str]] = {
    record_type: {
        name: _dcat_kind(field_kind(record_type, name))
        for name in type_field_names(record_type, geometries=True)
        if name not in private_fields(record_type)
    }
    for record_type in record_types()
}


def public_fields(record_type: str) -> dict[str, str]:
    """Field -> kind for every dcat/terms-carried public field of a type."""
    fields = dict(COMMON_FIELDS)
    fields.update(TYPE_FIELDS.get(record_type, {}))
    return fields


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}
