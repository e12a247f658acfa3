"""A user's walk through the second round's pages in headless Chromium: the four new
record types' forms (a business's, a curator's), the OGC API's HTML pages and the API
client registry — each in Vietnamese (``/``) and under ``/en/``: status 200, no console
error, no request leaving 127.0.0.1, and the page's own words (headings, labels, buttons,
facet titles) in the page's one language (:func:`_open`, used by the other walks too).

The new types' search and record pages are in the citizen's walk of every type
(``test_readable_values_in_chromium.py``), the visitor reports, the developers page and
the statistics page in their own walks (``test_visitor_reports_in_chromium.py``,
``test_portal_pages_in_chromium.py``).

With ``KHTOURISM_SHOTS=<folder>`` each page is also saved there as a PNG to look at."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import settled
from tests.browser.test_portal_in_chromium import (
    _log_in,
    _no_remote_avatars,
    _person_with_password,
    _published,
)
from tests.browser.walk import check_page, open_page, shot, shot_suffix

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PREFIXES = ("", "/en")
PREFIXES_AND_CLIENTS = (("", "ung-dung-thu"), ("/en", "test-app"))
NEW_TYPES = ("tourist-area", "service-establishment", "tourist-transport", "event")


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


def test_business_forms_and_no_tourist_area(world, portal, page, watch):
    business = _person_with_password(world, world.business_a)
    _log_in(page, portal, business)
    for prefix in PREFIXES:
        for record_type in ("service-establishment", "tourist-transport", "event"):
            open_page(page, f"{portal}{prefix}/{record_type}/new")
            assert page.locator("form#dataset-edit").count() == 1
            shot(page, f"form-{record_type}{shot_suffix(prefix)}")
        response = page.goto(f"{portal}{prefix}/tourist-area/new")
        shot(page, f"form-tourist-area-business{shot_suffix(prefix)}")
        assert response is not None and response.status in (401, 403)
        open_page(page, f"{portal}{prefix}/dashboard/datasets")
        assert page.locator("a[href$='/tourist-area/new']").count() == 0
    assert not [e for e in watch.console_errors if "403" not in e and "401" not in e]
    assert not watch.outside_requests and not watch.page_errors and not watch.wrong_pages, (
        watch.wrong_pages
    )


def test_curator_tourist_area_form(world, portal, page, watch):
    curator = _person_with_password(world, world.curator_org)
    _log_in(page, portal, curator)
    for prefix in PREFIXES:
        open_page(page, f"{portal}{prefix}/tourist-area/new")
        assert page.locator("form#dataset-edit").count() == 1
        shot(page, f"form-tourist-area{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()


def test_ogc_html_pages(world, portal, page, watch):
    names = _publish_new_types(world)
    page.set_extra_http_headers({"Accept": "text/html"})
    for prefix in PREFIXES:
        open_page(page, f"{portal}{prefix}/ogc/")
        shot(page, f"ogc-landing{shot_suffix(prefix)}")
        open_page(page, f"{portal}{prefix}/ogc/collections")
        shot(page, f"ogc-collections{shot_suffix(prefix)}")
        open_page(page, f"{portal}{prefix}/ogc/collections/event/items")
        shot(page, f"ogc-items{shot_suffix(prefix)}")
        open_page(page, f"{portal}{prefix}/ogc/collections/event/items/{names['event']}")
        shot(page, f"ogc-item{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()


def test_client_registry_shows_the_secret_once(world, portal, page, watch):
    from ckan.tests import factories

    from tests.browser.test_portal_in_chromium import PASSWORD

    admin = factories.Sysadmin(password=PASSWORD, image_url=None)
    _log_in(page, portal, admin)
    # (the registry page itself, in both languages: the sysadmin pages' walk,
    # tests/browser/test_readable_values_in_chromium.py)
    for prefix, name in PREFIXES_AND_CLIENTS:
        open_page(page, f"{portal}{prefix}/ckan-admin/clients")
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
        check_page(page, page.url)
        secret = page.locator("#client-secret code", has_text="khts_")
        assert secret.is_visible(), page.locator("body").inner_text()[:2000]
        assert len(secret.inner_text()) > 20
        shot(page, f"clients-created{shot_suffix(prefix)}")
        page.goto(f"{portal}{prefix}/ckan-admin/clients")
        assert page.locator("#client-secret").count() == 0  # shown once
    assert not watch.problems(), watch.problems()
