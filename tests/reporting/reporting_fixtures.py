"""Establishments and report values shared by the reporting tests."""

from __future__ import annotations

from typing import Any

HOTEL = "khach_san"
HOMESTAY = "homestay"
NHA_TRANG = "22366"
BAC_NHA_TRANG = "22333"
REVENUE = 987_654_321  # a value no public output may show


def establishment(world, owner: str = "a", **fields: Any) -> dict[str, Any]:
    role = {"a": "member_a", "b": "member_b"}[owner]
    record = world.create(role, "accommodation", owner=owner, **fields)
    assert record["establishment_id"].startswith("KH-LT-")
    return record


def figures(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "overnight_international": 100,
        "overnight_domestic": 200,
        "sameday_international": 10,
        "sameday_domestic": 20,
        "guest_nights_international": 250,
        "guest_nights_domestic": 400,
        "room_nights_sold": 1000,
        "rooms_available": 50,
        "revenue_international": REVENUE,
        "revenue_domestic": REVENUE + 1,
        "nationalities": {"KR": 60, "CN": 30},
    }
    values.update(overrides)
    return values
