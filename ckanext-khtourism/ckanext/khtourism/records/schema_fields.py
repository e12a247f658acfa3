"""Field lists of the record types, read from their scheming schemas.

The schemas are the one place where a record type's fields are listed.
Code outside the forms that needs "the fields of an accommodation" (the
tourism API's items and CSV columns, the harvesters' mappable fields) derives
them here, so that a field added to a schema reaches every consumer at once;
each consumer keeps only its own exclusions (e.g. the API leaves out the
tour guides' private fields).
"""

from __future__ import annotations

import functools

from .schema_choices import dataset_fields, record_types

# The shared fields that describe the place itself (address, contact, status,
# licence): attributes of every API item, mappable by every harvester.
PLACE_FIELDS = (
    "admin_unit",
    "admin_unit_method",
    "former_district",
    "street_address",
    "phone",
    "email",
    "website",
    "operating_status",
    "last_verified",
    "license_id",
)
# Geometries are carried as GeoJSON / coordinates, not as attribute fields.
GEOMETRY_FIELDS = frozenset({"spatial", "area"})


@functools.cache
def shared_field_names() -> frozenset[str]:
    """Fields every record type has (title, contact, address, curation, provenance …)."""
    names = [
        {field["field_name"] for field in dataset_fields(record_type)}
        for record_type in record_types()
    ]
    return frozenset.intersection(*map(frozenset, names))


@functools.cache
def type_field_names(dataset_type: str, geometries: bool = False) -> tuple[str, ...]:
    """The fields proper to one record type, in schema order.

    Geometry fields of the type (a heritage site's ``area``) only when asked for.
    """
    shared = shared_field_names()
    return tuple(
        field["field_name"]
        for field in dataset_fields(dataset_type)
        if field["field_name"] not in shared
        and (geometries or field["field_name"] not in GEOMETRY_FIELDS)
    )


# What kind of value a field holds, following its validators (schemas/presets.yaml): the
# one place that says so for DCAT (typed literals), the tourism API (typed JSON values,
# the OpenAPI document) and the harvesters. Anything without one of these is text.
TEXT = "text"
CODE = "code"
INT = "int"
DATE = "date"
DATETIME = "datetime"
TIME = "time"
MULTI = "multi"
GEOJSON = "geojson"
KIND_OF_VALIDATOR = {
    "khtourism_multiple_choice": MULTI,
    "khtourism_choice": CODE,
    "khtourism_province_code": CODE,
    "khtourism_admin_unit": CODE,
    "khtourism_admin_unit_method": CODE,
    "khtourism_former_district": CODE,
    "khtourism_date": DATE,
    "khtourism_datetime": DATETIME,
    "khtourism_record_refs": MULTI,
    "khtourism_int": INT,
    "khtourism_time": TIME,
    "khtourism_area": GEOJSON,
    "khtourism_point": GEOJSON,
}


@functools.cache
def field_kind(dataset_type: str, field_name: str) -> str:
    """The kind of value a field of a record type holds (``TEXT`` when no validator says)."""
    for validator in field_validators(dataset_type, field_name):
        if validator in KIND_OF_VALIDATOR:
            return KIND_OF_VALIDATOR[validator]
    return TEXT


def field_validators(dataset_type: str, field_name: str) -> tuple[str, ...]:
    """The names of the field's validators (arguments dropped), in order."""
    for field in dataset_fields(dataset_type):
        if field["field_name"] == field_name:
            return tuple(v.split("(", 1)[0] for v in str(field.get("validators") or "").split())
    raise KeyError(f"{dataset_type} has no field {field_name!r}")
