"""The schemas of issue 17's record types, validated by ckanext-scheming itself.

``tourist-area``, ``service-establishment``, ``tourist-transport`` and ``event``
(``schemas/*.yaml``): each schema file is loaded with scheming's own loader and preset
expansion, and records are validated by scheming's ``validate`` with CKAN's create
schema — the validation ``package_create`` runs — without writing anything. The
example records are the fixtures in ``tests/fixtures/record_types/<type>/``: ``good.json``
must pass, and each ``bad_*.json`` must fail with an error on the field it names.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pathlib
from typing import Any

import pytest

import ckan.model as model
import ckan.plugins as plugins
from ckan.logic.schema import default_create_package_schema
from ckan.tests import factories, helpers

from ckanext.khtourism.records import geo
from ckanext.khtourism.records import validators as v

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "record_types"
SCHEMA_FILES = {
    "tourist-area": "tourist_area.yaml",
    "service-establishment": "service_establishment.yaml",
    "tourist-transport": "tourist_transport.yaml",
    "event": "event.yaml",
}
BAD_FIXTURES = sorted(FIXTURES.glob("*/bad_*.json"))


def _good(record_type: str) -> dict[str, Any]:
    return json.loads((FIXTURES / record_type / "good.json").read_text("utf-8"))


@pytest.fixture
def scheming(with_plugins, clean_db, monkeypatch):
    """Scheming's dataset plugin, knowing the four schemas (read from their files)."""
    from ckanext.scheming.plugins import _expand_schemas, _load_schemas

    plugin = plugins.get_plugin("scheming_datasets")
    loaded = _load_schemas(
        [f"ckanext.khtourism.schemas:{name}" for name in SCHEMA_FILES.values()], "dataset_type"
    )
    assert set(loaded) == set(SCHEMA_FILES)
    expanded = _expand_schemas(loaded)
    for record_type in SCHEMA_FILES:
        monkeypatch.setitem(plugin._schemas, record_type, loaded[record_type])
        monkeypatch.setitem(plugin._expanded_schemas, record_type, expanded[record_type])
    return plugin


