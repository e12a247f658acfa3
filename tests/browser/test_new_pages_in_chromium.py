"""A user's walk through the second round's pages in headless Chromium: the four new
record types (search page with facets and map, record page, form), the OGC API's HTML
pages, the API client registry, the visitor reports, the developers page and the
statistics page — each in Vietnamese (``/``) and under ``/en/``: status 200, no console
error, no request leaving 127.0.0.1, and the page's own words (headings, labels, buttons,
facet titles) in the page's one language.

With ``KHTOURISM_SHOTS=<folder>`` each page is also saved there as a PNG to look at."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import settled
from tests.browser.languages import one_language_problems
from tests.browser.test_portal_in_chromium import (
    MAP_READY,
    _log_in,
    _no_remote_avatars,
    _person_with_password,
    _published,
)
from tests.browser.test_portal_pages_in_chromium import _shot

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PREFIXES = ("", "/en")
PREFIXES_AND_CLIENTS = (("", "ung-dung-thu"), ("/en", "test-app"))
NEW_TYPES = ("tourist-area", "service-establishment", "tourist-transport", "event")


def _open(page: Any, url: str) -> None:
    """Open ``url``: a 200 in one language; what is wrong is kept in the page's watch (the
    walk goes on, every page is seen, the test fails at its end)."""
    response = page.goto(url)
    settled(page)
    _check(page, url, response.status if response else None)


def _check(page: Any, url: str, status: int | None = 200) -> None:
    wrong = page.khtourism_watch.wrong_pages
    if status != 200:
        wrong.append(f"{url}: HTTP {status}")
        return
    lang = "en" if "/en/" in url else "vi"
    problems = one_language_problems(page, lang)
    if problems:
        wrong.append(f"{url}: not in {lang}: {problems}")


def _name(prefix: str) -> str:
    return prefix.replace("/", "-") or "-vi"


def _publish_new_types(world: Any) -> dict[str, str]:
    names = {}
    for record_type in NEW_TYPES:
        name = f"moi-{record_type}"
        if record_type == "tourist-area":  # the Department's own records
            _no_remote_avatars()
            record = world.create("curator", record_type, owner="curator", name=name)
            world.call("curator", "khtourism_record_submit", id=record["id"])
            world.call("curator", "khtourism_record_approve", id=record["id"])
        else:
            _published(world, record_type, name)
        names[record_type] = name
    return names


def test_new_types_search_and_record_pages(world, portal, page, watch):
    names = _publish_new_types(world)
    for record_type, name in names.items():
        for prefix in PREFIXES:
            _open(page, f"{portal}{prefix}/{record_type}/")
            _shot(page, f"search-{record_type}{_name(prefix)}")
            page.wait_for_selector(MAP_READY)
            assert page.locator(".filters section.module").count() > 0
            _open(page, f"{portal}{prefix}/{record_type}/{name}")
            page.wait_for_selector(MAP_READY)
            _shot(page, f"record-{record_type}{_name(prefix)}")
    assert not watch.problems(), watch.problems()


def test_event_dates_in_khanh_hoa_time(world, portal, page, watch):
    _published(world, "event", "le-hoi-gio")
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/event/le-hoi-gio")
        # the good example: 2027-06-05 19:00 to 2027-06-08 (the end of the day), Vietnam time
        start = page.locator("td[data-field='start_datetime']").inner_text()
        end = page.locator("td[data-field='end_datetime']").inner_text()
        assert (start, end) == ("05/06/2027 19:00 (UTC+07:00)", "08/06/2027 23:59 (UTC+07:00)")
    assert not watch.problems(), watch.problems()


def test_tourist_area_polygon_on_its_map(world, portal, page, watch):
    names = _publish_new_types(world)
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/tourist-area/{names['tourist-area']}")
        page.wait_for_selector(f"{MAP_READY} .leaflet-overlay-pane path")
    assert not watch.problems(), watch.problems()


def test_business_forms_and_no_tourist_area(world, portal, page, watch):
    business = _person_with_password(world, world.business_a)
    _log_in(page, portal, business)
    for prefix in PREFIXES:
        for record_type in ("service-establishment", "tourist-transport", "event"):
            _open(page, f"{portal}{prefix}/{record_type}/new")
            assert page.locator("form#dataset-edit").count() == 1
            _shot(page, f"form-{record_type}{_name(prefix)}")
        response = page.goto(f"{portal}{prefix}/tourist-area/new")
        _shot(page, f"form-tourist-area-business{_name(prefix)}")
        assert response is not None and response.status in (401, 403)
        _open(page, f"{portal}{prefix}/dashboard/datasets")
        assert page.locator("a[href$='/tourist-area/new']").count() == 0
    assert not [e for e in watch.console_errors if "403" not in e and "401" not in e]
    assert not watch.outside_requests and not watch.page_errors and not watch.wrong_pages, (
        watch.wrong_pages
    )


def test_curator_tourist_area_form(world, portal, page, watch):
    curator = _person_with_password(world, world.curator_org)
    _log_in(page, portal, curator)
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/tourist-area/new")
        assert page.locator("form#dataset-edit").count() == 1
        _shot(page, f"form-tourist-area{_name(prefix)}")
    assert not watch.problems(), watch.problems()


def test_ogc_html_pages(world, portal, page, watch):
    names = _publish_new_types(world)
    page.set_extra_http_headers({"Accept": "text/html"})
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/ogc/")
        _shot(page, f"ogc-landing{_name(prefix)}")
        _open(page, f"{portal}{prefix}/ogc/collections")
        _shot(page, f"ogc-collections{_name(prefix)}")
        _open(page, f"{portal}{prefix}/ogc/collections/event/items")
        _shot(page, f"ogc-items{_name(prefix)}")
        _open(page, f"{portal}{prefix}/ogc/collections/event/items/{names['event']}")
        _shot(page, f"ogc-item{_name(prefix)}")
    assert not watch.problems(), watch.problems()


def test_client_registry_shows_the_secret_once(world, portal, page, watch):
    from ckan.tests import factories

    from tests.browser.test_portal_in_chromium import PASSWORD

    admin = factories.Sysadmin(password=PASSWORD, image_url=None)
    _log_in(page, portal, admin)
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/ckan-admin/clients")
        _shot(page, f"clients{_name(prefix)}")
    for prefix, name in PREFIXES_AND_CLIENTS:
        page.goto(f"{portal}{prefix}/ckan-admin/clients")
        # the verb, not the noun of the registry page ("Danh bạ")
        button = page.locator("#client-create button[type='submit']").inner_text()
        assert button == {"": "Đăng ký hệ thống khách", "/en": "Register the client"}[prefix]
        page.fill("#client-name", name)
        page.fill("#client-owner", admin["name"])
        page.fill("#client-contact", "lap-trinh@example.vn")
        page.locator("#client-create input[name='scopes'][value='read:public']").check()
        with page.expect_navigation():
            page.locator("#client-create button[type='submit']").click()
        settled(page)
        _check(page, page.url)
        secret = page.locator("#client-secret code", has_text="khts_")
        assert secret.is_visible(), page.locator("body").inner_text()[:2000]
        assert len(secret.inner_text()) > 20
        _shot(page, f"clients-created{_name(prefix)}")
        page.goto(f"{portal}{prefix}/ckan-admin/clients")
        assert page.locator("#client-secret").count() == 0  # shown once
    assert not watch.problems(), watch.problems()


def test_visitor_report_pages(world, portal, page, watch):
    business = _person_with_password(world, world.business_a)
    _log_in(page, portal, business)
    _published(world, "accommodation", "ks-bao-cao")
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/khtourism/visitor-reports/")
        _shot(page, f"visitor-reports-list{_name(prefix)}")
        with page.expect_navigation():
            page.locator("form:has(#establishment_id) button[type='submit']").click()
        settled(page)
        _check(page, page.url)
        _shot(page, f"visitor-reports-form{_name(prefix)}")
    curator = _person_with_password(world, world.curator_org)
    page.context.clear_cookies()
    _log_in(page, portal, curator)
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/khtourism/visitor-reports/dashboard")
        _shot(page, f"visitor-dashboard{_name(prefix)}")
    assert not watch.problems(), watch.problems()


def test_developers_page_speaks_the_page_language(world, portal, page, watch):
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/developers")
        cells = page.locator("details table td:nth-child(3)").all_inner_texts()
        assert cells
        _shot(page, f"developers-walk{_name(prefix)}")
    assert not watch.problems(), watch.problems()


def test_statistics_page(world, portal, page, watch):
    _publish_new_types(world)
    for prefix in PREFIXES:
        _open(page, f"{portal}{prefix}/thong-ke")
        _shot(page, f"statistics-walk{_name(prefix)}")
        # the commune map's legend fits the map (the Vietnamese one was cut off)
        svg = page.locator(".khtourism-commune-map").bounding_box()
        legend = page.locator(".khtourism-commune-map .khtourism-map-legend").bounding_box()
        assert svg and legend
        assert legend["x"] + legend["width"] <= svg["x"] + svg["width"] + 1, (legend, svg)
    assert not watch.problems(), watch.problems()
