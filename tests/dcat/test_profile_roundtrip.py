"""Graphs built from record dicts parse back to the same public fields."""
from __future__ import annotations

import json

import pytest

from ckanext.dcat.processors import RDFParser, RDFSerializer

from ckanext.khtourism.dcat import fields as F
from conftest import PRIVATE_GUIDE_VALUES

RECORD_TYPES = ["accommodation", "tour-operator", "tour-guide", "heritage-site"]


def normalise(record_type: str, record: dict) -> dict:
    """The public fields of a record, in a comparable form."""
    out = {}
    for field, kind in F.public_fields(record_type).items():
        value = record.get(field)
        if F.is_empty(value):
            continue
        if kind == F.MULTI:
            out[field] = sorted(str(v) for v in value)
        elif kind == F.GEOJSON:
            out[field] = json.loads(value) if isinstance(value, str) else value
        else:
            out[field] = str(value)
    for field in ("name", "title", "title_en", "notes", "notes_en", "license_id"):
        if record.get(field):
            out[field] = record[field]
    if record.get("spatial"):
        out["spatial"] = json.loads(record["spatial"])
    out["tags"] = sorted(t["name"] for t in record.get("tags", []))
    out["resources"] = sorted(
        (r.get("name"), r.get("url") or r.get("access_url"), (r.get("format") or "").upper())
        for r in record.get("resources", [])
    )
    out["type"] = record_type
    return out


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_serialized_record_parses_back(record_type, sample_records):
    record = sample_records[record_type]
    turtle = RDFSerializer().serialize_dataset(record, _format="turtle")
    parser = RDFParser()
    parser.parse(turtle, _format="turtle")
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    assert normalise(record_type, parsed[0]) == normalise(record_type, record)


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