@pytest.fixture
def validate(scheming):
    sysadmin = factories.Sysadmin()
    org = factories.Organization()

    def run(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        data = copy.deepcopy(record)
        data.setdefault("name", f"test-{data['type']}")
        data["owner_org"] = org["id"]
        context = {
            "model": model,
            "session": model.Session,
            "user": sysadmin["name"],
            "ignore_auth": True,
        }
        return scheming.validate(context, data, default_create_package_schema(), "package_create")

    return run


@pytest.mark.parametrize("record_type", sorted(SCHEMA_FILES))
def test_the_good_example_passes(validate, record_type):
    data, errors = validate(_good(record_type))
    assert errors == {}
    assert data["type"] == record_type
    assert data["title"] == _good(record_type)["title"]


@pytest.mark.parametrize("path", BAD_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_bad_example_is_refused_on_its_field(validate, path):
    bad = json.loads(path.read_text("utf-8"))
    data, errors = validate(bad["record"])
    field = bad["error_field"]
    assert field in errors, errors
    # only the field that was spoiled: the rest of the record is the good example
    assert set(errors) == {field}, errors
    assert all(isinstance(message, str) and message for message in errors[field])


def test_every_type_has_bad_examples():
    assert {path.parent.name for path in BAD_FIXTURES} == set(SCHEMA_FILES)


def _extras(data: dict[str, Any]) -> dict[str, Any]:
    """Scheming stores a type's own fields as extras."""
    return {extra["key"]: extra["value"] for extra in data.get("extras", [])}


def test_the_stored_values_are_normalised(validate):
    event, errors = validate(_good("event"))
    assert not errors
    fields = _extras(event)
    assert fields["start_datetime"] == "2027-06-05T19:00:00+07:00"
    # a date alone as the end: the end of that day, Khánh Hòa time
    assert fields["end_datetime"] == "2027-06-08T23:59:00+07:00"

    transport, errors = validate(_good("tourist-transport"))
    assert not errors
    fields = _extras(transport)
    assert fields["registration_plate"] == "79B-123.45"
    assert json.loads(fields["service_area"]) == ["22333", "22366"]  # in the list's order

    establishment, errors = validate(_good("service-establishment"))
    assert not errors
    fields = _extras(establishment)
    assert json.loads(fields["payment_methods"]) == ["cash", "card", "qr"]
    assert fields["establishment_id"].startswith("KH-DV-")

    area, errors = validate(_good("tourist-area"))
    assert not errors
    assert _extras(area)["establishment_id"].startswith("KH-KDL-")


def test_an_event_time_with_an_offset_is_converted_to_khanh_hoa_time(validate):
    record = dict(
        _good("event"), start_datetime="2027-06-05T12:00:00Z", end_datetime="2027-06-05T22:00"
    )
    data, errors = validate(record)
    assert not errors
    assert _extras(data)["start_datetime"] == "2027-06-05T19:00:00+07:00"
    assert _extras(data)["end_datetime"] == "2027-06-05T22:00:00+07:00"


def test_an_end_before_the_start_is_named_in_vietnamese(validate):
    record = dict(_good("event"), end_datetime="2027-06-05 18:00")
    _, errors = validate(record)
    assert errors["end_datetime"] == [
        "Kết thúc: thời điểm kết thúc (2027-06-05T18:00:00+07:00) trước thời điểm bắt đầu "
        "(2027-06-05T19:00:00+07:00)"
    ]


def test_links_to_heritage_sites_and_tourist_areas(validate):
    curator_org = factories.Organization()
    sysadmin = factories.Sysadmin()
    site = helpers.call_action(
        "package_create",
        context={"user": sysadmin["name"], "ignore_auth": True},
        type="heritage-site",
        name="thap-ba-ponagar-test",
        title="Tháp Bà Ponagar",
        ranking="quoc_gia_dac_biet",
        heritage_type="kien_truc_nghe_thuat",
        owner_org=curator_org["id"],
    )
    # by name and by id, the same site twice, in a form's text box: stored once, by name
    record = dict(_good("tourist-area"), main_attractions=f"['{site['name']}', '{site['id']}']")
    data, errors = validate(record)
    assert not errors
    assert json.loads(_extras(data)["main_attractions"]) == ["thap-ba-ponagar-test"]

    # an event at the site, without a point of its own
    record = dict(_good("event"), spatial="", venue_record=site["id"])
    data, errors = validate(record)
    assert not errors
    assert _extras(data)["venue_record"] == "thap-ba-ponagar-test"

    # a record of another type is neither a venue nor an attraction
    plain = factories.Dataset(owner_org=curator_org["id"])
    assert plain["type"] != "heritage-site"
    _, errors = validate(dict(_good("event"), venue_record=plain["name"]))
    assert list(errors) == ["venue_record"]
    _, errors = validate(dict(_good("tourist-area"), main_attractions=[site["name"], plain["id"]]))
    assert list(errors) == ["main_attractions"]
    assert plain["id"] in errors["main_attractions"][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("79b 12345", "79B-123.45"),
        ("79B-123.45", "79B-123.45"),
        ("51F12345", "51F-123.45"),
        ("79LD-012.34", "79LD-012.34"),
        ("79A-1234", "79A-1234"),
        ("79B1-123.45", "79B1-123.45"),
        ("ABC-12", None),
        ("7B-12345", None),
        ("79B-123.456", None),
    ],
)
def test_road_plates(text, expected):
    assert v.road_plate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-06-05 19:00", "2027-06-05T19:00:00+07:00"),
        ("2027-06-05T19:00", "2027-06-05T19:00:00+07:00"),
        ("05/06/2027 19h30", "2027-06-05T19:30:00+07:00"),
        ("05/06/2027", "2027-06-05T00:00:00+07:00"),
        ("2027-06-05", "2027-06-05T00:00:00+07:00"),
        ("2027-06-05T12:00:00Z", "2027-06-05T19:00:00+07:00"),
        ("2027-06-05T20:00:00+08:00", "2027-06-05T19:00:00+07:00"),
        ("next Friday", None),
        ("2027-13-05 19:00", None),
    ],
)
def test_date_times_are_read_in_khanh_hoa_time(text, expected):
    parsed = v.parse_datetime(text)
    assert (v.format_datetime(parsed) if parsed else None) == expected


def test_a_date_alone_takes_the_fields_time_of_day():
    parsed = v.parse_datetime("2027-06-08", "23:59")
    assert parsed == dt.datetime(2027, 6, 8, 23, 59, tzinfo=v.local_timezone())


@pytest.mark.parametrize(
    ("ring", "key"),
    [
        ([[109.30, 12.20], [109.33, 12.20], [109.33, 12.22], [109.30, 12.22]], "ring_not_closed"),
        ([[109.30, 12.20], [109.33, 12.20], [109.30, 12.20]], "ring_too_short"),
    ],
)
def test_an_open_or_short_ring_is_refused(ring, key):
    with pytest.raises(geo.GeometryError) as raised:
        geo.normalise_area({"type": "Polygon", "coordinates": [ring]})
    assert raised.value.key == key


