"""The record types the benchmark generators write, derived from their declarations.

Both generators (``bench/generate.py`` for the search benchmark,
``bench/api_generate.py`` for the tourism API benchmark) take their types from
``core.record_types.declarations()`` — every type declared by a schema's
``khtourism:`` block — with the shares of a real provincial register
(``WEIGHTS``: most records are accommodation). The four older types keep their
generators' own fields (the scenario measured before the newer types); the
types added since are written here by ``new_type_fields``, shaped like
``tests/fixtures/record_types/<type>/good.json`` and valid under their schemas
(``tests/bench/test_generated_records.py`` passes one of each through
``package_create``). A type declared without a generator stops the benchmark
with a message naming it, so a new declaration cannot silently be left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import random
from typing import Any

from ckanext.khtourism.core import record_types

# Share of each type in the generated data (per mille). A register of Khánh Hòa holds
# thousands of accommodation establishments, a few hundred guides, operators,
# restaurants and shops meeting the standard, vehicles with tourist signage, a few
# dozen heritage sites and recognised tourist areas, and a yearly calendar of events.
WEIGHTS: dict[str, int] = {
    "accommodation": 450,
    "tour-guide": 180,
    "tour-operator": 110,
    "heritage-site": 60,
    "service-establishment": 120,
    "tourist-transport": 50,
    "event": 20,
    "tourist-area": 10,
}
OLD_TYPES = ("accommodation", "tour-operator", "tour-guide", "heritage-site")


class UndeclaredWeight(SystemExit):
    pass


def types() -> list[tuple[str, int]]:
    """(dataset type, weight) of every declared record type, in declaration order."""
    declared = list(record_types.declarations())
    missing = [name for name in declared if name not in WEIGHTS]
    if missing:
        raise UndeclaredWeight(
            f"bench/record_fields.py: no share and no generator for the declared record "
            f"type(s) {', '.join(missing)}: add them to WEIGHTS and new_type_fields"
        )
    return [(name, WEIGHTS[name]) for name in declared]


def pick_type(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([t for t, _ in weighted], [w for _, w in weighted])[0]


@functools.lru_cache(maxsize=1)
def _vehicle_categories() -> list[dict[str, Any]]:
    """The vehicle categories of the transport schema (their modes and seat bands)."""
    schema = record_types.load_schema(record_types.get("tourist-transport").schema_file)
    field = next(f for f in schema["dataset_fields"] if f.get("field_name") == "vehicle_category")
    return list(field["choices"])


def _choice(rng: random.Random, options: list[tuple[Any, int]]) -> Any:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


AREA_KINDS = [
    ("diem_du_lich", "Điểm du lịch", "Tourist site", 50),
    ("khu_du_lich_cap_tinh", "Khu du lịch", "Tourist area", 25),
    ("khu_du_lich_quoc_gia", "Khu du lịch quốc gia", "National tourist area", 5),
    ("chua_cong_nhan", "Điểm tham quan", "Attraction", 20),
]
SERVICES = [
    ("restaurant", "Nhà hàng", "Restaurant", 55),
    ("shopping", "Cửa hàng", "Shop", 20),
    ("entertainment", "Khu vui chơi", "Entertainment centre", 10),
    ("sport", "Câu lạc bộ thể thao", "Sports club", 5),
    ("wellness_health", "Spa", "Spa", 8),
    ("other", "Cơ sở dịch vụ", "Service", 2),
]
CUISINES = ["vietnamese", "local_specialties", "seafood", "vegetarian", "chinese", "korean"]
CUISINES += ["japanese", "russian", "european", "international", "cafe", "bar"]
GOODS = ["souvenirs", "handicrafts", "bird_nest", "agarwood", "dried_seafood", "local_food"]
GOODS += ["pearls_jewellery", "clothing", "cosmetics"]
PAYMENTS = ["cash", "card", "qr", "e_wallet", "bank_transfer"]
LANGUAGES = ["vi", "en", "ru", "zh", "ko", "ja", "fr"]
# (mode, weight, seats range, Vietnamese and English name)
MODES = [
    ("road", 80, (4, 45), "Xe", "Vehicle"),
    ("waterway", 17, (6, 120), "Tàu", "Boat"),
    ("cable_car", 1, (8, 8), "Cáp treo", "Cable car"),
    ("rail", 1, (40, 64), "Toa tàu", "Rail coach"),
    ("air", 1, (2, 12), "Trực thăng", "Helicopter"),
]
EVENTS = [
    ("festival", "Festival", "Festival", 25),
    ("traditional_festival", "Lễ hội", "Traditional festival", 20),
    ("culture_arts", "Chương trình nghệ thuật", "Arts programme", 15),
    ("music", "Đêm nhạc", "Concert", 15),
    ("sport", "Giải chạy", "Race", 10),
    ("food", "Hội chợ ẩm thực", "Food fair", 10),
    ("fair_exhibition", "Triển lãm", "Exhibition", 3),
    ("conference", "Hội nghị", "Conference", 2),
]


def _ring(rng: random.Random, lon: float, lat: float) -> list[list[float]]:
    """A closed, simple ring (a star-free polygon: angles in order) of 6–10 corners
    around the point, 0.3–2.5 km across."""
    corners = rng.randint(6, 10)
    radius = rng.uniform(0.003, 0.012)
    ring = [
        [
            round(lon + radius * rng.uniform(0.7, 1.0) * math.cos(2 * math.pi * k / corners), 6),
            round(lat + radius * rng.uniform(0.7, 1.0) * math.sin(2 * math.pi * k / corners), 6),
        ]
        for k in range(corners)
    ]
    return [*ring, ring[0]]


def _plate(rng: random.Random) -> str:
    series = rng.choice("ABCDEFGH")
    return f"79{series}-{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d}"


def new_type_fields(
    dataset_type: str,
    rng: random.Random,
    name: str,
    town: str,
    lon: float,
    lat: float,
    now: dt.datetime,
) -> tuple[str, str, dict[str, Any]]:
    """(title, English title, fields) of one record of a type declared after the first
    four; multi-valued fields are lists (the writers store them as JSON, as scheming
    does), the rest strings."""
    if dataset_type == "tourist-area":
        code, vi, en, _ = _choice(rng, [(k, k[3]) for k in AREA_KINDS])
        fields: dict[str, Any] = {
            "area_level": code,
            "managing_body": f"Công ty Cổ phần Du lịch {name}",
            "opening_hours": rng.choice(["07:00–17:30 hằng ngày", "06:00–22:00", "Cả ngày"]),
            "ticket_price_vnd": str(rng.randint(0, 40) * 10000),
            "capacity": str(rng.randint(100, 20000)),
            "area": json.dumps({"type": "Polygon", "coordinates": [_ring(rng, lon, lat)]}),
        }
        if code != "chua_cong_nhan":
            decided = now - dt.timedelta(days=rng.randint(30, 3000))
            fields.update(
                recognition_decision_number=f"{rng.randint(100, 3999)}/QĐ-UBND",
                recognition_decision_date=decided.date().isoformat(),
                recognition_issuer="Ủy ban nhân dân tỉnh Khánh Hòa"
                if code != "khu_du_lich_quoc_gia"
                else "Bộ Văn hóa, Thể thao và Du lịch",
            )
        return f"{vi} {name} {town}", f"{name} {en}, {town}", fields
    if dataset_type == "service-establishment":
        code, vi, en, _ = _choice(rng, [(s, s[3]) for s in SERVICES])
        recognised = now - dt.timedelta(days=rng.randint(0, 1800))
        price_min = rng.randint(2, 50) * 10000
        fields = {
            "service_type": code,
            "recognition_number": f"{rng.randint(1, 999)}/QĐ-SDL",
            "recognition_date": recognised.date().isoformat(),
            "recognition_expiry_date": (recognised + dt.timedelta(days=5 * 365)).date().isoformat(),
            "seats": str(rng.randint(10, 400)),
            "opening_hours": rng.choice(["10:00–22:00", "06:00–21:00", "08:00–23:00"]),
            "price_min_vnd": str(price_min),
            "price_max_vnd": str(price_min * rng.randint(2, 30)),
            "languages": rng.sample(LANGUAGES, rng.randint(1, 3)),
            "payment_methods": rng.sample(PAYMENTS, rng.randint(1, 4)),
            "enterprise_code": f"{rng.randint(4200000000, 4299999999)}",
        }
        if code == "restaurant":
            fields["cuisines"] = rng.sample(CUISINES, rng.randint(1, 3))
        elif code == "shopping":
            fields["goods"] = rng.sample(GOODS, rng.randint(1, 3))
        return f"{vi} {name}", f"{name} {en}", fields
    if dataset_type == "tourist-transport":
        mode, _, (fewest, most), vi, en = _choice(rng, [(m, m[1]) for m in MODES])
        seats = rng.randint(fewest, most)
        fitting = [
            c["value"]
            for c in _vehicle_categories()
            if mode in (c.get("modes") or [mode])
            and (not c.get("seats") or c["seats"][0] <= seats <= c["seats"][1])
            and c["value"] != "khac"
        ]
        issued = now - dt.timedelta(days=rng.randint(0, 2000))
        plate = _plate(rng) if mode == "road" else f"KH-{rng.randint(1000, 9999)}"
        fields = {
            "operator_name": f"Công ty Vận tải Du lịch {name}",
            "enterprise_code": f"{rng.randint(4200000000, 4299999999)}",
            "transport_mode": mode,
            "seats": str(seats),
            "registration_plate": plate,
            "signage_number": f"KH-{rng.randint(1, 9999):04d}",
            "signage_issue_date": issued.date().isoformat(),
            "signage_expiry_date": (issued + dt.timedelta(days=7 * 365)).date().isoformat(),
            "routes": f"{town} – "
            + rng.choice(
                [t for t in ("Cam Ranh", "Nha Trang", "Đà Lạt", "Vân Phong") if t != town]
            ),
            "languages": rng.sample(LANGUAGES, rng.randint(1, 2)),
        }
        banded = [c["value"] for c in _vehicle_categories() if c.get("seats")]
        # a car or coach is filed under its seat band, now and then an electric car
        fitting = [c for c in fitting if c in banded] or fitting
        if mode == "road" and seats <= 23 and rng.random() < 0.1:
            fitting = ["xe_dien"]
        if fitting:
            fields["vehicle_category"] = rng.choice(fitting)
        return (
            f"{vi} {seats} chỗ {plate} — {name}",
            f"{seats}-seat {en.lower()} {plate} — {name}",
            fields,
        )
    if dataset_type == "event":
        code, vi, en, _ = _choice(rng, [(e, e[3]) for e in EVENTS])
        start = (now + dt.timedelta(days=rng.randint(-400, 400))).replace(
            hour=rng.choice([7, 8, 9, 17, 18, 19, 20]), minute=rng.choice([0, 30]), second=0
        )
        end = start + dt.timedelta(hours=rng.choice([2, 3, 4, 8, 24, 72, 96]))
        fields = {
            "start_datetime": start.strftime("%Y-%m-%dT%H:%M:00+07:00"),
            "end_datetime": end.strftime("%Y-%m-%dT%H:%M:00+07:00"),
            "recurrence": rng.choice(["none", "none", "yearly", "yearly", "biennial", "monthly"]),
            "event_category": code,
            "event_status": rng.choices(
                ["scheduled", "postponed", "rescheduled", "cancelled"], [90, 3, 5, 2]
            )[0],
            "venue_name": rng.choice(
                ["Quảng trường 2 Tháng 4", "Công viên bờ biển", "Nhà văn hóa", "Sân vận động"]
            )
            + f" {town}",
            "organizer": rng.choice(
                ["Ủy ban nhân dân tỉnh Khánh Hòa", "Sở Văn hóa, Thể thao và Du lịch"]
                + [f"Công ty Tổ chức Sự kiện {name}"]
            ),
            "ticketing": rng.choice(["free", "paid", "free_and_paid"]),
        }
        if fields["ticketing"] != "free":
            fields["ticket_price_vnd"] = str(rng.randint(5, 100) * 10000)
        return (
            f"{vi} {name} {start.year}",
            f"{name} {en} {start.year}",
            fields,
        )
    raise UndeclaredWeight(
        f"bench/record_fields.py: no generator for the record type {dataset_type}"
    )


def as_extras(fields: dict[str, Any]) -> dict[str, str]:
    """The fields as ``package_extra`` values (lists as JSON, as scheming stores them)."""
    return {
        key: json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
        for key, value in fields.items()
    }
