"""Screenshots of the portal for docs/img/ (home, search with map, record, form, queue,
revision map, developers' "try it").

Not part of the suite (the file name does not start with ``test_``); run it on purpose:

    make test ARGS="tests/browser/screenshots.py -n 0 -p no:randomly"

It uses the browser tests' fixtures (headless Debian Chromium, the portal on
127.0.0.1 with the test configuration: no basemap tiles, so the maps show the
vendored province outline) and a few demo-like records, then writes the PNGs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import watched_page
from tests.browser.test_portal_in_chromium import (
    MAP_READY,
    _log_in,
    _modules_started,
    _no_remote_avatars,
    _person_with_password,
    _published,
)

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"
VIEWPORT = {"width": 1200, "height": 820}

PLACES = {
    "ks-tran-phu": ("Khách sạn Trần Phú", [109.1953, 12.2654]),
    "ks-hon-chong": ("Khách sạn Hòn Chồng", [109.2046, 12.2731]),
    "ks-vinh-nguyen": ("Khách sạn Vĩnh Nguyên", [109.2136, 12.2186]),
    "ks-cam-ranh": ("Khu nghỉ dưỡng Bãi Dài", [109.2109, 11.9735]),
    "ks-ninh-hoa": ("Homestay Dốc Lết", [109.2154, 12.5266]),
    "ks-phan-rang": ("Khách sạn Phan Rang", [108.9886, 11.5643]),
    "ks-vinh-hy": ("Homestay Vĩnh Hy", [109.1931, 11.7236]),
}

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _map_drawn(page) -> None:
    """The map started and drew the province outline (instead of a fixed pause)."""
    page.wait_for_selector(f"{MAP_READY} .leaflet-overlay-pane path", state="attached")
    page.wait_for_load_state("networkidle")


def _shot(page, name: str, full_page: bool = False) -> Path:
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def test_take_screenshots(world, portal, chromium):
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, (title, coordinates) in PLACES.items():
        _published(
            world,
            "accommodation",
            name,
            title=title,
            title_en=None,
            spatial=json.dumps({"type": "Point", "coordinates": coordinates}),
        )
    heritage = _published(world, "heritage-site", "thap-ba-ponagar")
    business = _person_with_password(world, world.business_a)
    curator = _person_with_password(world, world.curator_org)
    _no_remote_avatars()
    written = []

    def context():
        return chromium.new_context(viewport=VIEWPORT, locale="vi-VN")

    public = context()
    page = watched_page(public, _Ignore())
    page.goto(f"{portal}/")
    _map_drawn(page)
    written.append(_shot(page, "home"))
    page.goto(f"{portal}/accommodation/")
    _map_drawn(page)
    written.append(_shot(page, "search-with-map"))
    page.goto(f"{portal}/heritage-site/{heritage['name']}")
    _map_drawn(page)
    page.locator(".khtourism-record-map").scroll_into_view_if_needed()
    written.append(_shot(page, "record"))
    public.close()

    owner = context()
    page = watched_page(owner, _Ignore())
    _log_in(page, portal, business)
    page.goto(f"{portal}/accommodation/new")
    _modules_started(page)
    page.fill("#field-title", "Homestay Biển Xanh")
    _map_drawn(page)
    typed = page.locator("[data-khtourism-picker-input]")
    typed.fill("109.19, 12.25")
    typed.press("Enter")
    # the point is placed: its marker is on the map and the message says how it was read
    page.wait_for_selector(f"{MAP_READY}[data-picked] .leaflet-marker-icon")
    page.wait_for_selector("[data-khtourism-picker-message].text-success")
    page.locator(".khtourism-picker").scroll_into_view_if_needed()
    written.append(_shot(page, "form-location-picker"))
    # a record waiting in the curators' queue
    submitted = world.create(
        "member_a", "accommodation", name="ks-cho-duyet", title="Khách sạn Chờ Duyệt"
    )
    world.call("member_a", "khtourism_record_submit", id=submitted["id"])
    owner.close()

    # a published record moved by its business: a pending revision with a new location
    moved = _published(world, "accommodation", "ks-doi-vi-tri", title="Khách sạn Đổi Vị Trí")
    world.call(
        "member_a",
        "package_patch",
        id=moved["id"],
        spatial=json.dumps({"type": "Point", "coordinates": [109.2046, 12.2731]}),
    )

    staff = context()
    page = watched_page(staff, _Ignore())
    _log_in(page, portal, curator)
    page.goto(f"{portal}/khtourism/review")
    written.append(_shot(page, "review-queue"))
    page.goto(f"{portal}/khtourism/record/ks-doi-vi-tri/revision")
    page.wait_for_selector(MAP_READY)
    page.wait_for_timeout(500)
    written.append(_shot(page, "revision-map"))
    staff.close()

    developer = context()
    page = watched_page(developer, _Ignore())
    page.goto(f"{portal}/developers")
    page.select_option("[data-try-endpoint]", "/api/tourism/v1/accommodations")
    page.fill("[data-try-query]", "q=nha trang&limit=2")
    page.click("[data-try-send]")
    page.wait_for_selector("[data-try-response][data-status]")
    page.locator("#try-it").scroll_into_view_if_needed()
    written.append(_shot(page, "developers-try-it"))
    developer.close()

    for path in written:
        assert path.stat().st_size > 10_000, path


class _Ignore:
    """Screenshots do not judge the pages (the browser tests do)."""

    def __getattr__(self, name: str) -> list[str]:
        return []
