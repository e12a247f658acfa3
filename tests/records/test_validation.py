"""Every validation rule of the four record types, through the real action API.

Each error names the field: in Vietnamese on the default site, in English
on ``/en/…``. Invalid input is rejected whole: nothing is half-saved.
"""

from __future__ import annotations

import json

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from tests.record_fixtures import valid

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _create_errors(world, record_type: str, owner: str = "a", role: str = "member_a", **fields):
    """The errors of an invalid create ({} if it was, wrongly, accepted)."""
    try:
        created = world.create(role, record_type, owner=owner, **fields)
    except tk.ValidationError as error:
        return error.error_dict
    world.call("sysadmin", "dataset_purge", id=created["id"])
    return {}


def _api_errors(app, world, record_type, lang_prefix="", **fields):
    data = valid(record_type, owner_org=world.business_a["id"], name=f"api-{record_type}", **fields)
    response = app.post(
        f"{lang_prefix}/api/3/action/package_create",
        json=data,
        headers=world.people["member_a"].headers,
        status=409,
    )
    return response.json["error"]


BILINGUAL_CASES = [
    (
        "accommodation",
        {"accommodation_type": "homestay", "hotel_subtype": "", "star_rating": "3"},
        "star_rating",
        "Hạng sao",
        "Star rating",
        "không được xếp hạng sao",
        "cannot have a star rating",
    ),
    (
        "tour-guide",
        {"card_issue_date": "2024-06-01", "card_expiry_date": "2024-01-01"},
        "card_expiry_date",
        "Ngày hết hạn thẻ",
        "Card expiry date",
        "phải sau ngày cấp",
        "must be after",
    ),
    (
        "tour-guide",
        {"card_number": "12345"},
        "card_number",
        "Số thẻ hướng dẫn viên",
        "Guide card number",
        "9 chữ số",
        "9 digits",
    ),
    (
        "accommodation",
        {"enterprise_code": "42-ABC"},
        "enterprise_code",
        "Mã số doanh nghiệp",
        "Enterprise code",
        "10 chữ số",
        "10 digits",
    ),
    (
        "accommodation",
        {"admin_unit": "99999"},
        "admin_unit",
        "Đơn vị hành chính cấp xã",
        "Commune-level unit",
        "không phải mã",
        "is not a commune-level",
    ),
    (
        "accommodation",
        {"spatial": json.dumps({"type": "Point", "coordinates": [105.85, 21.03]})},
        "spatial",
        "Vị trí",
        "Location",
        "nằm ngoài phạm vi",
        "outside Khánh Hòa",
    ),
    (
        "accommodation",
        {"rooms": "-3"},
        "rooms",
        "Số phòng",
        "Number of rooms",
        "phải nằm trong khoảng",
        "must be between",
    ),
    (
        "accommodation",
        {"spatial": "{not json"},
        "spatial",
        "Vị trí",
        "Location",
        "GeoJSON không hợp lệ",
        "malformed GeoJSON",
    ),
    # maps: the GeoJSON problems are worded in the user's language too (issue 16)
    (
        "accommodation",
        {"spatial": json.dumps({"type": "Point", "coordinates": [200, 12.25]})},
        "spatial",
        "Vị trí",
        "Location",
        "[200.0, 12.25] không phải kinh độ, vĩ độ WGS84",
        "[200.0, 12.25] is not a WGS84 longitude, latitude",
    ),
    (
        "accommodation",
        {"spatial": json.dumps({"type": "Point", "coordinates": ["109.19", 12.25]})},
        "spatial",
        "Vị trí",
        "Location",
        'tọa độ "109.19" không phải là số',
        'coordinate "109.19" is not a number',
    ),
    (
        "accommodation",
        {"spatial": "{not json"},
        "spatial",
        "Vị trí",
        "Location",
        "không đọc được JSON (dòng 1, cột 2)",
        "not readable as JSON (line 1, column 2)",
    ),
]


def test_each_rule_names_the_field_in_the_users_language(app, world):
    """Vietnamese on the default site, English under /en/ (HTTP action API)."""
    mismatches = []
    for record_type, fields, field, vi_label, en_label, vi_fragment, en_fragment in BILINGUAL_CASES:
        vi = _api_errors(app, world, record_type, **fields)
        if not any(m.startswith(f"{vi_label}:") and vi_fragment in m for m in vi.get(field, [])):
            mismatches.append(("vi", field, vi))
        en = _api_errors(app, world, record_type, lang_prefix="/en", **fields)
        if not any(m.startswith(f"{en_label}:") and en_fragment in m for m in en.get(field, [])):
            mismatches.append(("en", field, en))
    assert not mismatches, mismatches
    assert model.Session.query(model.Package).count() == 0


