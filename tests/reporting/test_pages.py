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
    # 2026-02's reminders are due (it is past 15 March 2026): listed on the dashboard
    assert "Cần nhắc nộp báo cáo" in page.body
    # the type filter: the establishments' own type keeps them, another type leaves none
    kind = on_time["accommodation_type"]
    assert kind and {late["accommodation_type"], missing["accommodation_type"]} == {kind}
    other = "homestay" if kind != "homestay" else "khach_san"
    typed = world.call(
        "curator",
        "khtourism_visitor_report_dashboard",
        period="2026-02",
        admin_unit=NHA_TRANG,
        accommodation_type=kind,
    )
    assert {row["establishment_id"]: row["status"] for row in typed["establishments"]} == status
    assert (
        next(t for t in typed["totals"] if t["indicator"] == "overnight_domestic")["value"] == 420
    )
    none = world.call(
        "curator", "khtourism_visitor_report_dashboard", period="2026-02", accommodation_type=other
    )
    assert none["establishments"] == [] and none["counts"]["missing"] == 0
    filtered_page = app.get(
        f"/khtourism/visitor-reports/dashboard?period=2026-02&accommodation_type={other}",
        headers=world.people["curator"].headers,
    )
    assert missing["establishment_id"] not in filtered_page.body  # nor in its reminders
    assert "Cần nhắc nộp báo cáo" not in filtered_page.body
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


def test_the_scheduled_reminder_command(world, smtp_sink, ckan_config, monkeypatch, cli):
    """The daily timer's command (deployment/systemd/khtourism-statistics-remind.*) runs
    ``ckan khtourism statistics remind``: it e-mails through the SMTP sink, once."""
    from pathlib import Path

    from ckanext.khtourism.reporting import cli as reporting_cli

    unit = Path(__file__).parents[2] / "deployment/systemd/khtourism-statistics-remind.service"
    assert unit.read_text().rstrip().endswith("khtourism statistics remind")
    timer = unit.with_suffix(".timer").read_text()
    assert "OnCalendar=*-*-* 08:00:00 Asia/Ho_Chi_Minh" in timer

    _published(world, admin_unit=NHA_TRANG, email="late@example.vn")
    monkeypatch.setitem(ckan_config, "ckanext.khtourism.statistics.send_reminders", True)
    # 2026-02 is long past its 15 March start: the command reminds now
    # (the group itself, so the SMTP sink's settings hold; `ckan khtourism statistics` is
    # reached through ckan's command tree in test_demo_figures.py)
    remind = ["remind", "--period", "2026-02"]
    result = cli.invoke(reporting_cli.statistics_group, remind)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "2026-02: 1 missing, 1 reminded, 0 already reminded" in result.output
    assert "late@example.vn" in {r for m in smtp_sink.messages for r in m.recipients}
    again = cli.invoke(reporting_cli.statistics_group, remind)
    assert "1 missing, 0 reminded, 1 already reminded" in again.output


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
    # the totals of the statistics office's form 01CS/LTDL, with its row codes:
    # overnight (05) = 100 international + 200 / 300 domestic; guests served (04) adds
    # 10 + 20 same-day guests; guest-nights (11) = 250 + 400
    for code, expected in (
        ("05", ["300", "400", "700"]),
        ("04", ["330", "430", "760"]),
        ("08", ["30", "30", "60"]),
        ("11", ["650", "650", "1300"]),
    ):
        (column_of_code,) = [i for i, h in enumerate(header) if h.endswith(f"[01CS/LTDL {code}]")]
        assert [r[column_of_code] for r in body] == expected, code
    assert "Lượt khách ngủ qua đêm [01CS/LTDL 05]" in header
    xlsx = app.get("/khtourism/visitor-reports/export?period=2026-02&format=xlsx", headers=curator)
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.cell(row=4, column=column + 1).value == 500
    # businesses and anonymous users may not
    app.get(
        "/khtourism/visitor-reports/export?period=2026-02",
        headers=world.people["member_a"].headers,
        status=403,
    )
