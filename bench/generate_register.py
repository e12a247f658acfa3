"""Generates an accommodation register like the Department's Excel exports (CSV, UTF-8).

    .venv/bin/python bench/generate_register.py --rows 10000 --out var/bench/register.csv
"""
from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

HEADERS = ["STT", "Tên cơ sở", "Loại hình", "Hạng sao", "Địa chỉ", "Số phòng", "Số giường",
           "Mã số doanh nghiệp", "Điện thoại", "Email", "Kinh độ", "Vĩ độ", "Tình trạng"]
TYPES = [("Khách sạn", ["1 sao", "2 sao", "3 sao", "4 sao", "5 sao", "Chưa xếp hạng"]),
         ("Nhà nghỉ du lịch", ["Đạt chuẩn", "Chưa xếp hạng"]),
         ("Homestay", ["Đạt chuẩn", "Chưa xếp hạng"]),
         ("Căn hộ du lịch", ["3 sao", "4 sao", "Đạt chuẩn"])]
NAMES = ["Biển Xanh", "Hòn Chồng", "Đồi Dừa", "Trầm Hương", "Vịnh Ngọc", "Cam Ranh", "Ninh Chữ",
         "Xóm Bóng", "Tháp Bà", "Hòn Tằm", "Dốc Lết", "Bình Ba", "Phan Rang", "Vân Phong"]
STREETS = ["Trần Phú", "Phạm Văn Đồng", "Nguyễn Thiện Thuật", "Hùng Vương", "Biệt Thự",
           "Lê Thánh Tôn", "Yersin", "Thống Nhất"]
WARDS = ["phường Nha Trang", "phường Bắc Nha Trang", "phường Tây Nha Trang", "phường Cam Ranh",
         "phường Phan Rang", "xã Ninh Hải"]
STATUS = ["Đang hoạt động"] * 9 + ["Tạm ngừng"]


def rows(count: int, seed: int = 56):
    rng = random.Random(seed)
    for number in range(1, count + 1):
        kind, ratings = rng.choice(TYPES)
        rooms = rng.randint(5, 400)
        yield [number, f"{kind} {rng.choice(NAMES)} {number}", kind, rng.choice(ratings),
               f"{rng.randint(1, 300)} {rng.choice(STREETS)}, {rng.choice(WARDS)}", rooms,
               rooms + rng.randint(0, rooms), f"42{number:08d}",
               f"0258 3{rng.randint(100000, 999999)}", f"lienhe{number}@example.vn",
               round(rng.uniform(108.95, 109.25), 6), round(rng.uniform(11.55, 12.6), 6),
               rng.choice(STATUS)]


def write(path: Path, count: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows(count))
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("var/bench/register.csv"))
    arguments = parser.parse_args()
    print(write(arguments.out, arguments.rows))
