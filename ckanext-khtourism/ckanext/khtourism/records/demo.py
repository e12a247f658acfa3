"""``ckan khtourism demo load``: a demo set for trying the portal and its workflow.

Organizations: the Department (the curator organization) and three
businesses. Users: a curator and a business editor with random passwords,
written to a credentials file (mode 600). Records: the real heritage sites of
``vocabularies/heritage-sites-demo.csv`` (approximate coordinates, said so in
their description) and fictional accommodation, tour operators and guides, in
every workflow state, created through the action API exactly as people would:
the business creates and submits, the curator approves or rejects, the
business proposes a change to a published record.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import vocabularies

CURATOR_USER = "curator"
BUSINESS_USER = "business"

BUSINESSES = [
    {
        "name": "cong-ty-du-lich-bien-xanh",
        "title": "Công ty TNHH Du lịch Biển Xanh (demo)",
        "description": "Doanh nghiệp lưu trú và lữ hành (dữ liệu minh họa).",
    },
    {
        "name": "cong-ty-lu-hanh-tram-huong",
        "title": "Công ty Lữ hành Trầm Hương (demo)",
        "description": "Doanh nghiệp lữ hành (dữ liệu minh họa).",
    },
    {
        "name": "hop-tac-xa-homestay-ninh-thuan",
        "title": "HTX Homestay Ninh Thuận (demo)",
        "description": "Hợp tác xã homestay (dữ liệu minh họa).",
    },
]

DEMO_BUSINESS = BUSINESSES[0]["name"]
# the owner of records filed by the Department (its name is a setting, read at load time)
CURATOR_ORGANIZATION = "(curator organization)"

# The workflow state a demo record is brought to (workflow/states.py).
TargetState = Literal["draft", "submitted", "rejected", "published"]

REJECTION_REASON = (
    "Thiếu quyết định công nhận đạt chuẩn / The standard-compliance decision is missing."
)


@dataclass(frozen=True)
class DemoRecord:
    """One demo record and what ``load`` makes of it.

    ``owner``: the demo business (its editor creates and submits the record), another
    business (the site user creates it, the curator submits it), or the curator
    organization (the curator creates and submits it). The curator approves or rejects.
    ``proposed_change`` (a demo business record): once it is published, the business
    proposes this change, which is left waiting for review.
    """

    data: dict[str, Any]
    state: TargetState
    owner: str = DEMO_BUSINESS
    proposed_change: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.data["name"])


HERITAGE_NOTE_VI = (
    "Tọa độ và mã xã là **gần đúng** (sai số khoảng 1–2 km), chỉ dùng cho bản đồ minh họa, "
    "không dùng để công bố chính thức."
)
HERITAGE_NOTE_EN = (
    "Coordinates and commune code are **approximate** (within about 1–2 km): good enough "
    "for a demo map, not for publication."
)


def _point(lon: float, lat: float) -> str:
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


def _slug(text: str) -> str:
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:90]


def heritage_records() -> list[DemoRecord]:
    """The heritage sites, published by the curator organization."""
    records: list[DemoRecord] = []
    for row in vocabularies.demo_heritage_sites():
        decision = row["decision"].strip()
        number, date = decision, ""
        match = re.match(r"^(.*?)\s*\((\d{2})/(\d{2})/(\d{4})\)$", decision)
        if match:
            number = match.group(1)
            date = f"{match.group(4)}-{match.group(3)}-{match.group(2)}"
        record = {
            "type": "heritage-site",
            "name": _slug(row["name_en"]),
            "title": row["name_vi"],
            "title_en": row["name_en"],
            "notes": f"{row['name_vi']} — di tích xếp hạng ({decision or 'chưa rõ quyết định'}).\n\n"
            f"{HERITAGE_NOTE_VI}",
            "notes_en": f"{row['name_en']} — ranked heritage site.\n\n{HERITAGE_NOTE_EN}",
            "ranking": row["ranking"],
            "heritage_type": row["heritage_type"],
            "ranking_decision_number": number,
            "ranking_decision_date": date,
            "admin_unit": row["commune_code"],
            "spatial": _point(float(row["approx_lon"]), float(row["approx_lat"])),
            "unesco_status": "none",
            "managing_body": "Sở Văn hóa, Thể thao và Du lịch tỉnh Khánh Hòa",
            "tag_string": "di tích,heritage",
        }
        records.append(DemoRecord(record, "published", CURATOR_ORGANIZATION))
    return records


# Record types of issue 17: real places and events of the province, read from
# vocabularies/<type>s-demo.csv (approximate coordinates, public sources named in the
# description). The Department files them (curator organization) and publishes them.
DEMO_NOTE_VI = (
    "Dữ liệu minh họa từ thông tin công khai: tọa độ (và ranh giới, nếu có) là **gần đúng**; "
    "chưa đối chiếu quyết định công nhận, giấy phép hay mã số doanh nghiệp — không dùng để "
    "công bố chính thức. Nguồn: {sources}"
)
DEMO_NOTE_EN = (
    "Demo data from public information: coordinates (and any boundary) are **approximate**; "
    "no recognition decision, licence or enterprise code was checked — not for publication. "
    "Sources: {sources}"
)
# columns of the demo files that are not fields of the record
_DEMO_COLUMNS = {"approx_lat", "approx_lon", "approx_boundary", "sources", "notes", "notes_en"}


def _demo_list_fields(record_type: str) -> set[str]:
    """The record type's fields that hold a list (multiple choices, record links)."""
    from .schema_choices import dataset_fields

    return {
        str(f["field_name"])
        for f in dataset_fields(record_type)
        if "scheming_multiple_choice_output" in str(f.get("output_validators", ""))
    }


