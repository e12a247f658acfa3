"""Record pages show values a person reads, and the English page the English title."""

from __future__ import annotations

import re

import pytest

from tests.portal.portal_helpers import publish

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _cell(body: str, field: str) -> str:
    match = re.search(rf'data-field="{field}">(.*?)</td>', body, re.S)
    assert match, field
    return " ".join(match.group(1).split())


def test_prices_have_thousands_separators_and_the_dong_sign(app, world):
    publish(world, "accommodation", name="price-hotel")
    body = app.get("/accommodation/price-hotel").body
    assert _cell(body, "price_min_vnd") == "500.000 ₫"
    assert _cell(body, "price_max_vnd") == "3.000.000 ₫"
    english = app.get("/en/accommodation/price-hotel").body
    assert _cell(english, "price_max_vnd") == "3,000,000 ₫"


def test_issuing_province_code_is_shown_as_its_name(app, world):
    publish(world, "tour-guide", name="province-guide")
    body = app.get("/tour-guide/province-guide").body
    assert _cell(body, "issuing_province") == "Khánh Hòa (56)"


def test_the_public_does_not_see_the_review_state_row(app, world):
    publish(world, "accommodation", name="state-hotel")
    body = app.get("/accommodation/state-hotel").body
    assert 'data-field="workflow_state"' not in body
    assert "Trạng thái duyệt" not in body
    # whoever may act on the record still sees its state, in the workflow panel
    own = app.get("/accommodation/state-hotel", headers=world.people["member_a"].headers).body
    assert "khtourism-state-published" in own


def test_english_pages_use_title_en_and_notes_en(app, world):
    publish(
        world,
        "accommodation",
        name="bilingual-hotel",
        notes="Khách sạn bên bờ biển.",
        notes_en="A hotel by the sea.",
    )
    english = app.get("/en/accommodation/bilingual-hotel").body
    english_main = english[english.index("</head>") :]
    heading = re.search(r"<h1>(.*?)</h1>", english, re.S).group(1)
    assert "Test Hotel" in heading and "Thử Nghiệm" not in heading
    assert re.search(r"<title>\s*Test Hotel", english)
    assert "A hotel by the sea." in english_main and "Khách sạn bên bờ biển." not in english_main
    vietnamese = app.get("/accommodation/bilingual-hotel").body
    vietnamese = vietnamese[vietnamese.index("</head>") :]
    assert "Khách sạn Thử Nghiệm" in re.search(r"<h1>(.*?)</h1>", vietnamese, re.S).group(1)
    assert "Khách sạn bên bờ biển." in vietnamese and "A hotel by the sea." not in vietnamese
    # search results too
    assert "Test Hotel" in app.get("/en/accommodation/").body