INVALID_CASES = [
    (
        "accommodation",
        {"accommodation_type": "homestay", "hotel_subtype": "", "star_rating": "5"},
        "star_rating",
    ),
    (
        "accommodation",
        {"accommodation_type": "bai_cam_trai", "hotel_subtype": "", "star_rating": "1"},
        "star_rating",
    ),
    (
        "accommodation",
        {"accommodation_type": "homestay", "hotel_subtype": "resort", "star_rating": ""},
        "hotel_subtype",
    ),
    ("accommodation", {"accommodation_type": "motel"}, "accommodation_type"),
    ("accommodation", {"accommodation_type": ""}, "accommodation_type"),
    ("accommodation", {"title": "  "}, "title"),
    ("accommodation", {"star_rating": "6"}, "star_rating"),
    ("accommodation", {"rooms": "100000"}, "rooms"),
    ("accommodation", {"rooms": "mười"}, "rooms"),
    ("accommodation", {"beds": "0"}, "beds"),
    ("accommodation", {"rooms": "50", "beds": "20"}, "beds"),
    ("accommodation", {"max_guests": "-1"}, "max_guests"),
    ("accommodation", {"price_min_vnd": "900000", "price_max_vnd": "100000"}, "price_max_vnd"),
    ("accommodation", {"price_min_vnd": "-5"}, "price_min_vnd"),
    ("accommodation", {"checkin_time": "25:00"}, "checkin_time"),
    ("accommodation", {"checkout_time": "noon"}, "checkout_time"),
    ("accommodation", {"amenities": ["wifi", "helipad"]}, "amenities"),
    ("accommodation", {"languages": ["vi", "xx"]}, "languages"),
    ("accommodation", {"enterprise_code": "123456789"}, "enterprise_code"),
    ("accommodation", {"enterprise_code": "12345678901234"}, "enterprise_code"),
    ("accommodation", {"former_district": "577"}, "former_district"),
    ("accommodation", {"email": "not-an-email"}, "email"),
    ("accommodation", {"website": "example.vn"}, "website"),
    ("accommodation", {"phone": "call me"}, "phone"),
    ("accommodation", {"last_verified": "2999-01-01"}, "last_verified"),
    ("accommodation", {"last_verified": "31/02/2025"}, "last_verified"),
    ("accommodation", {"operating_status": "open"}, "operating_status"),
    (
        "accommodation",
        {
            "spatial": json.dumps(
                {"type": "LineString", "coordinates": [[109.1, 12.2], [109.2, 12.3]]}
            )
        },
        "spatial",
    ),
    (
        "accommodation",
        {"spatial": json.dumps({"type": "Point", "coordinates": ["109.1", "12.2"]})},
        "spatial",
    ),
    ("accommodation", {"spatial": json.dumps({"type": "Point"})}, "spatial"),
    (
        "accommodation",
        {"spatial": json.dumps({"type": "Point", "coordinates": [12.2654, 109.1953]})},
        "spatial",
    ),
    (
        "accommodation",
        {"spatial": json.dumps({"type": "Point", "coordinates": [106.70, 10.77]})},
        "spatial",
    ),
    ("tour-operator", {"licence_number": "GP-123"}, "licence_number"),
    ("tour-operator", {"licence_type": "quoc_te"}, "licence_type"),
    ("tour-operator", {"services": ["space_tours"]}, "services"),
    ("tour-guide", {"card_number": "1561000011"}, "card_number"),
    ("tour-guide", {"card_number": "15610000A"}, "card_number"),
    ("tour-guide", {"card_type": "vip"}, "card_type"),
    ("tour-guide", {"full_name": ""}, "full_name"),
    ("tour-guide", {"card_expiry_date": "2023-01-01"}, "card_expiry_date"),
    ("tour-guide", {"issuing_province": "7A"}, "issuing_province"),
    ("tour-guide", {"experience_years": "99"}, "experience_years"),
    ("tour-guide", {"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ("tour-guide", {"personal_email": "nope"}, "personal_email"),
    ("tour-guide", {"card_status": "lost"}, "card_status"),
    ("tour-guide", {"employer": "no-such-operator"}, "employer"),
]


def test_invalid_record_is_refused_naming_the_field(world):
    """One case per rule; all cases run, and every mismatch is reported at the end."""
    mismatches = []
    for record_type, fields, field in INVALID_CASES:
        errors = _create_errors(world, record_type, **fields)
        messages = errors.get(field) or []
        if not messages or not all(isinstance(m, str) and ": " in m for m in messages):
            mismatches.append((record_type, fields, field, errors))
    assert not mismatches, mismatches
    assert model.Session.query(model.Package).count() == 0


INVALID_HERITAGE_CASES = [
    ({"ranking": "cap_huyen"}, "ranking"),
    ({"heritage_type": "lich_su_quan_su"}, "heritage_type"),
    ({"unesco_status": "maybe"}, "unesco_status"),
    ({"ticket_price_vnd": "-1"}, "ticket_price_vnd"),
    ({"ranking_decision_date": "17/13/2025"}, "ranking_decision_date"),
    # a self-intersecting "bow tie"
    (
        {
            "area": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [109.19, 12.26],
                            [109.20, 12.27],
                            [109.20, 12.26],
                            [109.19, 12.27],
                            [109.19, 12.26],
                        ]
                    ],
                }
            )
        },
        "area",
    ),
    ({"area": json.dumps({"type": "Point", "coordinates": [109.19, 12.26]})}, "area"),
    (
        {
            "area": json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [[[105.0, 21.0], [105.1, 21.0], [105.1, 21.1], [105.0, 21.0]]],
                }
            )
        },
        "area",
    ),
]


