"""Monthly reports through the action API: checks naming the field, one report per
establishment and month, who may read and write, the workflow and pending corrections."""

from __future__ import annotations

import datetime as dt

import pytest

import ckan.plugins.toolkit as tk

from ckanext.khtourism.reporting import reports

from .reporting_fixtures import REVENUE, establishment, figures

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _save(world, role, record, period="2026-03", **values):
    return world.call(
        role,
        "khtourism_visitor_report_save",
        establishment_id=record["establishment_id"],
        period=period,
        **figures(**values),
    )


def _errors(world, role, record, period="2026-03", **values) -> dict:
    with pytest.raises(tk.ValidationError) as caught:
        _save(world, role, record, period, **values)
    return caught.value.error_dict


def test_a_business_reports_its_establishment_and_reads_revenue(world):
    hotel = establishment(world, rooms="50")
    report = _save(world, "member_a", hotel)
    assert report["state"] == "draft"
    assert report["kind"] == "accommodation"
    assert report["overnight_international"] == 100
    assert report["revenue_international"] == REVENUE
    assert report["nationalities"] == {"CN": 30, "KR": 60}
    assert report["occupancy"] == round(1000 / (50 * 31), 4)
    assert report["admin_unit"] == hotel["admin_unit"]
    shown = world.call("curator", "khtourism_visitor_report_show", id=report["id"])
    assert shown["revenue_domestic"] == REVENUE + 1
    # another business neither reads nor writes it; anonymous users neither
    for role in ("member_b", "anonymous"):
        with pytest.raises(tk.NotAuthorized):
            world.call(role, "khtourism_visitor_report_show", id=report["id"])
    with pytest.raises(tk.NotAuthorized):
        _save(world, "member_b", hotel)
    assert world.call("member_b", "khtourism_visitor_report_list") == []
    assert [r["id"] for r in world.call("member_a", "khtourism_visitor_report_list")] == [
        report["id"]
    ]
    assert len(world.call("curator", "khtourism_visitor_report_list", period="2026-03")) == 1


def test_a_second_report_of_the_month_edits_the_first(world):
    hotel = establishment(world)
    first = _save(world, "member_a", hotel, overnight_domestic=200)
    second = _save(world, "member_a", hotel, overnight_domestic=210)
    assert second["id"] == first["id"]
    assert second["overnight_domestic"] == 210
    assert len(world.call("member_a", "khtourism_visitor_report_list")) == 1


def test_rooms_are_prefilled_from_the_establishment(world):
    hotel = establishment(world, rooms="40")
    report = _save(world, "member_a", hotel, rooms_available="", room_nights_sold=100)
    assert report["rooms_available"] == 40


@pytest.mark.parametrize(
    ("values", "field", "words", "english"),
    [
        (
            {"overnight_domestic": -1},
            "overnight_domestic",
            "Khách trong nước lưu trú qua đêm: không được là số âm",
            "Domestic guests staying overnight: must not be negative",
        ),
        ({"overnight_domestic": "abc"}, "overnight_domestic", "phải là số nguyên", "whole number"),
        (
            {"guest_nights_international": 99},
            "guest_nights_international",
            "Ngày khách quốc tế: số ngày khách (99) không thể ít hơn",
            "Guest-nights of international guests",
        ),
        (
            {"room_nights_sold": 50 * 31 + 1},
            "room_nights_sold",
            "1551 đêm phòng đã bán vượt quá 50 phòng × 31 ngày (1550)",
            "1551 room-nights sold is more than 50 rooms × 31 days (1550)",
        ),
        ({"nationalities": {"XY": 3}}, "nationality_XY", "ISO 3166", "ISO 3166"),
        ({"nationalities": {"KR": 500}}, "nationalities", "(500)", "(500)"),
        ({"tours_inbound": 3}, "tours_inbound", "Chuyến đi", "Inbound tours"),
    ],
)
def test_checks_name_the_field_in_the_users_language(app, world, values, field, words, english):
    hotel = establishment(world, rooms="50")
    body = {"establishment_id": hotel["establishment_id"], "period": "2026-03"}
    body.update(figures(**values))
    for prefix, expected in (("", words), ("/en", english)):
        response = app.post(
            f"{prefix}/api/3/action/khtourism_visitor_report_save",
            json=body,
            headers=world.people["member_a"].headers,
            status=409,
        )
        errors = {k: v for k, v in response.json["error"].items() if k != "__type"}
        assert list(errors) == [field]
        assert expected in errors[field][0]
    assert world.call("member_a", "khtourism_visitor_report_list") == []


