"""Values as a person reads them, in headless Chromium, in Vietnamese (``/``) and English
(``/en/``): coded values as their labels on the OGC API's HTML item page, plain dates as
``01/03/2026`` and counts as ``1.200`` / ``1,200`` on the record pages of every type
(``core/formats.py``; docs/records.md, "Dates and numbers on pages"), the sysadmins' pages
as tabs of the administration (no empty grey tab bar), and a citizen's walk through the
eight record types' search and record pages. Machine outputs keep codes, ISO dates and
bare numbers.

With ``KHTOURISM_SHOTS=<folder>`` each page is also saved there as a PNG to look at."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from ckan.tests import factories

from tests.browser.test_portal_in_chromium import (
    MAP_READY,
    PASSWORD,
    _log_in,
    _no_remote_avatars,
    _published,
)
from tests.browser.walk import check_page, open_page, shot, shot_suffix

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PREFIXES = ("", "/en")
TYPES = (
    "accommodation",
    "tour-operator",
    "tour-guide",
    "heritage-site",
    "tourist-area",
    "service-establishment",
    "tourist-transport",
    "event",
)
# a guide is a person: the record has no place to show on a map
WITHOUT_A_PLACE = ("tour-guide",)
# counts big enough to need a thousands separator
BIG = {
    "accommodation": {"rooms": "1200", "beds": "2400", "max_guests": "3000"},
    "service-establishment": {"capacity": "1500"},
    "tourist-area": {"capacity": "5000"},
}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
RAW_CODE = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")


def _publish(world: Any, record_type: str) -> str:
    name = f"doc-{record_type}"
    if record_type == "tourist-area":  # the Department's own records
        _no_remote_avatars()
        record = world.create(
            "curator", record_type, owner="curator", name=name, **BIG[record_type]
        )
        world.call("curator", "khtourism_record_submit", id=record["id"])
        world.call("curator", "khtourism_record_approve", id=record["id"])
    else:
        _published(world, record_type, name, **BIG.get(record_type, {}))
    return name


def _cell(page: Any, field: str) -> str:
    return page.locator(f"td[data-field='{field}']").inner_text().strip()


def test_ogc_item_page_shows_labels_and_the_json_keeps_codes(world, portal, page, watch):
    name = _publish(world, "accommodation")
    page.set_extra_http_headers({"Accept": "text/html"})
    expected = {
        "": {
            "accommodation_type": "Khách sạn",
            "operating_status": "Đang hoạt động",
            "amenities": "Wi-Fi, Hồ bơi",
            "rooms": "1.200",
            "price_min_vnd": "500.000 ₫",
            "last_verified": "15/01/2026",
        },
        "/en": {
            "accommodation_type": "Hotel",
            "operating_status": "Operating",
            "rooms": "1,200",
            "price_min_vnd": "500,000 ₫",
            "last_verified": "15/01/2026",
        },
    }
    for prefix, values in expected.items():
        url = f"{portal}{prefix}/ogc/collections/accommodation/items/{name}"
        open_page(page, url)
        shot(page, f"ogc-item-labels{shot_suffix(prefix)}")
        for prop, text in values.items():
            cell = page.locator(f"tr[data-property='{prop}'] td").inner_text().strip()
            assert cell == text, (prefix, prop, cell)
        # each property says what it is in the page's language, its name beside it
        heading = page.locator("tr[data-property='rooms'] th").inner_text()
        assert heading.startswith("Số phòng" if not prefix else "Number of rooms"), heading
        record_type = page.locator("tr[data-property='type'] td").inner_text().strip()
        assert record_type == (
            "Cơ sở lưu trú du lịch" if not prefix else "Accommodation establishments"
        ), record_type
        # every property is named in the page's language, the common ones too
        # (id, type, url, metadata_created …, not only the record type's schema fields)
        headings = page.locator("tr[data-property] th").all_inner_texts()
        names = page.locator("tr[data-property]").evaluate_all(
            "rows => rows.map(row => row.dataset.property)"
        )
        assert not [n for n, h in zip(names, headings, strict=True) if h.strip() == n], (
            prefix,
            headings,
        )
        cells = page.locator("tr[data-property] td").all_inner_texts()
        assert not [c for c in cells if RAW_CODE.match(c.strip())], cells
        assert not [c for c in cells if ISO_DATE.search(c)], cells
    page.set_extra_http_headers({})
    answer = page.request.get(
        f"{portal}/en/ogc/collections/accommodation/items/{name}?f=json"
    ).json()
    properties = answer["properties"]
    assert properties["accommodation_type"] == "khach_san"
    assert properties["operating_status"] == "operating"
    assert properties["rooms"] == 1200
    assert properties["last_verified"] == "2026-01-15"
    assert properties["amenities"] == ["wifi", "swimming_pool"]
    assert not watch.problems(), watch.problems()


# record type -> (field, the Vietnamese page's text, the English page's text)
DATES_AND_COUNTS = {
    "accommodation": [
        ("rooms", "1.200", "1,200"),
        ("beds", "2.400", "2,400"),
        ("max_guests", "3.000", "3,000"),
        ("last_verified", "15/01/2026", "15/01/2026"),
    ],
    "tour-operator": [("licence_issue_date", "10/05/2022", "10/05/2022")],
    "tour-guide": [
        ("card_issue_date", "01/01/2023", "01/01/2023"),
        ("card_expiry_date", "01/01/2028", "01/01/2028"),
    ],
    "heritage-site": [("ranking_decision_date", "17/01/2025", "17/01/2025")],
    "tourist-area": [
        ("recognition_decision_date", "20/05/2024", "20/05/2024"),
        ("capacity", "5.000", "5,000"),
    ],
    "service-establishment": [
        ("recognition_date", "01/03/2024", "01/03/2024"),
        ("recognition_expiry_date", "01/03/2029", "01/03/2029"),
        ("capacity", "1.500", "1,500"),
    ],
    "tourist-transport": [
        ("signage_issue_date", "10/01/2024", "10/01/2024"),
        ("signage_expiry_date", "10/01/2031", "10/01/2031"),
        ("seats", "29", "29"),
    ],
    # the good example: 2027-06-05 19:00 to 2027-06-08 (the end of the day), Vietnam time
    "event": [
        ("start_datetime", "05/06/2027 19:00 (UTC+07:00)", "05/06/2027 19:00 (UTC+07:00)"),
        ("end_datetime", "08/06/2027 23:59 (UTC+07:00)", "08/06/2027 23:59 (UTC+07:00)"),
    ],
}


ADMIN_PAGES = (
    ("/ckan-admin", "admin.index"),
    ("/ckan-admin/config", "admin.config"),
    ("/ckan-admin/trash", "admin.trash"),
    ("/ckan-admin/clients", "khtourism_clients.client_registry"),
    ("/ckan-admin/privacy-access", "khtourism_privacy.access_log"),
    ("/harvest", None),
    ("/harvest/new", None),
)
EMPTY_BANDS = """() => Array.from(document.querySelectorAll('.page-header, .nav-tabs'))
  .filter(el => el.offsetParent !== null && !el.querySelector('a'))
  .map(el => el.outerHTML.slice(0, 200))"""


def test_sysadmin_pages_are_tabs_of_the_administration(world, portal, page, watch):
    admin = factories.Sysadmin(password=PASSWORD, image_url=None)
    _no_remote_avatars()
    _log_in(page, portal, admin)
    for prefix in PREFIXES:
        for path, _endpoint in ADMIN_PAGES:
            url = f"{portal}{prefix}{path}"
            open_page(page, url)
            shot(page, f"admin{path.replace('/', '-')}{shot_suffix(prefix)}")
            # no grey band without anything in it
            assert page.evaluate(EMPTY_BANDS) == [], (url, page.evaluate(EMPTY_BANDS))
            if path.startswith("/ckan-admin"):
                tabs = page.locator(".page-header .nav-tabs a")
                hrefs = [tabs.nth(i).get_attribute("href") for i in range(tabs.count())]
                # every administration page has the same tabs, the extension's among them
                assert any(h.endswith("/ckan-admin/clients") for h in hrefs), (url, hrefs)
                assert any(h.endswith("/ckan-admin/privacy-access") for h in hrefs), hrefs
                active = page.locator(".page-header .nav-tabs li.active a").get_attribute("href")
                assert active and active.rstrip("/").endswith(path), (url, active)
                # the main column and the sidebar fill the page (no blank right third)
                width = page.locator(".wrapper").bounding_box()["width"]
                used = sum(
                    box["width"]
                    for box in (
                        page.locator(".wrapper > .primary").bounding_box(),
                        page.locator(".wrapper > .secondary").bounding_box(),
                    )
                    if box
                )
                assert used > 0.9 * width, (url, used, width)
            if path == "/ckan-admin/clients":
                # the client form's scopes: no colon after a check box's label
                # ("read:public:")
                after = page.evaluate(
                    "() => Array.from(document.querySelectorAll("
                    "'#client-create .form-check-label'))"
                    ".map(el => getComputedStyle(el, '::after').content)"
                )
                assert after and set(after) == {"none"}, after
            elif path == "/ckan-admin/privacy-access":
                # the access log's filter boxes are styled (they were bare inputs in
                # "form-inline", which Bootstrap 5 does not have)
                radii = page.evaluate(
                    "() => Array.from(document.querySelectorAll("
                    "'.khtourism-access-filter input'))"
                    ".map(el => getComputedStyle(el).borderTopLeftRadius)"
                )
                assert len(radii) == 2 and "0px" not in radii, radii
            elif path == "/harvest":
                # the harvest sources' facet titles in the page's language
                titles = page.locator(".secondary .module-heading").all_inner_texts()
                expected = ["Frequency", "Type"] if prefix else ["Tần suất", "Loại"]
                assert [t.strip() for t in titles] == expected, titles
    # a client owner who is not a sysadmin: the registry, without the administration's tabs
    owner = factories.User(password=PASSWORD, image_url=None)
    page.context.clear_cookies()
    _log_in(page, portal, owner)
    response = page.goto(f"{portal}/ckan-admin/clients")
    if response is not None and response.status == 200:
        check_page(page, page.url)
        assert page.locator(".page-header").count() == 0
    assert not watch.problems(), watch.problems()


def test_a_citizen_walks_the_eight_record_types(world, portal, page, watch):
    """Every search and record page in both languages: the page's one language, the map
    started (a tourist area's outline drawn), the filters, no raw code and no ISO date in
    the record's table, dates as ``01/03/2026`` and counts as ``1.200`` / ``1,200``
    (:data:`DATES_AND_COUNTS`) with the ISO date kept in the page for machines, nothing
    from outside. Machine outputs keep ISO dates and bare numbers."""
    names = {record_type: _publish(world, record_type) for record_type in TYPES}
    for record_type, name in names.items():
        for prefix in PREFIXES:
            open_page(page, f"{portal}{prefix}/{record_type}/")
            page.wait_for_selector(MAP_READY)
            shot(page, f"walk-search-{record_type}{shot_suffix(prefix)}")
            assert page.locator(".dataset-item").count() == 1
            assert page.locator(".filters section.module").count() > 0
            # the licence facet names the licence (it read "CC-BY 4.0 —...")
            licences = page.locator("section.module:has(a[href*='license_id=']) .item-label")
            assert licences.all_inner_texts() == ["CC-BY 4.0"], licences.all_inner_texts()
            open_page(page, f"{portal}{prefix}/{record_type}/{name}")
            if record_type not in WITHOUT_A_PLACE:
                page.wait_for_selector(MAP_READY)
            if record_type == "tourist-area":  # a polygon, drawn as its outline
                page.wait_for_selector(f"{MAP_READY} .leaflet-overlay-pane path")
            shot(page, f"walk-record-{record_type}{shot_suffix(prefix)}")
            cells = page.locator("td[data-field]").all_inner_texts()
            assert cells, record_type
            quality = page.locator(".khtourism-quality h3").inner_text()
            assert re.search(r"/100 — \S", quality) and not quality.endswith("))"), quality
            assert not [c for c in cells if RAW_CODE.match(c.strip())], (record_type, cells)
            assert not [c for c in cells if ISO_DATE.search(c)], (record_type, cells)
            for field, vi, en in DATES_AND_COUNTS.get(record_type, ()):
                assert _cell(page, field) == (en if prefix else vi), (record_type, prefix, field)
            if record_type in DATES_AND_COUNTS:
                table = page.locator("table:has(td[data-field])").inner_text()
                assert not ISO_DATE.search(table), (record_type, prefix, table)
                # the ISO date (an event's: date, time and offset) stays in the page,
                # for machines
                iso = page.locator("td[data-field] time[datetime]").first.get_attribute("datetime")
                assert iso and ISO_DATE.fullmatch(iso[:10]) and dt.datetime.fromisoformat(iso), iso
    # machine outputs keep ISO dates and bare numbers
    api = page.request.get(f"{portal}/api/tourism/v1/accommodations/{names['accommodation']}")
    item = api.json()
    assert (item["rooms"], item["last_verified"]) == (1200, "2026-01-15"), item
    shown = world.call("sysadmin", "package_show", id=names["tour-guide"])
    assert shown["card_expiry_date"] == "2028-01-01"
    assert not watch.problems(), watch.problems()


def test_revision_table_shows_dates_and_counts_as_the_record_page(world, portal, page, watch):
    from tests.browser.test_portal_in_chromium import _person_with_password

    record = _published(world, "accommodation", "ks-doi-so-phong")
    world.call(
        "member_a",
        "package_patch",
        id=record["id"],
        rooms="1500",
        beds="2000",
        last_verified="2026-02-01",
    )
    curator = _person_with_password(world, world.curator_org)
    _log_in(page, portal, curator)
    for prefix, rooms in (("", ("120", "1.500")), ("/en", ("120", "1,500"))):
        open_page(page, f"{portal}{prefix}/khtourism/record/ks-doi-so-phong/revision")
        row = page.locator("tr[data-field='rooms']")
        old = row.locator(".khtourism-old").inner_text().strip()
        new = row.locator(".khtourism-new").inner_text().strip()
        assert (old, new) == rooms
        dates = page.locator("tr[data-field='last_verified'] td").all_inner_texts()
        assert [d.strip() for d in dates] == ["15/01/2026", "01/02/2026"], dates
    assert not watch.problems(), watch.problems()


def test_json_and_csv_keep_iso_dates(world, portal, page, watch):
    name = _publish(world, "tour-guide")
    body = page.request.get(f"{portal}/api/tourism/v1/tour-guides/{name}").json()
    assert body["card_issue_date"] == "2023-01-01", json.dumps(body)[:500]
    csv_text = page.request.get(f"{portal}/api/tourism/v1/tour-guides?format=csv").text()
    assert "2023-01-01" in csv_text and "01/01/2023" not in csv_text
    assert not watch.problems(), watch.problems()