def new_type_records(record_type: str) -> list[DemoRecord]:
    """The demo records of one of the record types of issue 17 (``tourist-area``,
    ``service-establishment``, ``tourist-transport``, ``event``), published by the
    curator organization."""
    list_fields = _demo_list_fields(record_type)
    records: list[DemoRecord] = []
    for row in vocabularies.demo_records(record_type):
        record: dict[str, Any] = {"type": record_type}
        for column, value in row.items():
            value = (value or "").strip()
            if column in _DEMO_COLUMNS or not value:
                continue
            record[column] = (
                [v.strip() for v in value.split(";") if v.strip()]
                if column in list_fields
                else value
            )
        if row.get("approx_lat") and row.get("approx_lon"):
            record["spatial"] = _point(float(row["approx_lon"]), float(row["approx_lat"]))
        if row.get("approx_boundary"):
            record["area"] = row["approx_boundary"]
        sources = row.get("sources", "").strip()
        record["notes"] = f"{row.get('notes', '')}\n\n{DEMO_NOTE_VI.format(sources=sources)}"
        record["notes_en"] = f"{row.get('notes_en', '')}\n\n{DEMO_NOTE_EN.format(sources=sources)}"
        records.append(DemoRecord(record, "published", CURATOR_ORGANIZATION))
    return records


# the types whose declaration names a demo file, in their declared order
NEW_RECORD_TYPES = tuple(vocabularies.DEMO_FILES)


def _accommodation(
    name: str,
    title: str,
    title_en: str,
    kind: str,
    stars: str,
    unit: str,
    lon: float,
    lat: float,
    rooms: int,
    **extra: Any,
) -> dict[str, Any]:
    record = {
        "type": "accommodation",
        "name": name,
        "title": title,
        "title_en": title_en,
        "notes": f"{title} — cơ sở lưu trú minh họa (dữ liệu demo, không có thật).",
        "notes_en": f"{title_en} — a fictional demo establishment.",
        "accommodation_type": kind,
        "star_rating": stars,
        "admin_unit": unit,
        "spatial": _point(lon, lat),
        "rooms": rooms,
        "beds": rooms * 2,
        "max_guests": rooms * 3,
        "price_min_vnd": 400000,
        "price_max_vnd": 4000000,
        "amenities": ["wifi", "air_conditioning"],
        "checkin_time": "14:00",
        "checkout_time": "12:00",
        "languages": ["vi", "en"],
        "phone": "0258 3800 000",
        "email": f"{name}@example.vn",
        "street_address": "Đường Trần Phú (demo)",
        "operating_status": "operating",
        "last_verified": "2026-10-01",
        "tag_string": "lưu trú,accommodation",
    }
    record.update(extra)
    return record


