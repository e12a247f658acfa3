"""Saving through the web pages, as a business does it in a browser session: the monthly
form and the file upload, each with the page's CSRF token. A bad value or row shows its
error on the page, naming the row and the field, in Vietnamese and (under /en/) in
English; nothing is half-written."""

from __future__ import annotations

import html
import re

import pytest

from ckanext.khtourism.reporting import reports

from .reporting_fixtures import establishment

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

FORM = "/khtourism/visitor-reports/form"
INDEX = "/khtourism/visitor-reports/"
UPLOAD = "/khtourism/visitor-reports/upload"


def _session(app, world, role: str = "member_a"):
    client = app.test_client(use_cookies=True)
    environ = {"REMOTE_USER": world.people[role].name}
    return client, environ


def _token(page: str) -> tuple[str, str]:
    field = re.search(r'<meta name="csrf_field_name" content="([^"]+)"', page).group(1)
    match = re.search(rf'name="{field}"\s+value="([^"]+)"', page)
    assert match, "the page's form carries no CSRF token"
    return field, match.group(1)


def _alert(page: str) -> list[str]:
    block = re.search(r'<div class="alert alert-danger"[^>]*>(.*?)</div>', page, re.S)
    main = page[page.find('role="main"') :][:3000]
    assert block, f"no error shown on the page: {main}"
    return [html.unescape(item).strip() for item in re.findall(r"<li>(.*?)</li>", block.group(1))]


GOOD = {
    "overnight_international": "10",
    "overnight_domestic": "20",
    "sameday_international": "1",
    "sameday_domestic": "2",
    "guest_nights_international": "15",
    "guest_nights_domestic": "30",
    "room_nights_sold": "200",
    "rooms_available": "20",
    "revenue_international": "1000000",
    "revenue_domestic": "2000000",
}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "",
            [
                "Khách trong nước lưu trú qua đêm: không được là số âm",
                "Ngày khách quốc tế: số ngày khách (5) không thể ít hơn số khách lưu trú"
                " qua đêm (10)",
            ],
        ),
        (
            "/en",
            [
                "Domestic guests staying overnight: must not be negative",
                "Guest-nights of international guests: guest-nights (5) cannot be fewer than"
                " the guests staying overnight (10)",
            ],
        ),
    ],
)
def test_the_monthly_form_saves_through_the_page(app, world, prefix, expected):
    hotel = establishment(world, rooms="20")
    identifier = hotel["establishment_id"]
    client, environ = _session(app, world)
    url = f"{prefix}{FORM}?establishment_id={identifier}&period=2026-03"
    page = client.get(url, extra_environ=environ).get_data(as_text=True)
    field, token = _token(page)
    base = {field: token, "establishment_id": identifier, "period": "2026-03"}

    bad = {
        **base,
        **GOOD,
        "overnight_domestic": "-20",
        "guest_nights_international": "5",
        "nationality_code": ["kr", ""],
        "nationality_guests": ["6", ""],
        "submit": "1",
    }
    answer = client.post(f"{prefix}{FORM}", data=bad, extra_environ=environ)
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    errors = _alert(body)
    assert [e for e in errors if e.split(":")[0] in {x.split(":")[0] for x in expected}] == (
        expected
    ), errors
    # the values typed stay in the form, the field is marked
    assert 'id="field-overnight_domestic" name="overnight_domestic"' in body
    assert 'value="-20"' in body and "has-error" in body
    assert reports.find(identifier, "2026-03") is None  # nothing written

    # without a token the save is refused (CSRF)
    refused = client.post(
        f"{prefix}{FORM}", data={k: v for k, v in bad.items() if k != field}, extra_environ=environ
    )
    assert refused.status_code in (400, 403)
    assert reports.find(identifier, "2026-03") is None

    good = {
        **base,
        **GOOD,
        "nationality_code": ["kr", ""],
        "nationality_guests": ["6", ""],
        "submit": "1",
    }
    saved = client.post(f"{prefix}{FORM}", data=good, extra_environ=environ, follow_redirects=False)
    assert saved.status_code == 302, _alert(saved.get_data(as_text=True))
    report = reports.find(identifier, "2026-03")
    assert report is not None and report.state == reports.SUBMITTED
    shown = world.call("member_a", "khtourism_visitor_report_show", id=report.id)
    assert shown["overnight_domestic"] == 20 and shown["nationalities"] == {"KR": 6}
    assert shown["revenue_domestic"] == 2_000_000
    after = client.get(saved.headers["Location"], extra_environ=environ).get_data(as_text=True)
    assert 'value="20"' in after  # the saved report is in the form
    assert ("Đã lưu báo cáo." if not prefix else "The report was saved.") in after


HEADER = (
    "establishment_id,period,overnight_international,overnight_domestic,"
    "guest_nights_international,guest_nights_domestic,room_nights_sold"
)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "",
            [
                "dòng 3: Khách trong nước lưu trú qua đêm: không được là số âm",
                "dòng 4: Số đêm phòng đã bán: 9999 đêm phòng đã bán vượt quá 20 phòng × 31"
                " ngày (620)",
            ],
        ),
        (
            "/en",
            [
                "row 3: Domestic guests staying overnight: must not be negative",
                "row 4: Room-nights sold: 9999 room-nights sold is more than 20 rooms × 31 days"
                " (620)",
            ],
        ),
    ],
)
def test_the_upload_saves_through_the_page(app, world, prefix, expected):
    import io

    hotel = establishment(world, rooms="20")
    identifier = hotel["establishment_id"]
    client, environ = _session(app, world)
    page = client.get(f"{prefix}{INDEX}", extra_environ=environ).get_data(as_text=True)
    field, token = _token(page)
    rows = [
        f"{identifier},2026-01,10,20,15,30,200",  # row 2: good
        f"{identifier},2026-03,10,-20,15,30,200",  # row 3: negative
        f"{identifier},2026-05,10,20,15,30,9999",  # row 4: more than rooms × days
    ]
    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    answer = client.post(
        f"{prefix}{UPLOAD}",
        data={field: token, "upload": (io.BytesIO(content), "bao-cao.csv")},
        content_type="multipart/form-data",
        extra_environ=environ,
    )
    assert answer.status_code == 200
    assert _alert(answer.get_data(as_text=True)) == expected
    assert reports.find(identifier, "2026-01") is None  # not even the good row

    good = ("\n".join([HEADER, rows[0], f"{identifier},2026-02,1,2,3,4,5"]) + "\n").encode()
    saved = client.post(
        f"{prefix}{UPLOAD}",
        data={field: token, "upload": (io.BytesIO(good), "bao-cao.csv")},
        content_type="multipart/form-data",
        extra_environ=environ,
        follow_redirects=False,
    )
    assert saved.status_code == 302, _alert(saved.get_data(as_text=True))
    assert reports.find(identifier, "2026-01") is not None
    assert reports.find(identifier, "2026-02").guest_nights_domestic == 4
    listing = client.get(saved.headers["Location"], extra_environ=environ).get_data(as_text=True)
    flash = "Đã lưu 2 báo cáo từ tệp." if not prefix else "2 report(s) saved from the file."
    assert flash in listing, listing[:3000]
    assert identifier in listing
