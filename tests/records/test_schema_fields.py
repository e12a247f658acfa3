"""Record-type field lists come from the scheming schemas (one place for every consumer)."""

from __future__ import annotations

from ckanext.khtourism.api.collections import BY_DATASET_TYPE
from ckanext.khtourism.harvesters import mapping
from ckanext.khtourism.records.privacy import private_fields
from ckanext.khtourism.records.schema_choices import dataset_fields, record_types
from ckanext.khtourism.records.schema_fields import shared_field_names, type_field_names


def test_shared_fields_are_those_of_every_record_type():
    shared = shared_field_names()
    assert {"title", "title_en", "admin_unit", "operating_status", "source_record_id"} <= shared
    assert "star_rating" not in shared and "languages" not in shared  # not in every type
    for record_type in record_types():
        names = {field["field_name"] for field in dataset_fields(record_type)}
        assert shared <= names


def test_type_fields_follow_the_schema_order_without_shared_fields_or_geometries():
    fields = type_field_names("accommodation")
    assert fields[:3] == ("accommodation_type", "hotel_subtype", "star_rating")
    assert "admin_unit" not in fields and "spatial" not in fields
    assert "area" not in type_field_names("heritage-site")
    assert "ranking" in type_field_names("heritage-site")


def test_the_api_and_the_harvesters_use_the_schema_lists():
    for record_type in record_types():
        schema_fields = type_field_names(record_type)
        # the API never carries private fields; harvesters may fill them from a register
        assert set(BY_DATASET_TYPE[record_type].fields) == set(schema_fields) - set(
            private_fields(record_type)
        )
        # (a heritage site's `area` too: catalogues of this software publish it)
        assert mapping.TYPE_FIELDS[record_type] == set(type_field_names(record_type, True))
    assert set(private_fields("tour-guide")) <= mapping.TYPE_FIELDS["tour-guide"]
    assert not set(private_fields("tour-guide")) & set(BY_DATASET_TYPE["tour-guide"].fields)


def test_dcat_publishes_each_types_fields_with_kinds_from_their_validators():
    from ckanext.khtourism.dcat.fields import TYPE_FIELDS

    accommodation = TYPE_FIELDS["accommodation"]
    assert accommodation["star_rating"] == "code"
    assert accommodation["rooms"] == "int"
    assert accommodation["amenities"] == "multi"
    assert accommodation["rating_decision_date"] == "date"
    assert accommodation["checkin_time"] == "text"
    assert TYPE_FIELDS["heritage-site"]["area"] == "geojson"
    assert TYPE_FIELDS["tour-guide"]["issuing_province"] == "code"
    assert not set(private_fields("tour-guide")) & set(TYPE_FIELDS["tour-guide"])
    for record_type in record_types():
        assert tuple(TYPE_FIELDS[record_type]) == tuple(
            name
            for name in type_field_names(record_type, geometries=True)
            if name not in private_fields(record_type)
        )


def test_the_record_type_list_is_the_schemas_the_api_collections_and_the_harvesters():
    # core/record_types.py is the one list: the change log keeps a row for exactly these
    # types (it asked the API's collections before it left api/), harvest mapping maps them
    from ckanext.khtourism.core.record_types import RECORD_TYPES

    assert set(RECORD_TYPES) == set(record_types()) == set(BY_DATASET_TYPE)
    assert mapping.RECORD_TYPES == RECORD_TYPES
