"""Issue 18's reporting pages in headless Chromium: a business fills the monthly form (an
error shown next to the form, then saved and submitted) and sees its list; a curator opens
the reporting dashboard — in Vietnamese and under /en/, every element visible, every page
in its one language, no console error, no request leaving 127.0.0.1.

With ``KHTOURISM_SHOTS=<folder>`` each page is also saved there as a PNG."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ckanext.khtourism.reporting import dashboard, reports
from tests.browser.conftest import settled
from tests.browser.test_portal_in_chromium import _log_in, _person_with_password
from tests.browser.walk import check_page, open_page, shot, shot_suffix
from tests.reporting.reporting_fixtures import NHA_TRANG, establishment, figures

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TEXTS = {
    "": {
        "open": "Mở biểu mẫu",
        "submit": "Lưu và gửi",
        "error": "Ngày khách quốc tế: số ngày khách (5) không thể ít hơn số khách lưu trú"
        " qua đêm (100)",
        "saved": "Đã lưu báo cáo.",
        "state": "Đã gửi",
        "dashboard": "Bảng theo dõi báo cáo",
        "missing": "chưa nộp",
    },
    "/en": {
        "open": "Open the form",
        "submit": "Save and submit",
        "error": "Guest-nights of international guests: guest-nights (5) cannot be fewer than"
        " the guests staying overnight (100)",
        "saved": "The report was saved.",
        "state": "Submitted",
        "dashboard": "Reporting dashboard",
        "missing": "missing",
    },
}


def _visible(page: Any, selector: str) -> None:
    items = page.locator(selector)
    assert items.count() > 0, selector
    for index in range(items.count()):
        assert items.nth(index).is_visible(), (selector, index)


def test_a_business_fills_the_monthly_form(world, portal, page, watch):
    hotel = establishment(world, rooms="20", admin_unit=NHA_TRANG)
    business = _person_with_password(world, world.business_a)
    _log_in(page, portal, business)
    for prefix, period in (("", "2026-03"), ("/en", "2026-04")):
        text = TEXTS[prefix]
        open_page(page, f"{portal}{prefix}/khtourism/visitor-reports/")
        shot(page, f"visitor-reports{shot_suffix(prefix)}")
        page.select_option("#establishment_id", hotel["establishment_id"])
        page.fill("#period", period)
        with page.expect_navigation():
            page.get_by_role("button", name=text["open"]).click()
        settled(page)
        check_page(page, page.url)
        assert page.locator("#field-rooms_available").input_value() == "20"  # prefilled
        _visible(page, "[role=main] form label, [role=main] input[type=number], [role=main] button")
        # (a negative number is refused by the browser itself: min="0")
        values = figures(guest_nights_international=5, room_nights_sold=300)
        for name in (
            "overnight_international",
            "overnight_domestic",
            "guest_nights_international",
            "guest_nights_domestic",
            "room_nights_sold",
        ):
            page.fill(f"#field-{name}", str(values[name]))
        page.locator("input[name=nationality_code]").first.fill("KR")
        page.locator("input[name=nationality_guests]").first.fill("60")
        with page.expect_navigation():
            page.get_by_role("button", name=text["submit"]).click()
        settled(page)
        check_page(page, page.url)
        alert = page.locator(".alert-danger")
        assert alert.is_visible()
        assert text["error"] in alert.inner_text()
        assert page.locator(".has-error #field-guest_nights_international").is_visible()
        shot(page, f"visitor-form-error{shot_suffix(prefix)}")
        assert reports.find(hotel["establishment_id"], period) is None
        page.fill("#field-guest_nights_international", "250")
        with page.expect_navigation():
            page.get_by_role("button", name=text["submit"]).click()
        settled(page)
        check_page(page, page.url)
        assert text["saved"] in page.locator(".flash-messages, .alert").first.inner_text()
        shot(page, f"visitor-form-saved{shot_suffix(prefix)}")
        report = reports.find(hotel["establishment_id"], period)
        assert report is not None and report.state == reports.SUBMITTED
        open_page(page, f"{portal}{prefix}/khtourism/visitor-reports/")
        row = page.locator("tr", has_text=period)
        assert row.is_visible() and text["state"] in row.inner_text()
    assert not watch.problems(), watch.problems()


def test_a_curator_opens_the_reporting_dashboard(world, portal, page, watch):
    period = dashboard.shift(reports.local_date(reports.now()).strftime("%Y-%m"), -1)
    places = []
    for _ in range(2):
        record = establishment(world, admin_unit=NHA_TRANG)
        world.call("member_a", "khtourism_record_submit", id=record["id"])
        world.call("curator", "khtourism_record_approve", id=record["id"])
        places.append(record)
    report = world.call(
        "member_a",
        "khtourism_visitor_report_save",
        establishment_id=places[0]["establishment_id"],
        period=period,
        **figures(),
    )
    world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    row = reports.get(report["id"])
    row.submitted_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    reports.model.Session.commit()
    curator = _person_with_password(world, world.curator_org)
    _log_in(page, portal, curator)
    for prefix in ("", "/en"):
        text = TEXTS[prefix]
        open_page(page, f"{portal}{prefix}/khtourism/visitor-reports/dashboard?period={period}")
        assert page.locator("h1").inner_text().startswith(text["dashboard"])
        _visible(page, "[role=main] :is(h1, h2, form label, form button, table)")
        listing = page.locator("table.table-striped tbody tr")
        assert listing.count() == 2
        waiting = listing.filter(has_text=places[1]["establishment_id"])
        assert text["missing"] in waiting.inner_text()
        shot(page, f"visitor-dashboard{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()