@pytest.mark.parametrize(
    "ring",
    [
        # around Hòn Tre, off Nha Trang (coastal islands are inside the province's extent)
        [[109.30, 12.20], [109.33, 12.20], [109.33, 12.22], [109.30, 12.22], [109.30, 12.20]],
        # Trường Sa island, in the Trường Sa special zone far out at sea
        [[111.91, 8.64], [111.93, 8.64], [111.93, 8.65], [111.91, 8.65], [111.91, 8.64]],
    ],
)
def test_a_closed_ring_on_an_island_is_accepted(ring):
    stored = json.loads(geo.normalise_area({"type": "Polygon", "coordinates": [ring]}))
    assert stored["coordinates"] == [ring]


def test_a_ring_partly_outside_the_province_is_refused():
    # from Cam Ranh out to 110.0° E: beyond the islands' tolerance
    ring = [[109.20, 11.90], [110.00, 11.90], [110.00, 12.00], [109.20, 12.00], [109.20, 11.90]]
    with pytest.raises(geo.GeometryError) as raised:
        geo.normalise_area({"type": "Polygon", "coordinates": [ring]})
    assert raised.value.key == "outside_province"
    assert raised.value.values == {"lon": 110.0, "lat": 11.9}


def test_a_festival_held_every_two_years(validate):
    # the Nha Trang Sea Festival is held every two years (docs/record-types.md, event)
    data, errors = validate(dict(_good("event"), recurrence="biennial"))
    assert not errors
    assert _extras(data)["recurrence"] == "biennial"


def test_a_not_recognised_area_may_leave_the_decision_empty(validate):
    record = dict(
        _good("tourist-area"),
        area_level="chua_cong_nhan",
        recognition_decision_number="",
        recognition_decision_date="",
    )
    _, errors = validate(record)
    assert not errors


def test_the_demo_records_of_the_new_types_are_valid(validate):
    """records/demo.py's records of the four types (vocabularies/*-demo.csv): real places
    and events, each valid against its schema, the links to the demo heritage sites
    included."""
    from ckanext.khtourism.records import demo

    sysadmin = factories.Sysadmin()
    curator_org = factories.Organization()
    for heritage in demo.heritage_records():  # what the demo's links point to
        helpers.call_action(
            "package_create",
            context={"user": sysadmin["name"], "ignore_auth": True},
            **dict(heritage.data, owner_org=curator_org["id"]),
        )
    counts = {}
    for record_type in demo.NEW_RECORD_TYPES:
        records = demo.new_type_records(record_type)
        counts[record_type] = len(records)
        for record in records:
            assert record.owner == demo.CURATOR_ORGANIZATION and record.state == "published"
            data, errors = validate(record.data)
            assert errors == {}, (record.name, errors)
            assert "gần đúng" in data["notes"]
    assert counts == {
        "tourist-area": 6,
        "service-establishment": 5,
        "tourist-transport": 2,
        "event": 4,
    }
    ponagar = next(r for r in demo.new_type_records("event") if "ponagar" in r.name)
    data, _ = validate(ponagar.data)
    assert _extras(data)["venue_record"] == "po-nagar-cham-towers"
    assert _extras(data)["start_datetime"] == "2025-04-16T00:00:00+07:00"
    assert _extras(data)["end_datetime"] == "2025-04-20T23:59:00+07:00"


def test_the_kinds_of_the_new_fields_follow_their_validators():
    # what DCAT, the tourism API and the harvesters read (records/schema_fields.py)
    from ckanext.khtourism.records import schema_fields as sf

    assert sf.field_kind("event", "start_datetime") == sf.DATETIME
    assert sf.field_kind("event", "end_datetime") == sf.DATETIME
    assert sf.field_kind("event", "recurrence") == sf.CODE
    assert sf.field_kind("event", "venue_record") == sf.TEXT
    assert sf.field_kind("tourist-area", "main_attractions") == sf.MULTI
    assert sf.field_kind("tourist-area", "area") == sf.GEOJSON
    assert sf.field_kind("tourist-transport", "service_area") == sf.MULTI
    assert sf.field_kind("tourist-transport", "seats") == sf.INT
    assert sf.field_kind("service-establishment", "recognition_expiry_date") == sf.DATE
