"""Realistic synthetic tourism records for the search benchmark.

``records(n, seed)`` yields package rows of every declared record type
(``bench/record_fields.py``: the types and their shares come from the schemas'
``khtourism:`` declarations; most records are accommodation) shaped like
docs/record-types.md (Vietnamese and English text, tags, resources, a GeoJSON
point spread over Khánh Hòa around its towns, a tenth private drafts);
``load(connection, records, …)`` writes them straight into CKAN's tables
(package, package_extra, tag, package_tag, resource, group) in bulk — the
search index is then built by CKAN's real indexer (``ckan search-index
rebuild``), so the indexed documents are exactly the ones CKAN builds.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import record_fields

HERE = Path(__file__).parent

# (name, lon, lat, spread in degrees, weight)
TOWNS = [
    ("Nha Trang", 109.19, 12.25, 0.05, 40),
    ("Cam Ranh", 109.16, 11.92, 0.06, 15),
    ("Ninh Hòa", 109.13, 12.49, 0.07, 8),
    ("Vạn Ninh", 109.25, 12.70, 0.08, 8),
    ("Diên Khánh", 109.09, 12.26, 0.04, 5),
    ("Phan Rang", 108.99, 11.57, 0.05, 15),
    ("Ninh Hải", 109.08, 11.70, 0.06, 5),
    ("Khánh Vĩnh", 108.90, 12.28, 0.08, 2),
    ("Khánh Sơn", 108.95, 12.00, 0.06, 2),
]
SYLLABLES = [
    "An",
    "Bình",
    "Minh",
    "Hải",
    "Hòa",
    "Phú",
    "Thịnh",
    "Long",
    "Sơn",
    "Thủy",
    "Ngọc",
    "Lan",
    "Mai",
    "Hồng",
    "Xuân",
    "Thu",
    "Đông",
    "Nam",
    "Bắc",
    "Tây",
    "Trung",
    "Đức",
    "Tâm",
    "Phúc",
    "Lộc",
    "Vân",
    "Hương",
    "Sao",
    "Biển",
    "Vàng",
    "Xanh",
    "Đỏ",
    "Hoàng",
    "Gia",
    "Việt",
    "Kim",
    "Ánh",
    "Dương",
    "Nguyệt",
    "Thiên",
    "Đường",
    "Hạnh",
    "Quang",
]
ACCOMMODATION = [
    ("khach_san", "Khách sạn", "Hotel"),
    ("homestay", "Homestay", "Homestay"),
    ("biet_thu_du_lich", "Biệt thự", "Villa"),
    ("can_ho_du_lich", "Căn hộ", "Apartment"),
    ("nha_nghi_du_lich", "Nhà nghỉ", "Guest house"),
    ("bai_cam_trai", "Bãi cắm trại", "Campsite"),
]
HERITAGE = [
    ("Tháp", "Tower"),
    ("Đình", "Communal house"),
    ("Chùa", "Pagoda"),
    ("Di tích", "Relic"),
    ("Thắng cảnh", "Scenic spot"),
    ("Lăng", "Tomb"),
]
TAGS = [
    "biển",
    "lặn biển",
    "đảo",
    "spa",
    "golf",
    "ẩm thực",
    "hải sản",
    "gia đình",
    "resort",
    "beach",
    "diving",
    "island",
    "family",
    "seafood",
    "văn hóa",
    "di sản",
    "lịch sử",
    "chăm",
    "núi",
    "trekking",
    "cắm trại",
    "câu cá",
    "du thuyền",
    "yến sào",
    "tháp chàm",
    "nho",
    "cừu",
    "vịnh",
    "sinh thái",
    "ecotourism",
    "heritage",
    "culture",
    "mountain",
]
AMENITIES = [
    "pool",
    "wifi",
    "spa",
    "gym",
    "restaurant",
    "bar",
    "parking",
    "airport_shuttle",
    "beach_access",
    "kids_club",
]
LANGUAGES = ["vi", "en", "ru", "zh", "ko", "ja", "fr", "de"]
SENTENCES_VI = [
    "Nằm gần bãi biển, thuận tiện tham quan các đảo trong vịnh.",
    "Phục vụ khách du lịch trong nước và quốc tế quanh năm.",
    "Có nhà hàng hải sản và khu vui chơi cho trẻ em.",
    "Cách trung tâm thành phố khoảng mười phút đi xe.",
    "Di tích được xếp hạng với kiến trúc độc đáo của người Chăm.",
    "Hướng dẫn viên có kinh nghiệm dẫn đoàn tham quan di sản văn hóa.",
    "Tổ chức tour lặn biển, câu cá và du thuyền ngắm hoàng hôn.",
]
SENTENCES_EN = [
    "Close to the beach, with easy access to the islands of the bay.",
    "Serving domestic and international visitors all year round.",
    "Seafood restaurant, swimming pool and a kids' club on site.",
    "Guided tours of Cham towers and historical relics.",
    "Diving trips, fishing tours and sunset cruises.",
]


def _admin_units() -> list[str]:
    with open(HERE / "admin_units.csv", encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def _name(rng: random.Random) -> str:
    return " ".join(rng.sample(SYLLABLES, rng.choice((1, 2, 2, 3))))


def _point(rng: random.Random) -> tuple[str, float, float]:
    town = rng.choices(TOWNS, weights=[t[4] for t in TOWNS])[0]
    lon = town[1] + rng.gauss(0, town[3])
    lat = town[2] + rng.gauss(0, town[3])
    return town[0], round(lon, 6), round(lat, 6)


def records(
    n: int, seed: int = 56, organizations: int = 300, now: dt.datetime | None = None
) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    now = now or dt.datetime(2026, 11, 1)
    units = _admin_units()
    orgs = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(organizations)]
    types = record_fields.types()
    for number in range(n):
        kind = record_fields.pick_type(rng, types)
        town, lon, lat = _point(rng)
        name = _name(rng)
        extras: dict[str, Any] = {
            "admin_unit": rng.choice(units),
            "street_address": f"{rng.randint(1, 300)} {_name(rng)}, {town}",
            "spatial": json.dumps({"type": "Point", "coordinates": [lon, lat]}),
            "operating_status": rng.choices(["operating", "suspended", "closed"], [90, 5, 5])[0],
            "last_verified": (now - dt.timedelta(days=rng.randint(0, 900))).date().isoformat(),
            "languages": json.dumps(rng.sample(LANGUAGES, rng.randint(1, 3))),
        }
        if kind == "accommodation":
            code, vi, en = rng.choice(ACCOMMODATION)
            title, title_en = f"{vi} {name} {town}", f"{name} {en} {town}"
            extras.update(
                accommodation_type=code,
                star_rating=rng.choice(["1", "2", "3", "4", "5", "dat_chuan"]),
                rooms=str(rng.randint(3, 600)),
                price_min_vnd=str(rng.randint(3, 60) * 100000),
                amenities=json.dumps(rng.sample(AMENITIES, rng.randint(1, 5))),
            )
        elif kind == "tour-operator":
            title, title_en = f"Công ty Du lịch {name}", f"{name} Travel Company"
            extras.update(
                licence_number=f"56-{rng.randint(1, 999):03d}/{rng.randint(2015, 2026)}/"
                "CDLQGVN-GP LHQT",
                licence_type=rng.choice(["noi_dia", "quoc_te_inbound", "quoc_te_both"]),
                enterprise_code=f"{rng.randint(4200000000, 4299999999)}",
                services=json.dumps(rng.sample(["tour", "ve", "xe", "khach_san"], 2)),
            )
        elif kind == "tour-guide":
            title = f"Hướng dẫn viên {name}"
            title_en = f"Tour guide {name}"
            extras.update(
                full_name=name,
                card_number=f"{rng.randint(100000000, 999999999)}",
                card_type=rng.choice(["quoc_te", "noi_dia", "tai_diem"]),
                card_status=rng.choices(["valid", "expired", "revoked"], [85, 12, 3])[0],
                experience_years=str(rng.randint(0, 30)),
            )
        elif kind == "heritage-site":
            vi, en = rng.choice(HERITAGE)
            title, title_en = f"{vi} {name}", f"{name} {en}"
            extras.update(
                ranking=rng.choice(["cap_tinh", "quoc_gia", "quoc_gia_dac_biet"]),
                heritage_type=rng.choice(
                    ["lich_su", "kien_truc_nghe_thuat", "danh_lam_thang_canh"]
                ),
                unesco_status="none",
                period=rng.choice(["thế kỷ VIII", "thế kỷ XIX"]),
                ticket_price_vnd=str(rng.randint(0, 10) * 10000),
            )
        else:
            title, title_en, fields = record_fields.new_type_fields(
                kind, rng, name, town, lon, lat, now
            )
            extras.update(record_fields.as_extras(fields))
        private = rng.random() < 0.1
        extras["workflow_state"] = "draft" if private else "published"
        extras["title_en"] = title_en
        extras["notes_en"] = " ".join(rng.sample(SENTENCES_EN, 2))
        created = now - dt.timedelta(days=rng.randint(0, 1100), seconds=rng.randint(0, 86400))
        modified = created + dt.timedelta(days=rng.randint(0, 200))
        package_id = str(uuid.UUID(int=rng.getrandbits(128)))
        resources = [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "url": f"https://example.org/{package_id}/{index}.jpg",
                "name": rng.choice(["Ảnh mặt tiền", "Bảng giá", "Giấy phép", "Photo", "Brochure"]),
                "format": rng.choice(["JPEG", "PDF", "CSV"]),
                "position": index,
            }
            for index in range(rng.choice((0, 1, 1, 2)))
        ]
        yield {
            "id": package_id,
            "name": f"{kind}-{number:06d}",
            "title": title,
            "notes": " ".join(rng.sample(SENTENCES_VI, 3)),
            "type": kind,
            "owner_org": rng.choice(orgs),
            "private": private,
            "metadata_created": created,
            "metadata_modified": min(modified, now),
            "license_id": "cc-by-4.0",
            "extras": extras,
            "tags": rng.sample(TAGS, rng.randint(1, 4)),
            "resources": resources,
            "organizations": orgs,
        }


def load(connection: Any, rows: Iterator[dict[str, Any]], batch: int = 2000) -> int:
    """Insert the records into CKAN's tables (psycopg2 connection); returns the count."""
    from psycopg2.extras import execute_values

    cursor = connection.cursor()
    tag_ids: dict[str, str] = {}
    cursor.execute("SELECT name, id FROM tag WHERE vocabulary_id IS NULL")
    tag_ids.update(cursor.fetchall())
    orgs_done = False
    count = 0
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal orgs_done
        if not chunk:
            return
        if not orgs_done:
            execute_values(
                cursor,
                (
                    'INSERT INTO "group" (id, name, title, type, is_organization, state, created,'
                    " approval_status) VALUES %s ON CONFLICT DO NOTHING"
                ),
                [
                    (
                        org,
                        f"business-{i:04d}",
                        f"Doanh nghiệp {i:04d}",
                        "organization",
                        True,
                        "active",
                        dt.datetime(2024, 1, 1),
                        "approved",
                    )
                    for i, org in enumerate(chunk[0]["organizations"])
                ],
            )
            orgs_done = True
        execute_values(
            cursor,
            (
                "INSERT INTO package (id, name, title, notes, type, owner_org, private, state,"
                " metadata_created, metadata_modified, license_id) VALUES %s"
            ),
            [
                (
                    r["id"],
                    r["name"],
                    r["title"],
                    r["notes"],
                    r["type"],
                    r["owner_org"],
                    r["private"],
                    "active",
                    r["metadata_created"],
                    r["metadata_modified"],
                    r["license_id"],
                )
                for r in chunk
            ],
        )
        execute_values(
            cursor,
            ("INSERT INTO package_extra (id, package_id, key, value, state) VALUES %s"),
            [
                (str(uuid.uuid4()), r["id"], key, value, "active")
                for r in chunk
                for key, value in r["extras"].items()
            ],
        )
        new_tags = {t for r in chunk for t in r["tags"]} - set(tag_ids)
        for tag in new_tags:
            tag_ids[tag] = str(uuid.uuid4())
        if new_tags:
            execute_values(
                cursor, "INSERT INTO tag (id, name) VALUES %s", [(tag_ids[t], t) for t in new_tags]
            )
        execute_values(
            cursor,
            ("INSERT INTO package_tag (id, package_id, tag_id, state) VALUES %s"),
            [(str(uuid.uuid4()), r["id"], tag_ids[t], "active") for r in chunk for t in r["tags"]],
        )
        resources = [
            (
                res["id"],
                r["id"],
                res["url"],
                res["format"],
                res["name"],
                res["position"],
                "active",
                r["metadata_created"],
                "{}",
            )
            for r in chunk
            for res in r["resources"]
        ]
        if resources:
            execute_values(
                cursor,
                (
                    "INSERT INTO resource (id, package_id, url, format, name, position, state,"
                    " created, extras) VALUES %s"
                ),
                resources,
            )
        connection.commit()
        chunk.clear()

    for row in rows:
        chunk.append(row)
        count += 1
        if len(chunk) >= batch:
            flush()
    flush()
    return count