ACCOMMODATIONS: list[DemoRecord] = [
    DemoRecord(
        _accommodation(
            "demo-khach-san-bien-xanh",
            "Khách sạn Biển Xanh",
            "Blue Sea Hotel",
            "khach_san",
            "4",
            "22366",
            109.1960,
            12.2420,
            180,
            hotel_subtype="city",
            amenities=["wifi", "swimming_pool", "restaurant"],
            enterprise_code="4201234567",  # one company runs two hotels…
        ),
        "published",
        proposed_change={"rooms": "200", "price_max_vnd": "5000000", "phone": "0258 3811 111"},
    ),
    DemoRecord(
        _accommodation(
            "demo-resort-bai-dai",
            "Khu nghỉ dưỡng Bãi Dài",
            "Bai Dai Resort",
            "khach_san",
            "5",
            "22480",
            109.2000,
            12.0300,
            250,
            hotel_subtype="resort",
            amenities=["wifi", "beach_access", "spa", "swimming_pool"],
            enterprise_code="4201234567",  # …this is its second one
        ),
        "published",
    ),
    DemoRecord(
        _accommodation(
            "demo-can-ho-tran-phu",
            "Căn hộ du lịch Trần Phú",
            "Tran Phu Serviced Apartments",
            "can_ho_du_lich",
            "3",
            "22366",
            109.1950,
            12.2380,
            60,
            enterprise_code="4201234890",
        ),
        "published",
    ),
    DemoRecord(
        _accommodation(
            "demo-biet-thu-cam-ranh",
            "Biệt thự du lịch Cam Ranh",
            "Cam Ranh Villas",
            "biet_thu_du_lich",
            "4",
            "22420",
            109.1700,
            11.9900,
            24,
            enterprise_code="4201235012",
        ),
        "submitted",
    ),
    DemoRecord(
        _accommodation(
            "demo-homestay-vinh-hy",
            "Homestay Vĩnh Hy",
            "Vinh Hy Homestay",
            "homestay",
            "dat_chuan",
            "22846",
            109.1950,
            11.7250,
            6,
            beds=10,
            max_guests=12,
            household_business_number="58A8001234",  # a household business: no enterprise code
        ),
        "rejected",
    ),
    DemoRecord(
        _accommodation(
            "demo-nha-nghi-ninh-hoa",
            "Nhà nghỉ du lịch Ninh Hòa",
            "Ninh Hoa Guest House",
            "nha_nghi_du_lich",
            "chua_xep_hang",
            "22528",
            109.1300,
            12.4900,
            15,
            enterprise_code="4201236677",
        ),
        "draft",
    ),
    DemoRecord(
        _accommodation(
            "demo-cam-trai-doc-let",
            "Bãi cắm trại Dốc Lết",
            "Doc Let Campsite",
            "bai_cam_trai",
            "chua_xep_hang",
            "22561",
            109.2300,
            12.5300,
            1,
            beds=40,
            max_guests=80,
            enterprise_code="4201237788",
        ),
        "published",
        BUSINESSES[1]["name"],
    ),
    DemoRecord(
        _accommodation(
            "demo-khach-san-phan-rang",
            "Khách sạn Phan Rang",
            "Phan Rang Hotel",
            "khach_san",
            "3",
            "22759",
            108.9900,
            11.5650,
            90,
            hotel_subtype="city",
            enterprise_code="4500123456",
            register_number="LT-0412",
        ),
        "published",
        BUSINESSES[1]["name"],
    ),
    DemoRecord(
        _accommodation(
            "demo-homestay-tay-ninh-hoa",
            "Homestay Tây Ninh Hòa",
            "Tay Ninh Hoa Homestay",
            "homestay",
            "dat_chuan",
            "22552",
            109.0500,
            12.5200,
            5,
            beds=8,
            max_guests=10,
        ),
        "published",
        BUSINESSES[2]["name"],
    ),
    DemoRecord(
        _accommodation(
            "demo-khach-san-dai-lanh",
            "Khách sạn Đại Lãnh",
            "Dai Lanh Hotel",
            "khach_san",
            "2",
            "22504",
            109.3700,
            12.8200,
            40,
            hotel_subtype="resort",
            enterprise_code="4201238899",
        ),
        "published",
        BUSINESSES[1]["name"],
    ),
]

