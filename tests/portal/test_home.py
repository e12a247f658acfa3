"""The home page and /about are the Khánh Hòa tourism portal's, not CKAN's placeholders."""

from __future__ import annotations

import re

import pytest

from tests.portal.portal_helpers import publish

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

CKAN_PLACEHOLDERS = (
    "Chào mừng gia nhập CKAN",
    "Welcome to CKAN",
    "420 x 220",
    "E.g. environment",
    "placeholder-420x220",
    "CKAN is the world",
)


def _type_count(body: str, record_type: str) -> int:
    match = re.search(
        rf'data-record-type="{record_type}">\s*<a href="([^"]+)">.*?'
        r'khtourism-type-count">(\d+)<',
        body,
        re.S,
    )
    assert match, record_type
    assert match.group(1).rstrip("/").endswith(f"/{record_type}"), match.group(1)
    return int(match.group(2))


def test_home_page_shows_each_record_type_with_live_counts(app, world):
    publish(world, "accommodation", name="home-hotel-1")
    publish(world, "accommodation", name="home-hotel-2", title="Khách sạn Hai")
    publish(world, "heritage-site", name="home-tower")
    world.create("member_a", "accommodation", name="home-draft")  # a draft is not counted

    body = app.get("/").body
    for text in CKAN_PLACEHOLDERS:
        assert text not in body, text
    assert "Cổng dữ liệu du lịch Khánh Hòa" in body
    for label in ("Cơ sở lưu trú", "Doanh nghiệp lữ hành", "Hướng dẫn viên", "Di tích"):
        assert label in body, label
    assert _type_count(body, "accommodation") == 2
    assert _type_count(body, "heritage-site") == 1
    assert _type_count(body, "tour-guide") == 0
    # a search box, the latest records, open data, API and DCAT catalogue links
    assert 'name="q"' in body and 'role="search"' in body
    assert "/accommodation/home-hotel-2" in body and "Khách sạn Hai" in body
    assert "home-draft" not in body
    for link in ('href="/registry"', 'href="/api/tourism/v1/docs"', 'href="/catalog"'):
        assert link in body, link
    assert world.business_a["name"] not in body  # no organization featured


def test_english_home_page_uses_english_names_and_titles(app, world):
    publish(world, "heritage-site", name="home-tower-en")
    body = app.get("/en/").body
    assert "Khánh Hòa Tourism Data Portal" in body
    for label in ("Accommodation", "Tour operators", "Tour guides", "Heritage sites"):
        assert label in body, label
    assert "Po Nagar Cham Towers" in body  # title_en of the recent record
    for text in CKAN_PLACEHOLDERS:
        assert text not in body, text


def test_portal_title_and_logo_are_settings(app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.khtourism.portal_title", "Cổng Thử Nghiệm")
    monkeypatch.setitem(ckan_config, "ckan.site_logo", "/base/images/ckan-logo.png")
    body = app.get("/").body
    assert "Cổng Thử Nghiệm" in body
    assert 'src="/base/images/ckan-logo.png"' in body


def test_about_describes_the_portal_and_sysadmins_can_replace_it(app, world):
    body = app.get("/about").body
    assert "CKAN is the world" not in body and "data.gov.uk" not in body
    assert "Khánh Hòa" in body and "/api/tourism/v1/docs" in body
    sysadmin = world.people["sysadmin"]
    from ckan.tests import helpers

    helpers.call_action(
        "config_option_update",
        context={"user": sysadmin.name},
        **{"ckan.site_about": "Giới thiệu do quản trị viên viết."},
    )
    assert "Giới thiệu do quản trị viên viết." in app.get("/about").body