def test_invalid_heritage_site_is_refused(world):
    mismatches = []
    for fields, field in INVALID_HERITAGE_CASES:
        errors = _create_errors(world, "heritage-site", owner="curator", role="curator", **fields)
        if field not in errors:
            mismatches.append((fields, field, errors))
    assert not mismatches, mismatches
    assert model.Session.query(model.Package).count() == 0


def test_several_errors_are_reported_together_and_nothing_is_saved(world):
    errors = _create_errors(
        world,
        "accommodation",
        accommodation_type="homestay",
        hotel_subtype="",
        star_rating="4",
        rooms="-1",
        admin_unit="00000",
        enterprise_code="abc",
    )
    assert {"star_rating", "rooms", "admin_unit", "enterprise_code"} <= set(errors)
    assert model.Session.query(model.Package).count() == 0
    assert model.Session.query(model.PackageExtra).count() == 0


def test_invalid_update_leaves_the_stored_record_unchanged(world):
    record = world.create("member_a", "accommodation", name="unchanged-hotel")
    with pytest.raises(tk.ValidationError) as caught:
        world.call(
            "member_a",
            "package_patch",
            id=record["id"],
            title="Tên mới",
            rooms="-5",
            accommodation_type="homestay",
            hotel_subtype="",
        )
    assert {"rooms", "star_rating"} <= set(caught.value.error_dict)
    model.Session.remove()
    stored = world.call("member_a", "package_show", id=record["id"])
    assert stored["title"] == record["title"]
    assert stored["rooms"] == "120"
    assert stored["accommodation_type"] == "khach_san"


def test_valid_values_are_normalised(world):
    record = world.create(
        "member_a",
        "accommodation",
        name="normalised",
        enterprise_code="4201234567001",
        last_verified="15/01/2026",
        checkin_time="9:30",
        spatial={"type": "Point", "coordinates": [109.1953, 12.2654]},
        amenities="wifi,parking",
    )
    assert record["enterprise_code"] == "4201234567-001"
    assert record["last_verified"] == "2026-01-15"
    assert record["checkin_time"] == "09:30"
    assert json.loads(record["spatial"]) == {"type": "Point", "coordinates": [109.1953, 12.2654]}
    assert record["amenities"] == ["wifi", "parking"]
    assert record["license_id"] == "cc-by-4.0"
    assert record["operating_status"] == "operating"


def test_stars_are_allowed_for_the_four_ratable_types_only(world):
    for kind in ("khach_san", "biet_thu_du_lich", "can_ho_du_lich", "tau_thuy_luu_tru"):
        for stars in ("1", "5", "dat_chuan", "chua_xep_hang"):
            subtype = "city" if kind == "khach_san" else ""
            record = world.create(
                "member_a",
                "accommodation",
                name=f"{kind}-{stars}".replace("_", "-"),
                accommodation_type=kind,
                hotel_subtype=subtype,
                star_rating=stars,
            )
            assert record["star_rating"] == stars
    for kind in ("homestay", "nha_nghi_du_lich", "bai_cam_trai", "khac"):
        for stars in ("dat_chuan", "chua_xep_hang"):
            record = world.create(
                "member_a",
                "accommodation",
                name=f"{kind}-{stars}".replace("_", "-"),
                accommodation_type=kind,
                hotel_subtype="",
                star_rating=stars,
            )
            assert record["star_rating"] == stars
        errors = _create_errors(
            world, "accommodation", accommodation_type=kind, hotel_subtype="", star_rating="2"
        )
        assert list(errors) == ["star_rating"], errors