TOUR_OPERATORS: list[DemoRecord] = [
    DemoRecord(
        {
            "type": "tour-operator",
            "name": "demo-lu-hanh-tram-huong",
            "title": "Công ty Lữ hành Trầm Hương",
            "title_en": "Tram Huong Travel",
            "licence_number": "56-173/2022/CDLQGVN-GP LHQT",
            "licence_type": "quoc_te_inbound",
            "licence_issue_date": "2022-05-10",
            "licence_issuer": "Cục Du lịch Quốc gia Việt Nam",
            "enterprise_code": "4201112223",
            "services": ["inbound_tours", "island_tours"],
            "languages": ["vi", "en", "ru"],
            "office_address": "Đường Trần Phú, Nha Trang (demo)",
            "admin_unit": "22366",
            "spatial": _point(109.1955, 12.2450),
        },
        "submitted",
    ),
    DemoRecord(
        {
            "type": "tour-operator",
            "name": "demo-lu-hanh-vinh-hy",
            "title": "Công ty Lữ hành Vịnh Vĩnh Hy",
            "title_en": "Vinh Hy Bay Travel",
            "licence_number": "56-266/2023/CDLQGVN-GP LHQT",
            "licence_type": "quoc_te_both",
            "licence_issue_date": "2023-03-02",
            "licence_issuer": "Cục Du lịch Quốc gia Việt Nam",
            "enterprise_code": "4501234567",
            "services": ["domestic_tours", "diving"],
            "languages": ["vi", "en"],
            "admin_unit": "22846",
            "spatial": _point(109.1900, 11.7200),
        },
        "published",
        BUSINESSES[1]["name"],
    ),
    DemoRecord(
        {
            "type": "tour-operator",
            "name": "demo-lu-hanh-cam-ranh",
            "title": "Công ty Lữ hành Cam Ranh",
            "title_en": "Cam Ranh Tours",
            "licence_number": "56-0412/2024/SDL-GP LHNĐ",
            "licence_type": "noi_dia",
            "licence_issue_date": "2024-08-20",
            "licence_issuer": "Sở Du lịch Khánh Hòa",
            "enterprise_code": "4202223334-001",
            "services": ["domestic_tours", "transport"],
            "languages": ["vi"],
            "admin_unit": "22420",
            "spatial": _point(109.1600, 11.9200),
        },
        "published",
        BUSINESSES[1]["name"],
    ),
    DemoRecord(
        {
            "type": "tour-operator",
            "name": "demo-lu-hanh-phan-rang",
            "title": "Công ty Lữ hành Phan Rang",
            "title_en": "Phan Rang Travel",
            "licence_number": "58-031/2021/SDL-GP LHNĐ",
            "licence_type": "noi_dia",
            "licence_issue_date": "2021-06-01",
            "former_district": "582",
            "licence_issuer": "Sở Văn hóa, Thể thao và Du lịch Ninh Thuận",
            "enterprise_code": "4500011122",
            "services": ["domestic_tours"],
            "languages": ["vi", "fr"],
            "admin_unit": "22759",
            "spatial": _point(108.9880, 11.5640),
        },
        "published",
        BUSINESSES[1]["name"],
    ),
]


def _guide(
    name: str,
    full_name: str,
    card: str,
    card_type: str,
    issue: str,
    expiry: str,
    languages: list[str],
    **extra: Any,
) -> dict[str, Any]:
    record = {
        "type": "tour-guide",
        "name": name,
        "title": full_name,
        "full_name": full_name,
        "notes": "Hướng dẫn viên minh họa (dữ liệu demo, không có thật).",
        "card_number": card,
        "card_type": card_type,
        "card_issue_date": issue,
        "card_expiry_date": expiry,
        "issuing_province": "56",
        "languages": languages,
        "experience_years": 5,
        # Personal data: fictional, visible only to curators and the guide's organization.
        "date_of_birth": "1990-01-01",
        "id_number": "056090000000",
        "personal_phone": "0900 000 000",
        "personal_email": f"{name}@example.vn",
        "home_address": "Nha Trang (demo)",
    }
    record.update(extra)
    return record


