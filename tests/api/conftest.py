"""Fixtures of the tourism API tests: the app with fresh rate-limit counters,
and a small set of records of the four types created through the action API
(once per test process; ``tests/snapshots.py`` puts them back before each test)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import snapshots
from tests.record_fixtures import world  # noqa: F401  (tests/api/test_merged_records.py)

BASE = "/api/tourism/v1"


@pytest.fixture
def api(app):
    """CKAN's test app (its rate-limit counters emptied: ``tests/conftest.py``)."""
    return app


def point(lon: float, lat: float) -> str:
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


def create_record(
    sysadmin: dict[str, Any],
    dataset_type: str,
    org: dict[str, Any],
    *,
    published: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """A record created and (unless ``published=False``) published, through the action API."""
    context = {"user": sysadmin["name"], "ignore_auth": False}
    data = {"type": dataset_type, "owner_org": org["id"], "license_id": "cc-by-4.0", **fields}
    if published:
        data["workflow_state"] = "published"  # a sysadmin is a curator: may publish directly
    return call_action("package_create", context, **data)


class Sample:
    """The records every end-to-end test shares (created by ``sample``)."""

    def __init__(self) -> None:
        self.sysadmin = factories.Sysadmin()
        self.department = factories.Organization(name="so-vhttdl-khanh-hoa", title="Sở VHTTDL")
        self.business_a = factories.Organization(name="bien-xanh", title="Công ty Biển Xanh")
        self.business_b = factories.Organization(name="nui-xanh", title="Công ty Núi Xanh")
        self.curator = factories.User(name="curator")
        self.member_a = factories.User(name="member-a")
        self.member_b = factories.User(name="member-b")
        for user, org in (
            (self.curator, self.department),
            (self.member_a, self.business_a),
            (self.member_b, self.business_b),
        ):
            call_action(
                "organization_member_create",
                {"user": self.sysadmin["name"]},
                id=org["id"],
                username=user["name"],
                role="editor",
            )
        self.tokens = {
            name: factories.APIToken(user=user["name"])["token"]
            for name, user in (
                ("curator", self.curator),
                ("member_a", self.member_a),
                ("member_b", self.member_b),
                ("sysadmin", self.sysadmin),
            )
        }
        s, a, b, d = self.sysadmin, self.business_a, self.business_b, self.department
        self.hotel = create_record(
            s,
            "accommodation",
            a,
            name="khach-san-bien-xanh",
            title="Khách sạn Biển Xanh",
            title_en="Blue Sea Hotel",
            notes="Khách sạn gần biển Nha Trang",
            admin_unit="22333",
            former_district="568",
            spatial=point(109.1953, 12.2654),
            operating_status="operating",
            accommodation_type="khach_san",
            hotel_subtype="city",
            star_rating="4",
            rooms=120,
            languages=["vi", "en"],
            enterprise_code="4201234567",
            street_address="1 Trần Phú",
        )
        self.resort = create_record(
            s,
            "accommodation",
            a,
            name="resort-cam-ranh",
            title="Khu nghỉ dưỡng Cam Ranh",
            title_en="Cam Ranh Resort",
            admin_unit="22366",
            former_district="568",
            spatial=point(109.2200, 11.9900),
            operating_status="operating",
            accommodation_type="khach_san",
            hotel_subtype="resort",
            star_rating="5",
            rooms=300,
            languages=["vi", "ru"],
            enterprise_code="4209876543",
        )
        self.homestay = create_record(
            s,
            "accommodation",
            b,
            name="homestay-doc-let",
            title="Homestay Dốc Lết",
            admin_unit="22390",
            former_district="569",
            spatial=point(109.4000, 12.5000),
            operating_status="suspended",
            accommodation_type="homestay",
            star_rating="chua_xep_hang",
            rooms=5,
            languages=["vi"],
            enterprise_code="4201111111",
        )
        self.draft = create_record(
            s,
            "accommodation",
            a,
            published=False,
            name="khach-san-nhap",
            title="Khách sạn Nháp",
            admin_unit="22333",
            former_district="568",
            spatial=point(109.19, 12.26),
            operating_status="operating",
            accommodation_type="khach_san",
            star_rating="3",
            rooms=30,
            enterprise_code="4202222222",
        )
        self.operator = create_record(
            s,
            "tour-operator",
            a,
            name="lu-hanh-bien-xanh",
            title="Lữ hành Biển Xanh",
            title_en="Blue Sea Travel",
            admin_unit="22333",
            former_district="568",
            spatial=point(109.19, 12.25),
            operating_status="operating",
            licence_number="56-001/2024/TCDL-GP LHQT",
            licence_type="quoc_te_inbound",
            enterprise_code="4201234567",
            languages=["vi", "en"],
        )
        self.guide = create_record(
            s,
            "tour-guide",
            d,
            name="hdv-nguyen-van-a",
            title="Nguyễn Văn A",
            full_name="Nguyễn Văn A",
            admin_unit="22333",
            former_district="568",
            operating_status="operating",
            card_number="156123456",
            card_type="quoc_te",
            card_status="valid",
            card_issue_date="2024-01-01",
            card_expiry_date="2029-01-01",
            issuing_province="56",
            languages=["en", "fr"],
            id_number="079000000001",
            date_of_birth="1990-01-01",
            personal_phone="0900000000",
        )
        self.ponagar = create_record(
            s,
            "heritage-site",
            d,
            name="thap-ba-ponagar",
            title="Tháp Bà Ponagar",
            title_en="Po Nagar Cham Towers",
            admin_unit="22333",
            former_district="568",
            spatial=point(109.1953, 12.2654),
            operating_status="operating",
            ranking="quoc_gia_dac_biet",
            heritage_type="kien_truc_nghe_thuat",
            unesco_status="none",
        )
        self.hon_chong = create_record(
            s,
            "heritage-site",
            d,
            name="hon-chong-hon-do",
            title="Hòn Chồng – Hòn Đỏ",
            admin_unit="22333",
            former_district="568",
            spatial=point(109.2040, 12.2720),
            operating_status="operating",
            ranking="quoc_gia",
            heritage_type="danh_lam_thang_canh",
        )


@pytest.fixture
def sample(clean_db, with_plugins):
    """The shared records: built once per test process, their rows put back before each
    test (``tests/snapshots.py``), so a test may change them."""
    return snapshots.restored("api_sample", Sample)
