"""Synthetic tourism records for the API benchmark, written in bulk.

Creates a few organizations through the action API, then inserts N records
of every declared record type (``bench/record_fields.py``: the types and their
shares come from the schemas' ``khtourism:`` declarations) straight into CKAN's ``package`` and ``package_extra``
tables (published, realistic Vietnamese titles, points spread over Khánh
Hòa, codes from docs/record-types.md), then rebuilds the search index with
``ckan search-index rebuild`` — the same indexing path every record takes.
Bulk SQL is for benchmark data only: real records go through validation.

    CKAN_INI=var/bench/ckan.ini .venv/bin/python bench/api_generate.py --count 100000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
import uuid
from importlib import resources
from pathlib import Path

import record_fields
from ckanext.khtourism.core import record_types

PREFIXES = {
    "accommodation": [
        "Khách sạn",
        "Khu nghỉ dưỡng",
        "Nhà nghỉ",
        "Homestay",
        "Căn hộ du lịch",
        "Biệt thự",
    ],
    "tour-operator": ["Công ty Lữ hành", "Công ty Du lịch", "Công ty TNHH Dịch vụ Du lịch"],
    "tour-guide": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng"],
    "heritage-site": ["Đình", "Chùa", "Tháp", "Di tích", "Lăng", "Miếu"],
}
NAMES = [
    "Biển Xanh",
    "Hòn Chồng",
    "Ponagar",
    "Vĩnh Hòa",
    "Cam Ranh",
    "Ninh Hòa",
    "Dốc Lết",
    "Vân Phong",
    "Hòn Tằm",
    "Bình Ba",
    "Phước Hải",
    "Xương Huân",
    "Lộc Thọ",
    "Vĩnh Nguyên",
    "Trường Sa",
    "Sơn Thủy",
    "Hải Đăng",
    "Hoa Sứ",
    "Thiên Đường",
    "Ánh Dương",
    "Mặt Trời",
    "Sao Biển",
    "Rạng Đông",
    "Bãi Dài",
]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Quốc Dũng",
    "Thu Hà",
    "Gia Huy",
    "Ngọc Lan",
    "Đức Minh",
]
LANGS = ["vi", "en", "zh", "ru", "ko", "ja", "fr"]


def admin_units() -> list[tuple[str, str]]:
    text = (
        resources.files("ckanext.khtourism.records")
        .joinpath("vocabularies/khanh-hoa-admin-units-2025.csv")
        .read_text("utf-8")
    )
    return [(row["code"], row["former_district_code"]) for row in csv.DictReader(text.splitlines())]


def fields_for(
    dataset_type: str, rng: random.Random, index: int, lon: float, lat: float, now: dt.datetime
) -> tuple[str, dict[str, str]]:
    name = rng.choice(NAMES)
    if dataset_type not in PREFIXES:  # the types declared after the first four
        town = rng.choice(["Nha Trang", "Cam Ranh", "Ninh Hòa", "Vạn Ninh", "Phan Rang"])
        title, title_en, fields = record_fields.new_type_fields(
            dataset_type, rng, name, town, lon, lat, now
        )
        return f"{title} {index}", {**record_fields.as_extras(fields), "title_en": title_en}
    prefix = rng.choice(PREFIXES[dataset_type])
    extras: dict[str, str] = {}
    if dataset_type == "accommodation":
        kind = rng.choice(
            ["khach_san"] * 4
            + ["homestay", "nha_nghi_du_lich", "can_ho_du_lich", "biet_thu_du_lich"]
        )
        stars = (
            rng.choice(["1", "2", "3", "4", "5"])
            if kind in ("khach_san", "can_ho_du_lich", "biet_thu_du_lich")
            else rng.choice(["dat_chuan", "chua_xep_hang"])
        )
        extras.update(
            accommodation_type=kind,
            star_rating=stars,
            rooms=str(rng.randint(3, 400)),
            languages=json.dumps(rng.sample(LANGS, rng.randint(1, 3))),
            enterprise_code=f"42{index:08d}",
        )
        title = f"{prefix} {name} {index}"
    elif dataset_type == "tour-operator":
        extras.update(
            licence_type=rng.choice(
                ["noi_dia", "quoc_te_inbound", "quoc_te_outbound", "quoc_te_both"]
            ),
            licence_number=f"56-{index}/2024/TCDL-GP LHQT",
            enterprise_code=f"43{index:08d}",
            languages=json.dumps(rng.sample(LANGS, rng.randint(1, 3))),
        )
        title = f"{prefix} {name} {index}"
    elif dataset_type == "tour-guide":
        full_name = f"{prefix} {rng.choice(GIVEN)}"
        extras.update(
            full_name=full_name,
            card_number=f"{156000000 + index}",
            card_type=rng.choice(["quoc_te", "noi_dia", "tai_diem"]),
            card_status=rng.choice(["valid"] * 8 + ["expired", "revoked"]),
            card_issue_date="2024-01-01",
            card_expiry_date="2029-01-01",
            issuing_province="56",
            languages=json.dumps(rng.sample(LANGS, rng.randint(1, 3))),
        )
        title = f"{full_name} {index}"
    elif dataset_type == "heritage-site":
        extras.update(
            ranking=rng.choice(["cap_tinh", "quoc_gia", "quoc_gia_dac_biet", "kiem_ke"]),
            heritage_type=rng.choice(["lich_su", "kien_truc_nghe_thuat", "danh_lam_thang_canh"]),
            unesco_status="none",
        )
        title = f"{prefix} {name} {index}"
    else:
        raise SystemExit(f"bench/api_generate.py: no fields for {dataset_type}")
    return title, extras


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()

    from ckan.cli import CKANConfigLoader
    from ckan.config.environment import load_environment

    load_environment(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
    from psycopg2.extras import execute_values

    import ckan.model as model
    from ckan.tests.helpers import call_action

    rng = random.Random(args.seed)
    site_user = call_action("get_site_user", {"ignore_auth": True})["name"]
    orgs = []
    for slug in ["so-vhttdl-khanh-hoa", *(f"doanh-nghiep-{n}" for n in range(10))]:
        existing = model.Group.get(slug)
        orgs.append(
            existing.id
            if existing
            else call_action("organization_create", {"user": site_user}, name=slug, title=slug)[
                "id"
            ]
        )
    units = admin_units()
    now = dt.datetime.utcnow()
    connection = model.Session.connection().connection
    cursor = connection.cursor()
    types = record_fields.types()
    started = time.time()
    for start in range(0, args.count, args.batch):
        packages, extras = [], []
        for index in range(start, min(args.count, start + args.batch)):
            dataset_type = record_fields.pick_type(rng, types)
            lon, lat = rng.uniform(108.75, 109.45), rng.uniform(11.55, 12.85)
            title, fields = fields_for(dataset_type, rng, index, lon, lat, now)
            package_id = str(uuid.uuid4())
            unit, district = rng.choice(units)
            modified = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 365))
            owner = (
                orgs[0]
                if dataset_type == "tour-guide" or record_types.get(dataset_type).curator_only
                else rng.choice(orgs[1:])
            )
            packages.append(
                (
                    package_id,
                    f"bench-{dataset_type}-{index}",
                    title,
                    dataset_type,
                    owner,
                    f"Mô tả {title}: dữ liệu tổng hợp cho đo hiệu năng.",
                    "cc-by-4.0",
                    modified,
                    modified,
                )
            )
            fields.update(
                admin_unit=unit,
                former_district=district,
                operating_status=rng.choice(["operating"] * 9 + ["suspended"]),
                spatial=json.dumps(
                    {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
                ),
                workflow_state="published",
                workflow_reason="",
            )
            extras.extend(
                (str(uuid.uuid4()), package_id, key, value, "active")
                for key, value in fields.items()
            )
        execute_values(
            cursor,
            (
                "INSERT INTO package (id, name, title, type, owner_org, notes, license_id, metadata_created, "
                "metadata_modified, private, state) VALUES %s"
            ),
            packages,
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, false, 'active')",
        )
        execute_values(
            cursor,
            "INSERT INTO package_extra (id, package_id, key, value, state) VALUES %s",
            extras,
        )
        connection.commit()
        print(
            f"inserted {start + len(packages)} records ({time.time() - started:.0f} s)", flush=True
        )
    # One rebuild of the whole (fresh) index, never one call per record: a single
    # `ckan search-index rebuild` is the path the engine's batched indexing serves.
    ckan = str(Path(sys.executable).with_name("ckan"))
    started = time.time()
    subprocess.run([ckan, "-c", os.environ["CKAN_INI"], "search-index", "rebuild"], check=True)
    seconds = time.time() - started
    print(f"indexed {args.count} in {seconds:.0f} s ({args.count / seconds:.0f}/s)", flush=True)


if __name__ == "__main__":
    main()
