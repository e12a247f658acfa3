"""Fixtures shared by tests/records and tests/workflow: organizations, people, records.

The five roles of the authorization matrix: anonymous, a member (editor) of
business A, a member of business B, a curator (editor of the curator
organization) and a sysadmin; each signed-in role has an API token.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.khtourism.core.record_types import RECORD_TYPES
from tests import snapshots

CURATOR_ORG = "so-vhttdl-khanh-hoa"

NHA_TRANG = {"type": "Point", "coordinates": [109.1953, 12.2654]}

VALID = {
    "accommodation": {
        "title": "Khách sạn Thử Nghiệm",
        "title_en": "Test Hotel",
        "accommodation_type": "khach_san",
        "hotel_subtype": "city",
        "star_rating": "4",
        "rooms": "120",
        "beds": "200",
        "max_guests": "300",
        "price_min_vnd": "500000",
        "price_max_vnd": "3000000",
        "amenities": ["wifi", "swimming_pool"],
        "checkin_time": "14:00",
        "checkout_time": "12:00",
        "languages": ["vi", "en"],
        "enterprise_code": "4201234567",
        "admin_unit": "22366",
        "former_district": "568",
        "street_address": "1 Trần Phú",
        "spatial": json.dumps(NHA_TRANG),
        "phone": "0258 3800 000",
        "email": "info@example.vn",
        "website": "https://example.vn",
        "last_verified": "2026-01-15",
    },
    "tour-operator": {
        "title": "Công ty Lữ hành Thử Nghiệm",
        "title_en": "Test Travel",
        "licence_number": "56-173/2022/CDLQGVN-GP LHQT",
        "licence_type": "quoc_te_inbound",
        "licence_issue_date": "2022-05-10",
        "licence_issuer": "Cục Du lịch Quốc gia Việt Nam",
        "enterprise_code": "4201234567-001",
        "services": ["inbound_tours"],
        "languages": ["vi", "en"],
        "office_address": "Nha Trang",
        "admin_unit": "22366",
        "spatial": json.dumps(NHA_TRANG),
    },
    "tour-guide": {
        "title": "Nguyễn Văn Thử",
        "full_name": "Nguyễn Văn Thử",
        "card_number": "156100001",
        "card_type": "quoc_te",
        "card_issue_date": "2023-01-01",
        "card_expiry_date": "2028-01-01",
        "issuing_province": "56",
        "languages": ["vi", "en"],
        "experience_years": "5",
        "date_of_birth": "1990-05-05",
        "id_number": "056090012345",
        "personal_phone": "0905 123 456",
        "personal_email": "thu.private@example.vn",
        "home_address": "12 Đường Bí Mật, Nha Trang",
    },
    "heritage-site": {
        "title": "Tháp Bà Ponagar",
        "title_en": "Po Nagar Cham Towers",
        "ranking": "quoc_gia_dac_biet",
        "heritage_type": "kien_truc_nghe_thuat",
        "ranking_decision_number": "152/QĐ-TTg",
        "ranking_decision_date": "2025-01-17",
        "unesco_status": "none",
        "admin_unit": "22333",
        "spatial": json.dumps(NHA_TRANG),
        "area": json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [109.195, 12.265],
                        [109.196, 12.265],
                        [109.196, 12.266],
                        [109.195, 12.266],
                        [109.195, 12.265],
                    ]
                ],
            }
        ),
    },
}

PRIVATE_GUIDE_FIELDS = (
    "date_of_birth",
    "id_number",
    "personal_phone",
    "personal_email",
    "home_address",
)
PRIVATE_VALUES = (
    "056090012345",
    "0905 123 456",
    "thu.private@example.vn",
    "Đường Bí Mật",
    "1990-05-05",
)


# The other declared types (core/record_types.py): their valid example, a data file beside
# the invalid ones (tests/fixtures/record_types/<type>/good.json).
EXAMPLES = Path(__file__).parent / "fixtures" / "record_types"
for _record_type in RECORD_TYPES:
    if _record_type not in VALID:
        _example = json.loads((EXAMPLES / _record_type / "good.json").read_text("utf-8"))
        _example.pop("type", None)
        VALID[_record_type] = _example


def valid(record_type: str, **overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID[record_type])
    data["type"] = record_type
    data.update(overrides)
    return data


# unique record names within a test process (World.create)
_NAMES = itertools.count(1)


@dataclass
class Person:
    name: str
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.token}

    @property
    def context(self) -> dict[str, Any]:
        return {"user": self.name, "ignore_auth": False}


@dataclass
class World:
    curator_org: dict[str, Any]
    business_a: dict[str, Any]
    business_b: dict[str, Any]
    people: dict[str, Person] = field(default_factory=dict)

    def person(self, role: str) -> Person | None:
        return self.people.get(role)

    def context(self, role: str) -> dict[str, Any]:
        person = self.people.get(role)
        return {"user": person.name if person else "", "ignore_auth": False}

    def call(self, role: str, action: str, **data: Any) -> Any:
        return helpers.call_action(action, context=self.context(role), **data)

    def create(
        self, role: str, record_type: str, owner: str = "a", **overrides: Any
    ) -> dict[str, Any]:
        org = {"a": self.business_a, "b": self.business_b, "curator": self.curator_org}[owner]
        data = valid(record_type, owner_org=org["id"], **overrides)
        # a counter, not id(data): a freed dict's address comes back, and with it the name
        data.setdefault("name", f"{record_type}-{owner}-{len(self.people)}-{next(_NAMES)}")
        return self.call(role, "package_create", **data)


def _person(user: dict[str, Any]) -> Person:
    token = factories.APIToken(user=user["name"])["token"]
    return Person(name=user["name"], id=user["id"], token=token)


@pytest.fixture
def world(clean_db, with_plugins) -> World:
    """The organizations and people: built once per test process, their rows put back
    before each test (``tests/snapshots.py``)."""
    return snapshots.restored("world", build_world)


def build_world() -> World:
    sysadmin = factories.Sysadmin()
    curator = factories.User()
    member_a = factories.User()
    member_b = factories.User()
    curator_org = factories.Organization(
        name=CURATOR_ORG, users=[{"name": curator["name"], "capacity": "editor"}]
    )
    business_a = factories.Organization(users=[{"name": member_a["name"], "capacity": "editor"}])
    business_b = factories.Organization(users=[{"name": member_b["name"], "capacity": "editor"}])
    world = World(curator_org=curator_org, business_a=business_a, business_b=business_b)
    world.people = {
        "sysadmin": _person(sysadmin),
        "curator": _person(curator),
        "member_a": _person(member_a),
        "member_b": _person(member_b),
    }
    return world
