"""Spreadsheet registers of issue 17's record types, harvested with the default mapping:
the Vietnamese column names come from the schemas (``harvest_headers``), choices are given
by their Vietnamese labels, dates as dd/mm/yyyy — through the real harvest stages."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import FIXTURES, Reply, create_source, run_job

# record type -> (source key, {title: {field: expected value}})
REGISTERS = {
    "tourist-area": (
        "title",
        {
            "Khu du lịch Thử Nghiệm Một": {
                "area_level": "khu_du_lich_cap_tinh",
                "recognition_decision_number": "1234/QĐ-UBND",
                "recognition_decision_date": "2024-05-20",
                "opening_hours": "07:00–17:30",
                "ticket_price_vnd": 150000,
                "capacity": 5000,
                "admin_unit": "22366",
            },
            "Điểm du lịch Thử Nghiệm Hai": {"area_level": "diem_du_lich", "capacity": 800},
        },
    ),
    "service-establishment": (
        "enterprise_code",
        {
            "Nhà hàng Thử Nghiệm Một": {
                "service_type": "restaurant",
                "recognition_number": "56/QĐ-SDL",
                "recognition_expiry_date": "2029-03-01",
                "seats": 120,
                "cuisines": ["seafood"],
                "payment_methods": ["cash", "card"],
            },
            "Cửa hàng Thử Nghiệm Hai": {"service_type": "shopping", "payment_methods": ["cash"]},
        },
    ),
    "tourist-transport": (
        "signage_number",
        {
            "Xe 29 chỗ Thử Nghiệm": {
                "operator_name": "Công ty Vận tải Thử Nghiệm",
                "transport_mode": "road",
                "vehicle_category": "o_to_tu_24_cho",
                "seats": 29,
                "registration_plate": "79B-123.45",
                "signage_expiry_date": "2031-01-10",
                "routes": "Nha Trang – Cam Ranh",
            },
            "Tàu du lịch Thử Nghiệm": {
                "transport_mode": "waterway",
                "vehicle_category": "tau_du_lich",
                "seats": 60,
            },
        },
    ),
    "event": (
        "title",
        {
            "Lễ hội Thử Nghiệm Một": {
                "start_datetime": "2027-06-05T19:00:00+07:00",
                "end_datetime": "2027-06-08T23:59:00+07:00",
                "recurrence": "yearly",
                "event_category": "festival",
                "venue_name": "Quảng trường 2 Tháng 4",
                "organizer": "Ủy ban nhân dân tỉnh Khánh Hòa",
                "ticketing": "free_and_paid",
            },
            "Hội chợ Thử Nghiệm Hai": {"event_category": "fair_exhibition", "recurrence": "none"},
        },
    ),
}


def _value(stored, expected):
    """A stored value as the expected one's kind (extras keep numbers and lists as text)."""
    if isinstance(expected, int) and isinstance(stored, str):
        return int(stored)
    if isinstance(expected, list) and isinstance(stored, str):
        return json.loads(stored)
    return stored


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", sorted(REGISTERS))
def test_a_register_of_the_type_lands_with_the_default_mapping(fixture_server, record_type):
    key_field, expected = REGISTERS[record_type]
    org = factories.Organization(name="so-vhttdl-khanh-hoa")  # the Department harvests
    url = fixture_server.file(
        f"/so-du-lich/{record_type}.csv", f"spreadsheets/register-{record_type}.csv"
    )
    source = create_source(
        "khtourism_spreadsheet",
        url,
        {"record_type": record_type, "publish": "direct", "key_field": key_field},
        owner_org=org["id"],
    )
    result = run_job(source)
    assert result.job.status == "Finished", result.gather_errors
    assert set(result.statuses().values()) == {"added"}, result.object_errors()
    records = {
        record["title"]: record
        for record in (
            helpers.call_action("package_show", id=o["package_id"]) for o in result.objects.values()
        )
    }
    assert set(records) == set(expected)
    for title, fields in expected.items():
        record = records[title]
        assert record["type"] == record_type
        assert record["workflow_state"] == "published"
        assert json.loads(record["spatial"])["type"] == "Point"
        for field, value in fields.items():
            assert _value(record[field], value) == value, (title, field, record[field])
    # nothing changed: nothing written
    assert set(run_job(source).statuses().values()) == {"not modified"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_geojson_layer_of_tourist_areas_keeps_their_boundaries(fixture_server):
    """An OGC API – Features layer of polygons: the type declares an ``area_field``, so each
    record keeps its boundary and gets a representative point."""
    org = factories.Organization(name="so-vhttdl-khanh-hoa")
    url = fixture_server.file(
        "/ogc/collections/khu_du_lich/items",
        "ogcapi/tourist-areas.json",
        content_type="application/geo+json",
    )
    source = create_source(
        "khtourism_ogcapi",
        url.rsplit("/items", 1)[0],
        {"record_type": "tourist-area", "publish": "direct"},
        owner_org=org["id"],
    )
    result = run_job(source)
    assert set(result.statuses().values()) == {"added"}, (
        result.gather_errors,
        result.object_errors(),
    )
    levels = {}
    for outcome in result.objects.values():
        record = helpers.call_action("package_show", id=outcome["package_id"])
        assert record["type"] == "tourist-area"
        area = json.loads(record["area"])
        assert area["type"] == "Polygon"
        lon, lat = json.loads(record["spatial"])["coordinates"]
        ring = area["coordinates"][0]
        assert min(p[0] for p in ring) < lon < max(p[0] for p in ring)
        assert min(p[1] for p in ring) < lat < max(p[1] for p in ring)
        levels[record["title"]] = record["area_level"]
    assert levels == {
        "Khu du lịch Thử Nghiệm Một": "khu_du_lich_cap_tinh",
        "Điểm du lịch Thử Nghiệm Hai": "diem_du_lich",
    }


def _layer(record_type: str) -> bytes:
    """The type's register as a GeoJSON layer: one point Feature per row, the other
    columns as its attributes (what a GIS export of the same register looks like)."""
    text = (FIXTURES / "spreadsheets" / f"register-{record_type}.csv").read_text("utf-8")
    features = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=1):
        lon, lat = float(row.pop("Kinh độ")), float(row.pop("Vĩ độ"))
        features.append(
            {
                "type": "Feature",
                "id": f"lop.{number}",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {key: value for key, value in row.items() if value},
            }
        )
    layer = {"type": "FeatureCollection", "features": features, "links": []}
    return json.dumps(layer, ensure_ascii=False).encode("utf-8")


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", sorted(REGISTERS))
def test_a_geojson_layer_of_the_type_lands_with_the_default_mapping(fixture_server, record_type):
    _key, expected = REGISTERS[record_type]
    org = factories.Organization(name="so-vhttdl-khanh-hoa")
    url = fixture_server.handler(
        f"/ogc/collections/{record_type}/items",
        lambda _query: Reply(body=_layer(record_type), content_type="application/geo+json"),
    )
    source = create_source(
        "khtourism_ogcapi",
        url.rsplit("/items", 1)[0],
        {"record_type": record_type, "publish": "direct"},  # the feature id is the key
        owner_org=org["id"],
    )
    result = run_job(source)
    assert set(result.statuses().values()) == {"added"}, (
        result.gather_errors,
        result.object_errors(),
    )
    records = {
        record["title"]: record
        for record in (
            helpers.call_action("package_show", id=o["package_id"]) for o in result.objects.values()
        )
    }
    assert set(records) == set(expected)
    for title, fields in expected.items():
        assert records[title]["type"] == record_type
        for field, value in fields.items():
            stored = records[title][field]
            assert _value(stored, value) == value, (title, field, stored)