def test_a_month_that_has_not_ended_is_refused(world):
    hotel = establishment(world)
    this_month = reports.local_date(reports.now()).strftime("%Y-%m")
    for period in (this_month, "2099-01"):
        errors = _errors(world, "member_a", hotel, period=period)
        assert list(errors) == ["period"]
        assert period in errors["period"][0]
    assert list(_errors(world, "member_a", hotel, period="2026-13")) == ["period"]


def test_no_identity_document_is_stored():
    columns = {c.name for c in reports.VisitorReport.__table__.columns}
    assert not {c for c in columns if "passport" in c or "id_number" in c or "name" in c}
    # counts only: every indicator column is an integer
    assert all(
        str(reports.VisitorReport.__table__.columns[f].type) == "BIGINT"
        for f in reports.indicators.ALL_COUNTS
    )


def test_submit_accept_and_return_with_a_reason(world):
    hotel = establishment(world)
    report = _save(world, "member_a", hotel)
    with pytest.raises(tk.NotAuthorized):
        world.call("member_a", "khtourism_visitor_report_accept", id=report["id"])
    submitted = world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    assert submitted["state"] == "submitted"
    with pytest.raises(tk.ValidationError) as caught:
        world.call("curator", "khtourism_visitor_report_return", id=report["id"], reason=" ")
    assert "reason" in caught.value.error_dict
    returned = world.call(
        "curator", "khtourism_visitor_report_return", id=report["id"], reason="Thiếu số phòng"
    )
    assert (returned["state"], returned["reason"]) == ("returned", "Thiếu số phòng")
    world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    accepted = world.call("curator", "khtourism_visitor_report_accept", id=report["id"])
    assert (accepted["state"], accepted["reason"]) == ("accepted", None)
    with pytest.raises(tk.ValidationError) as caught:
        world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    assert "state" in caught.value.error_dict


def test_a_correction_after_acceptance_is_a_pending_revision(world):
    hotel = establishment(world)
    report = _save(world, "member_a", hotel, overnight_domestic=200)
    world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    world.call("curator", "khtourism_visitor_report_accept", id=report["id"])

    corrected = _save(world, "member_a", hotel, overnight_domestic=220)
    assert corrected["state"] == "accepted"
    assert corrected["overnight_domestic"] == 200  # the accepted figure stays
    assert corrected["pending_correction"]["values"]["overnight_domestic"] == 220
    dropped = world.call(
        "curator", "khtourism_visitor_report_return", id=report["id"], reason="Không rõ"
    )
    assert "pending_correction" not in dropped
    assert dropped["state"] == "accepted"

    _save(world, "member_a", hotel, overnight_domestic=230)
    applied = world.call("curator", "khtourism_visitor_report_accept", id=report["id"])
    assert applied["overnight_domestic"] == 230
    assert "pending_correction" not in applied


def test_a_report_is_late_after_the_20th_of_the_following_month(world):
    hotel = establishment(world)
    report = _save(world, "member_a", hotel, period="2026-02")
    world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    row = reports.get(report["id"])
    assert reports.deadline("2026-02") == dt.date(2026, 3, 20)
    # 20 March 23:00 in Nha Trang is 16:00 UTC: on time; 21 March 00:30 local is late
    row.submitted_at = dt.datetime(2026, 3, 20, 16, 0)
    assert reports.is_late(row) is False
    row.submitted_at = dt.datetime(2026, 3, 20, 17, 30)
    assert reports.is_late(row) is True
    row.submitted_at = None
    assert reports.is_late(row, today=dt.date(2026, 3, 20)) is False
    assert reports.is_late(row, today=dt.date(2026, 3, 21)) is True
