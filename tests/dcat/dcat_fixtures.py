"""Sample records, the SHACL shapes location and helpers of the DCAT tests.

(Test helpers live here, not in conftest.py: several test folders have a
conftest module, and ``from conftest import …`` would pick any of them.)
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.records.schema_choices import dataset_fields
from ckanext.khtourism.records.schema_fields import DATETIME, field_kind
from ckanext.khtourism.records.validators import format_datetime, parse_datetime
from tests.record_fixtures import VALID

REPO_ROOT = Path(__file__).resolve().parents[2]
SHACL_ENV = "KHTOURISM_DCAT_SHACL_DIR"
SHAPES_FILE = "dcat-ap-3.0.1_dcat-ap-SHACL.ttl"
RANGES_FILE = "dcat-ap-3.0.1_ranges.ttl"

PRIVATE_GUIDE_VALUES = {
    "date_of_birth": "1988-04-12",
    "id_number": "056088001234",
    "personal_phone": "0905111222",
    "personal_email": "nguyen.van.a.private@example.org",
    "home_address": "12 Hẻm Bí Mật, Phước Hải",
}


def shacl_dir() -> Path:
    configured = os.environ.get(SHACL_ENV)
    candidates = [Path(configured)] if configured else []
    candidates.append(REPO_ROOT.parent / "shared" / "reference" / "dcat-ap-shacl")
    for candidate in candidates:
        if (candidate / SHAPES_FILE).is_file():
            return candidate
    pytest.fail(
        "The official DCAT-AP 3 SHACL shapes were not found: looked for "
        f"{SHAPES_FILE} in "
        + ", ".join(str(c) for c in candidates)
        + f". Put the shapes there or set {SHACL_ENV} to their directory.",
        pytrace=False,
    )


ORGANIZATION = {
    "id": "5c3c2a0e-0000-4000-8000-000000000001",
    "name": "khach-san-bien-xanh",
    "title": "Công ty TNHH Khách sạn Biển Xanh",
    "type": "organization",
    "is_organization": True,
}

_COMMON = {
    "owner_org": ORGANIZATION["id"],
    "organization": ORGANIZATION,
    "private": False,
    "state": "active",
    "metadata_created": "2026-03-01T08:00:00.000000",
    "metadata_modified": "2026-11-20T09:30:00.000000",
    "license_id": "cc-by-4.0",
    "admin_unit": "22333",
    "former_district": "568",
    "operating_status": "operating",
    "last_verified": "2026-10-01",
    "phone": "0258 3822 555",
    "email": "info@example.vn",
    "website": "https://example.vn",
    "workflow_state": "published",
    "tags": [{"name": "biển"}, {"name": "Nha Trang"}],
    "resources": [],
    "extras": [],
}

SAMPLE_RECORDS = {
    "accommodation": {
        "id": "a0000000-0000-4000-8000-000000000001",
        "name": "khach-san-bien-xanh",
        "type": "accommodation",
        "title": "Khách sạn Biển Xanh",
        "title_en": "Blue Sea Hotel",
        "notes": "Khách sạn 4 sao bên bờ biển Trần Phú.",
        "notes_en": "Four-star hotel on Tran Phu beach.",
        "street_address": "96 Trần Phú",
        "spatial": '{"type": "Point", "coordinates": [109.1967, 12.2388]}',
        "accommodation_type": "khach_san",
        "hotel_subtype": "city",
        "star_rating": "4",
        "rating_decision_number": "123/QĐ-CDLQGVN",
        "rating_decision_date": "2024-05-10",
        "rooms": 120,
        "beds": 200,
        "max_guests": 260,
        "price_min_vnd": 900000,
        "price_max_vnd": 4500000,
        "amenities": ["pool", "restaurant", "wifi"],
        "checkin_time": "14:00",
        "checkout_time": "12:00",
        "languages": ["en", "ru", "vi"],
        "enterprise_code": "4201234567",
        "resources": [
            {
                "id": "r0000000-0000-4000-8000-000000000001",
                "package_id": "a0000000-0000-4000-8000-000000000001",
                "name": "Ảnh mặt tiền",
                "url": "https://example.vn/photo.jpg",
                "format": "JPEG",
            }
        ],
    },
    "tour-operator": {
        "id": "a0000000-0000-4000-8000-000000000002",
        "name": "lu-hanh-nha-trang",
        "type": "tour-operator",
        "title": "Công ty Lữ hành Nha Trang",
        "title_en": "Nha Trang Travel Company",
        "notes": "Tour biển đảo và văn hóa Chăm.",
        "street_address": "10 Lê Thánh Tôn",
        "office_address": "10 Lê Thánh Tôn, Nha Trang",
        "spatial": '{"type": "Point", "coordinates": [109.19, 12.245]}',
        "licence_number": "56-173/2022/CDLQGVN-GP LHQT",
        "licence_type": "quoc_te_inbound",
        "licence_issue_date": "2022-06-01",
        "licence_issuer": "Cục Du lịch Quốc gia Việt Nam",
        "enterprise_code": "4209876543",
        "services": ["tours", "visa"],
        "languages": ["en", "vi"],
    },
    "tour-guide": {
        "id": "a0000000-0000-4000-8000-000000000003",
        "name": "hdv-101101109",
        "type": "tour-guide",
        "title": "Nguyễn Văn A",
        "full_name": "Nguyễn Văn A",
        "card_number": "101101109",
        "card_type": "quoc_te",
        "card_issue_date": "2023-01-15",
        "card_expiry_date": "2028-01-15",
        "issuing_province": "56",
        "card_status": "valid",
        "languages": ["en", "fr"],
        "experience_years": 7,
        "employer": "lu-hanh-nha-trang",
        "phone": "",
        "email": "",
        "website": "",
        **PRIVATE_GUIDE_VALUES,
    },
    "heritage-site": {
        "id": "a0000000-0000-4000-8000-000000000004",
        "name": "thap-ba-ponagar",
        "type": "heritage-site",
        "title": "Tháp Bà Ponagar",
        "title_en": "Po Nagar Cham Towers",
        "notes": "",
        "street_address": "61 Hai Tháng Tư",
        "spatial": '{"type": "Point", "coordinates": [109.1953, 12.2653]}',
        "area": (
            '{"type": "Polygon", "coordinates": [[[109.1945, 12.2645], [109.1962, 12.2645],'
            " [109.1962, 12.2661], [109.1945, 12.2661], [109.1945, 12.2645]]]}"
        ),
        "ranking": "quoc_gia_dac_biet",
        "heritage_type": "kien_truc_nghe_thuat",
        "ranking_decision_number": "152/QĐ-TTg",
        "ranking_decision_date": "2025-01-17",
        "unesco_status": "none",
        "period": "Thế kỷ VIII–XIII",
        "managing_body": "Trung tâm Bảo tồn Di tích Khánh Hòa",
        "opening_hours": "06:00-17:30",
        "ticket_price_vnd": 30000,
    },
}


def sample_record(record_type: str) -> dict:
    """The record above, or for a type without one the type's valid example
    (``tests/record_fixtures.VALID``) as a stored record."""
    record = copy.deepcopy(_COMMON)
    if record_type in SAMPLE_RECORDS:
        record.update(copy.deepcopy(SAMPLE_RECORDS[record_type]))
        return record
    number = RECORD_TYPES.index(record_type) + 1
    record.update(
        id=f"a0000000-0000-4000-8000-{number:012d}",
        name=f"sample-{record_type}",
        type=record_type,
        **copy.deepcopy(VALID[record_type]),
    )
    # as stored: date-times are kept in full, with their offset (records/validators.py)
    for field in dataset_fields(record_type):
        name = field["field_name"]
        if record.get(name) and field_kind(record_type, name) == DATETIME:
            moment = parse_datetime(record[name], str(field.get("date_only_time") or "00:00"))
            record[name] = format_datetime(moment)
    return record


def publish(records_world, role: str, record_type: str, owner: str, **overrides) -> dict:
    """Create a record as ``role``, submit it and have the curator approve it."""
    record = records_world.create(role, record_type, owner=owner, **overrides)
    records_world.call(role, "khtourism_record_submit", id=record["id"])
    records_world.call("curator", "khtourism_record_approve", id=record["id"])
    return records_world.call("sysadmin", "package_show", id=record["id"])