def test_point_on_truong_sa_islands_is_inside_the_province(world):
    record = world.create(
        "member_a",
        "tour-operator",
        spatial=json.dumps({"type": "Point", "coordinates": [111.92, 8.64]}),
        admin_unit="22736",
    )
    assert json.loads(record["spatial"])["coordinates"] == [111.92, 8.64]


def test_real_licence_numbers_are_accepted(world):
    numbers = [
        "56-173/2022/CDLQGVN-GP LHQT",
        "79-0486/2025/SDL-GP LHNĐ",
        "01-053/2022/TCDL-GP LHQT",
        "56 - 266 / 2023 / CDLQGVN - GP LHQT",
    ]
    for index, number in enumerate(numbers):
        record = world.create(
            "member_a", "tour-operator", name=f"operator-{index}", licence_number=number
        )
        assert record["licence_number"].replace(" ", "") == number.replace(" ", "")


def test_card_status_is_derived_from_the_expiry_date(world):
    expired = world.create(
        "member_a",
        "tour-guide",
        name="expired-guide",
        card_issue_date="2018-01-01",
        card_expiry_date="2023-01-01",
    )
    assert expired["card_status"] == "expired"
    valid_card = world.create("member_a", "tour-guide", name="valid-guide", card_status="expired")
    assert valid_card["card_status"] == "valid"
    revoked = world.create("member_a", "tour-guide", name="revoked-guide", card_status="revoked")
    assert revoked["card_status"] == "revoked"


def test_admin_unit_vocabulary_has_the_65_units():
    from ckanext.khtourism.records import vocabularies

    units = vocabularies.admin_units()
    assert len(units) == 65
    assert units["22736"].name == "Trường Sa"
    assert set(vocabularies.former_districts()) == {
        "568",
        "569",
        "570",
        "571",
        "572",
        "573",
        "574",
        "575",
        "576",
        "582",
        "584",
        "585",
        "586",
        "587",
        "588",
        "589",
    }


def test_employer_is_an_existing_tour_operator(world):
    operator = world.create("member_a", "tour-operator", name="employer-operator")
    guide = world.create("member_a", "tour-guide", name="employed-guide", employer=operator["id"])
    assert guide["employer"] == "employer-operator"
    hotel = world.create("member_a", "accommodation", name="not-an-operator")
    errors = _create_errors(world, "tour-guide", employer=hotel["name"])
    assert "employer" in errors  # an existing record, but not a tour operator


def test_a_guide_without_title_is_titled_by_full_name(world):
    guide = world.create("member_a", "tour-guide", name="untitled-guide", title="")
    assert guide["title"] == "Nguyễn Văn Thử"
    errors = _create_errors(world, "tour-guide", title="", full_name="")
    assert {"title", "full_name"} <= set(errors)


def test_every_validator_the_schemas_name_is_registered():
    """The scheming YAML names validators by name: each resolves to one of ours, and the
    single-value text validators (one factory, ``text_validator``) are scheming ones."""
    from pathlib import Path

    import yaml

    from ckanext.khtourism.records import validators as record_validators

    named: set[str] = set()
    for path in (Path(__file__).parents[2] / "schemas").glob("*.yaml"):
        schema = yaml.safe_load(path.read_text("utf-8"))
        fields = [*schema.get("dataset_fields", []), *schema.get("resource_fields", [])]
        fields += list(schema.get("presets", []))
        for field in fields:
            values = field.get("values", field)
            for key in ("validators", "output_validators"):
                for word in str(values.get(key) or "").split():
                    if word.startswith("khtourism_"):
                        named.add(word.split("(")[0])
    assert {"khtourism_email", "khtourism_admin_unit", "khtourism_tax_code"} <= named
    for name in named:
        assert tk.get_validator(name) is getattr(record_validators, name), name
    text_names = [
        "khtourism_admin_unit",
        "khtourism_former_district",
        "khtourism_time",
        "khtourism_enterprise_code",
        "khtourism_tax_code",
        "khtourism_card_number",
        "khtourism_licence_number",
        "khtourism_household_business_number",
        "khtourism_register_number",
        "khtourism_province_code",
        "khtourism_email",
        "khtourism_url",
        "khtourism_phone",
    ]
    for name in text_names:
        assert getattr(record_validators, name).is_a_scheming_validator, name
        assert name in record_validators.__all__, name