GUIDES: list[DemoRecord] = [
    DemoRecord(
        _guide(
            "demo-hdv-nguyen-van-an",
            "Nguyễn Văn An",
            "156100001",
            "quoc_te",
            "2022-01-15",
            "2027-01-15",
            ["vi", "en"],
        ),
        "published",
        CURATOR_ORGANIZATION,
    ),
    DemoRecord(
        _guide(
            "demo-hdv-tran-thi-binh",
            "Trần Thị Bình",
            "156100002",
            "quoc_te",
            "2021-07-01",
            "2026-07-01",
            ["vi", "ru"],
        ),
        "published",
        CURATOR_ORGANIZATION,
    ),
    DemoRecord(
        _guide(
            "demo-hdv-le-van-cuong",
            "Lê Văn Cường",
            "256100003",
            "noi_dia",
            "2023-04-10",
            "2028-04-10",
            ["vi"],
        ),
        "published",
        CURATOR_ORGANIZATION,
    ),
    DemoRecord(
        _guide(
            "demo-hdv-pham-thi-dung",
            "Phạm Thị Dung",
            "356100004",
            "tai_diem",
            "2024-02-01",
            "2029-02-01",
            ["vi", "en"],
            employer="demo-lu-hanh-tram-huong",
        ),
        "draft",
    ),
    DemoRecord(
        _guide(
            "demo-hdv-hoang-van-em",
            "Hoàng Văn Em",
            "156100005",
            "quoc_te",
            "2019-03-01",
            "2024-03-01",
            ["vi", "zh"],
        ),
        "published",
        CURATOR_ORGANIZATION,
    ),
    DemoRecord(
        _guide(
            "demo-hdv-vo-thi-giang",
            "Võ Thị Giang",
            "156100006",
            "quoc_te",
            "2022-09-09",
            "2027-09-09",
            ["vi", "ko"],
            card_status="revoked",
        ),
        "published",
        CURATOR_ORGANIZATION,
    ),
]


# ---------------------------------------------------------------------------


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _as(user: str) -> dict[str, Any]:
    return {"user": user}


def _ensure_org(name: str, title: str, description: str = "") -> dict[str, Any]:
    try:
        return tk.get_action("organization_show")(_site_context(), {"id": name})
    except tk.ObjectNotFound:
        return tk.get_action("organization_create")(
            _site_context(), {"name": name, "title": title, "description": description}
        )


def _ensure_user(name: str, email: str, fullname: str, passwords: dict[str, str]) -> str:
    password = passwords.get(name) or secrets.token_urlsafe(12)
    user = model.User.get(name)
    if user is None:
        tk.get_action("user_create")(
            _site_context(),
            {"name": name, "email": email, "password": password, "fullname": fullname},
        )
    elif name not in passwords:
        tk.get_action("user_patch")(_site_context(), {"id": user.id, "password": password})
    passwords[name] = password
    return password


def _membership(org: str, user: str, capacity: str) -> None:
    tk.get_action("organization_member_create")(
        _site_context(), {"id": org, "username": user, "role": capacity}
    )


def _create(
    context: dict[str, Any], record: dict[str, Any], owner_org: str, log: Callable[[str], None]
) -> dict[str, Any] | None:
    if model.Package.get(record["name"]) is not None:
        log(f"  = {record['type']} {record['name']} (exists)")
        return None
    created = tk.get_action("package_create")(context, dict(record, owner_org=owner_org))
    log(f"  + {record['type']} {record['name']}")
    return created


# CKAN actions change the context they get: every call gets a fresh one.
def _curator() -> dict[str, Any]:
    return _as(CURATOR_USER)


def _business() -> dict[str, Any]:
    return _as(BUSINESS_USER)


