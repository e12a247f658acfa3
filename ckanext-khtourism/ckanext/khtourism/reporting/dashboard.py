"""The curators' reporting dashboard: for a month, which published establishments
submitted, which were late (after the 20th of the following month) and which are
missing, with the month's totals and their change against the previous month and the
same month a year before (submitted and accepted reports; curators see every cell)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.khtourism.records import identity

from . import indicators, reports

SUBMITTED_ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
TOTALS = (
    "overnight_international",
    "overnight_domestic",
    "sameday_international",
    "sameday_domestic",
    "guest_nights_international",
    "guest_nights_domestic",
    "room_nights_sold",
    "guests_inbound",
    "guests_outbound",
    "guests_domestic",
)


def shift(period: str, months: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def published_establishments(
    admin_unit: str | None = None, accommodation_type: str | None = None
) -> list[dict[str, Any]]:
    """Published accommodation and travel-business records: who must report."""
    rows = model.Session.execute(
        sa.text(
            """
            SELECT p.id, p.name, p.title, p.type, p.owner_org,
                   jsonb_object_agg(x.key, x.value) AS extras
            FROM package p JOIN package_extra x ON x.package_id = p.id AND x.state = 'active'
            WHERE p.state = 'active' AND p.type = ANY(:types)
              AND x.key IN ('establishment_id', 'admin_unit', 'accommodation_type',
                            'workflow_state', 'email')
            GROUP BY p.id
            """
        ),
        {"types": list(indicators.KIND_OF_TYPE)},
    ).mappings()
    found = []
    for row in rows:
        extras = row["extras"] or {}
        if extras.get("workflow_state") != "published" or not extras.get(identity.FIELD):
            continue
        if admin_unit and extras.get("admin_unit") != admin_unit:
            continue
        if accommodation_type and extras.get("accommodation_type") != accommodation_type:
            continue
        found.append(
            {
                "establishment_id": extras[identity.FIELD],
                "package_id": row["id"],
                "name": row["name"],
                "title": row["title"],
                "type": row["type"],
                "kind": indicators.KIND_OF_TYPE[row["type"]],
                "owner_org": row["owner_org"],
                "admin_unit": extras.get("admin_unit"),
                "accommodation_type": extras.get("accommodation_type"),
                "email": extras.get("email"),
            }
        )
    return sorted(found, key=lambda e: e["establishment_id"])


def _totals(period: str, establishment_ids: list[str]) -> dict[str, int]:
    columns = ", ".join(f"COALESCE(SUM({name}), 0) AS {name}" for name in TOTALS)
    row = (
        model.Session.execute(
            sa.text(
                f"""
                SELECT COUNT(*) AS reports, {columns} FROM khtourism_visitor_report
                WHERE period = :period AND state IN ('submitted', 'accepted')
                  AND establishment_id = ANY(:ids)
                """  # noqa: S608 - the column names are our constants
            ),
            {"period": period, "ids": establishment_ids},
        )
        .mappings()
        .one()
    )
    return {key: int(value) for key, value in row.items()}


def _change(now: int, before: int) -> float | None:
    return round((now - before) / before * 100, 1) if before else None


def month(
    period: str,
    *,
    admin_unit: str | None = None,
    accommodation_type: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    today = today or reports.local_date(reports.now())
    places = published_establishments(admin_unit, accommodation_type)
    ids = [p["establishment_id"] for p in places]
    by_id = {
        r.establishment_id: r
        for r in model.Session.query(reports.VisitorReport).filter(
            reports.VisitorReport.period == period,
            reports.VisitorReport.establishment_id.in_(ids or [""]),
        )
    }
    deadline = reports.deadline(period)
    rows = []
    counts = {SUBMITTED_ON_TIME: 0, LATE: 0, MISSING: 0}
    for place in places:
        report = by_id.get(place["establishment_id"])
        submitted_at = report.submitted_at if report is not None else None
        if submitted_at is None:
            status = MISSING
        elif reports.local_date(submitted_at) > deadline:
            status = LATE
        else:
            status = SUBMITTED_ON_TIME
        counts[status] += 1
        rows.append(
            {
                **place,
                "status": status,
                "overdue": status == MISSING and today > deadline,
                "report_id": report.id if report else None,
                "state": report.state if report else None,
                "submitted_at": submitted_at.isoformat() if submitted_at else None,
            }
        )
    current = _totals(period, ids)
    previous = _totals(shift(period, -1), ids)
    last_year = _totals(shift(period, -12), ids)
    totals = [
        {
            "indicator": name,
            "value": current[name],
            "previous_month": previous[name],
            "change_previous_month": _change(current[name], previous[name]),
            "same_month_last_year": last_year[name],
            "change_last_year": _change(current[name], last_year[name]),
        }
        for name in TOTALS
    ]
    return {
        "period": period,
        "deadline": deadline.isoformat(),
        "establishments": rows,
        "counts": counts,
        "reports_counted": current["reports"],
        "totals": totals,
    }


def reminders(
    period: str,
    today: dt.date | None = None,
    *,
    admin_unit: str | None = None,
    accommodation_type: str | None = None,
) -> list[dict[str, Any]]:
    """From the 15th of the following month: the establishments still missing (of a
    commune and type when given: the dashboard's filters)."""
    today = today or reports.local_date(reports.now())
    start = reports.deadline(period).replace(day=15)
    if today < start:
        return []
    found = month(period, admin_unit=admin_unit, accommodation_type=accommodation_type, today=today)
    return [row for row in found["establishments"] if row["status"] == MISSING]
