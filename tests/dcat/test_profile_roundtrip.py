"""Graphs built from record dicts parse back to the same public fields."""
from __future__ import annotations

import pytest

from ckanext.dcat.processors import RDFParser, RDFSerializer

from tests.dcat.dcat_compare import public_view
from tests.dcat.dcat_fixtures import PRIVATE_GUIDE_VALUES

RECORD_TYPES = ["accommodation", "tour-operator", "tour-guide", "heritage-site"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_serialized_record_parses_back(record_type, sample_records):
    record = sample_records[record_type]
    turtle = RDFSerializer().serialize_dataset(record, _format="turtle")
    parser = RDFParser()
    parser.parse(turtle, _format="turtle")
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    assert public_view(record_type, parsed[0]) == public_view(record_type, record)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("fmt", ["turtle", "xml", "json-ld"])
def test_private_guide_fields_never_serialized(fmt, sample_records):
    record = sample_records["tour-guide"]
    record["workflow_state"] = "published-secret-marker"
    output = RDFSerializer().serialize_dataset(record, _format=fmt)
    assert record["card_number"] in output  # the public part is there
    for field, value in PRIVATE_GUIDE_VALUES.items():
        assert value not in output, f"{field} leaked into {fmt}"
    assert "published-secret-marker" not in output
