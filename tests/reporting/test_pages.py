"""The pages: the business's form (Vietnamese, prefilled rooms) and upload, and the
curators' dashboard (submitted, late, missing; totals and their change)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.khtourism.reporting import dashboard, reports

from .reporting_fixtures import NHA_TRANG, establishment, figures

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _published(world, **fields):
    record = establishment(world, **fields)
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    return record


def _report(world, record, period, submitted_at=None, **values):
    report = world.call(
        "member_a",
        "khtourism_visitor_report_save",
        establishment_id=record["establishment_id"],
        period=period,
        **figures(**values),
    )
    world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    if submitted_at is not None:
        row = reports.get(report["id"])
        row.submitted_at = submitted_at
        reports.model.Session.commit()
    return report


def test_the_form_is_in_vietnamese_and_prefilled_with_the_rooms(app, world):
    hotel = establishment(world, rooms="77")
    headers = world.people["member_a"].headers
    page = app.get(
        f"/khtourism/visitor-reports/form?establishment_id={hotel['establishment_id']}"
        "&period=2026-03",
        headers=headers,
    )
    assert "Khách quốc tế lưu trú qua đêm" in page.body
    assert (
        'name="rooms_available" type="number" min="0" step="1" class="form-control" value="77"'
        in page.body
    )
    listing = app.get("/khtourism/visitor-reports/", headers=headers)
    assert hotel["establishment_id"] in listing.body
    # another business cannot open it
    app.get(
        f"/khtourism/visitor-reports/form?establishment_id={hotel['establishment_id']}",
        headers=world.people["member_b"].headers,
        status=404,
    )


def test_the_dashboard_shows_submitted_late_and_missing(app, world):
    on_time = _published(world, admin_unit=NHA_TRANG)
    late = _published(world, admin_unit=NHA_TRANG)
    missing = _published(world, admin_unit=NHA_TRANG)
    elsewhere = _published(world, admin_unit="22333")
    _report(world, on_time, "2026-02", dt.datetime(2026, 3, 10, 3), overnight_domestic=220)
    _report(world, late, "2026-02", dt.datetime(2026, 3, 25, 3), overnight_domestic=200)
    _report(world, on_time, "2026-01", dt.datetime(2026, 2, 10, 3), overnight_domestic=200)
    _report(world, on_time, "2025-02", dt.datetime(2025, 3, 10, 3), overnight_domestic=100)

    month = world.call(
        "curator", "khtourism_visitor_report_dashboard", period="2026-02", admin_unit=NHA_TRANG
    )
    status = {row["establishment_id"]: row["status"] for row in month["establishments"]}
    assert status == {
        on_time["establishment_id"]: "on_time",
        late["establishment_id"]: "late",
        missing["establishment_id"]: "missing",
    }
    assert elsewhere["establishment_id"] not in status
    assert month["counts"] == {"on_time": 1, "late": 1, "missing": 1}
    domestic = next(t for t in month["totals"] if t["indicator"] == "overnight_domestic")
    assert domestic["value"] == 420
    assert domestic["previous_month"] == 200
    assert domestic["change_previous_month"] == 110.0
    assert domestic["same_month_last_year"] == 100
    assert domestic["change_last_year"] == 320.0
    with pytest.raises(reports.roles.tk.NotAuthorized):
        world.call("member_a", "khtourism_visitor_report_dashboard", period="2026-02")
    page = app.get(
        "/khtourism/visitor-reports/dashboard?period=2026-02",
        headers=world.people["curator"].headers,
    )
    assert missing["establishment_id"] in page.body
    assert "Bảng theo dõi báo cáo" in page.body
    # the reminder list: from the 15th of the following month, the missing ones
    assert dashboard.reminders("2026-02", today=dt.date(2026, 3, 14)) == []
    due = dashboard.reminders("2026-02", today=dt.date(2026, 3, 15))
    assert {row["establishment_id"] for row in due} == {
        missing["establishment_id"],
        elsewhere["establishment_id"],
    }


@pytest.fixture
def smtp_sink(ckan_config, monkeypatch):
    from . import smtp_sink as sink_module

    sink, server = sink_module.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{sink.port}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "so-vhttdl@example.vn")
    monkeypatch.setitem(ckan_config, "smtp.starttls", False)
    yield sink
    server.shutdown()
    server.server_close()


def test_reminders_are_e_mailed_from_the_15th_once(world, smtp_sink, ckan_config, monkeypatch):
    from ckanext.khtourism.reporting import reminders

    reported = _published(world, admin_unit=NHA_TRANG)
    silent = _published(world, admin_unit=NHA_TRANG, email="silent@example.vn")
    _report(world, reported, "2026-02", dt.datetime(2026, 3, 10, 3))

    # off (the default): due, but nothing sent — the dashboard shows the list
    result = reminders.send("2026-02", today=dt.date(2026, 3, 16))
    assert (result["due"], result["sent"]) == (1, 0)
    assert smtp_sink.messages == []

    monkeypatch.setitem(ckan_config, "ckanext.khtourism.statistics.send_reminders", True)
    assert reminders.send("2026-02", today=dt.date(2026, 3, 14))["due"] == 0  # before the 15th
    result = reminders.send("2026-02", today=dt.date(2026, 3, 15))
    assert (result["due"], result["sent"]) == (1, 1)
    recipients = sorted(r for m in smtp_sink.messages for r in m.recipients)
    member = reports.model.User.get(world.people["member_a"].name)
    assert recipients == sorted(["silent@example.vn", member.email.lower()])
    message = smtp_sink.messages[0].message
    assert "2026-02" in message["Subject"]
    body = message.get_body().get_content()
    assert silent["establishment_id"] in body
    assert "Hạn nộp: 2026-03-20" in body
    # the next day: already reminded, nothing sent again
    again = reminders.send("2026-02", today=dt.date(2026, 3, 16))
    assert (again["sent"], again["skipped"]) == (0, 1)
    assert len(smtp_sink.messages) == 2


def test_the_month_export_for_the_ministry(app, world):
    import csv
    import io

    from openpyxl import load_workbook

    one = _published(world, admin_unit=NHA_TRANG)
    two = _published(world, admin_unit=NHA_TRANG)
    _report(world, one, "2026-02", overnight_domestic=200)
    _report(world, two, "2026-02", overnight_domestic=300)
    curator = world.people["curator"].headers
    response = app.get(
        "/khtourism/visitor-reports/export?period=2026-02", headers=curator, status=200
    )
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.body.lstrip("\ufeff"))))
    header, *body = rows
    assert header[0] == "Mã cơ sở"
    column = header.index("Khách trong nước lưu trú qua đêm")
    assert [r[column] for r in body] == ["200", "300", "500"]
    assert body[-1][0] == "TOTAL-accommodation"
    # revenue is in the curators' file (it is not public)
    assert header.index("Doanh thu từ khách trong nước (đồng)") > 0
    xlsx = app.get("/khtourism/visitor-reports/export?period=2026-02&format=xlsx", headers=curator)
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.cell(row=4, column=column + 1).value == 500
    # businesses and anonymous users may not
    app.get(
        "/khtourism/visitor-reports/export?period=2026-02",
        headers=world.people["member_a"].headers,
        status=403,
    )
