"""A search by place finds the records of that commune (names indexed as text)."""

from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.portal.portal_helpers import publish

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _names(q: str, record_type: str = "accommodation") -> set[str]:
    result = helpers.call_action("package_search", q=q, fq=f"+dataset_type:{record_type}", rows=100)
    return {row["name"] for row in result["results"]}


def test_commune_names_with_and_without_diacritics_find_its_accommodation(app, world):
    # Phường Nha Trang (22366); the title names neither the place nor the type
    publish(
        world,
        "accommodation",
        name="place-hotel",
        title="Sunrise",
        title_en="Sunrise",
        street_address="1 Trần Phú",
    )
    # Phường Cam Ranh (former town of Cam Ranh), another hotel
    publish(
        world,
        "accommodation",
        name="other-hotel",
        title="Sunset",
        title_en="Sunset",
        admin_unit="22420",
        former_district="569",
        street_address="Bãi Dài",
    )
    for query in ("khach san nha trang", "khách sạn nha trang", "nha trang", "Phường Nha Trang"):
        assert _names(query) == {"place-hotel"}, query
    # the page a visitor uses finds it too
    body = app.get("/accommodation/", params={"q": "khach san nha trang"}).body
    assert "/accommodation/place-hotel" in body and "/accommodation/other-hotel" not in body


def test_former_district_name_finds_the_records_of_its_communes(world):
    # Phường Ba Ngòi (22423) was part of the former city of Cam Ranh (569)
    publish(
        world,
        "accommodation",
        name="district-hotel",
        title="Biển Xanh",
        title_en="Blue Sea",
        admin_unit="22423",
        former_district="569",
        street_address="",
    )
    assert _names("cam ranh") == {"district-hotel"}
    assert _names("ba ngoi") == {"district-hotel"}