def _bring_to_target(
    record: DemoRecord, curator_org: str, counts: dict[str, int], log: Callable[[str], None]
) -> None:
    """Create ``record`` as its owner would and take it through the workflow to its state
    (a record that exists already is left as it is)."""
    if record.owner == DEMO_BUSINESS:
        creator, submitter, owner = _business, _business, DEMO_BUSINESS
    elif record.owner == CURATOR_ORGANIZATION:
        creator, submitter, owner = _curator, _curator, curator_org
    else:
        creator, submitter, owner = _site_context, _curator, record.owner
    if not _create(creator(), record.data, owner, log):
        return
    if record.state != "draft":
        tk.get_action("khtourism_record_submit")(submitter(), {"id": record.name})
    if record.state == "published":
        tk.get_action("khtourism_record_approve")(_curator(), {"id": record.name})
    elif record.state == "rejected":
        tk.get_action("khtourism_record_reject")(
            _curator(), {"id": record.name, "reason": REJECTION_REASON}
        )
    counts[record.state] = counts.get(record.state, 0) + 1


def _propose_change(record: DemoRecord, counts: dict[str, int], log: Callable[[str], None]) -> None:
    """The owner's proposed change of a published record, waiting for review."""
    pkg = model.Package.get(record.name)
    if pkg is None or _has_pending_revision(_curator(), pkg.id):
        return
    current = tk.get_action("package_show")(_business(), {"id": pkg.id})
    current.update(record.proposed_change)
    tk.get_action("package_update")(_business(), current)
    counts["pending revision"] = counts.get("pending revision", 0) + 1
    log(f"  ~ pending revision of {pkg.name}")


def _read_passwords(path: Path | None) -> dict[str, str]:
    if path is None or not path.exists():
        return {}
    stored = json.loads(path.read_text("utf-8"))
    return {u["username"]: u["password"] for u in stored.get("users", [])}


def _has_pending_revision(context: dict[str, Any], package_id: str) -> bool:
    """Whether the record has a change waiting for review (the workflow's action says)."""
    try:
        tk.get_action("khtourism_revision_show")(dict(context), {"id": package_id})
    except tk.ObjectNotFound:
        return False
    return True


def write_credentials(path: Path, users: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"users": users}, handle, indent=2, ensure_ascii=False)
    os.chmod(path, 0o600)


def load(credentials_file: Path | None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Create the demo set (existing objects are kept); return a summary."""
    curator_org = tk.config.get("ckanext.khtourism.curator_organization")
    passwords = _read_passwords(credentials_file)

    log("Organizations")
    _ensure_org(
        curator_org,
        tk.config.get("ckanext.khtourism.publisher_name"),
        "Cơ quan quản lý nhà nước về du lịch; thẩm định và công bố dữ liệu.",
    )
    for business in BUSINESSES:
        _ensure_org(business["name"], business["title"], business["description"])

    log("Users")
    _ensure_user(CURATOR_USER, "curator@localhost.invalid", "Cán bộ thẩm định (demo)", passwords)
    _ensure_user(
        BUSINESS_USER, "business@localhost.invalid", "Doanh nghiệp Biển Xanh (demo)", passwords
    )
    _membership(curator_org, CURATOR_USER, "editor")
    _membership(DEMO_BUSINESS, BUSINESS_USER, "editor")

    counts: dict[str, int] = {}
    log("Heritage sites (curator organization, published)")
    for record in heritage_records():
        _bring_to_target(record, curator_org, counts, log)
    for record_type in NEW_RECORD_TYPES:  # tourist areas first: events may link to them
        log(f"{record_type} (curator organization, published)")
        for record in new_type_records(record_type):
            _bring_to_target(record, curator_org, counts, log)
    for title, records in (
        ("Accommodation", ACCOMMODATIONS),
        ("Tour operators", TOUR_OPERATORS),
        ("Tour guides", GUIDES),
    ):
        log(title)
        for record in records:
            _bring_to_target(record, curator_org, counts, log)
        for record in records:
            if record.proposed_change:
                _propose_change(record, counts, log)

    users = [
        {
            "username": CURATOR_USER,
            "password": passwords[CURATOR_USER],
            "role": f"curator (editor of {curator_org})",
        },
        {
            "username": BUSINESS_USER,
            "password": passwords[BUSINESS_USER],
            "role": f"business (editor of {DEMO_BUSINESS})",
        },
    ]
    if credentials_file is not None:
        write_credentials(credentials_file, users)
    return {"counts": counts, "users": [u["username"] for u in users]}
