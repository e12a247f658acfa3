"""Monthly reports: save (a second report of the same establishment and month is an
edit), submit, accept, return with a reason; a correction of an accepted report by its
business is a pending revision until a curator accepts or returns it.

    draft ──submit──▶ submitted ──accept──▶ accepted ──(business edit)──▶ pending correction
      ▲                   │                                  │ accept: applied
      └──── (edit) ◀── returned ◀──return──┘                 │ return: dropped, reason kept
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.khtourism.core import roles
from ckanext.khtourism.records import identity

from . import checks, indicators
from .model import ReportNationality, VisitorReport, now

DRAFT = "draft"
SUBMITTED = "submitted"
ACCEPTED = "accepted"
RETURNED = "returned"
STATES = (DRAFT, SUBMITTED, ACCEPTED, RETURNED)
DEADLINE_DAY = 20  # of the following month
LOCAL_OFFSET = dt.timedelta(hours=7)  # Asia/Ho_Chi_Minh, no daylight saving


@dataclasses.dataclass
class Establishment:
    establishment_id: str
    package_id: str
    name: str
    title: str
    kind: str
    owner_org: str | None
    admin_unit: str | None
    former_district: str | None
    accommodation_type: str | None
    rooms: int | None


def establishments(identifiers: Iterable[str]) -> dict[str, Establishment]:
    """The active accommodation and travel-business records with these identifiers."""
    wanted = sorted({str(i).strip().upper() for i in identifiers if i})
    if not wanted:
        return {}
    rows = model.Session.execute(
        sa.text(
            """
            SELECT p.id, p.name, p.title, p.type, p.owner_org, e.value AS establishment_id,
                   (SELECT jsonb_object_agg(x.key, x.value) FROM package_extra x
                     WHERE x.package_id = p.id AND x.state = 'active'
                       AND x.key IN ('admin_unit', 'former_district',
                                     'accommodation_type', 'rooms')) AS extras
            FROM package_extra e JOIN package p ON p.id = e.package_id
            WHERE e.key = :field AND e.state = 'active' AND e.value = ANY(:wanted)
              AND p.state = 'active' AND p.type = ANY(:types)
            """
        ),
        {"field": identity.FIELD, "wanted": wanted, "types": list(indicators.KIND_OF_TYPE)},
    ).mappings()
    found: dict[str, Establishment] = {}
    for row in rows:
        extras = row["extras"] or {}
        rooms = str(extras.get("rooms") or "").strip()
        found[row["establishment_id"]] = Establishment(
            establishment_id=row["establishment_id"],
            package_id=row["id"],
            name=row["name"],
            title=row["title"],
            kind=indicators.KIND_OF_TYPE[row["type"]],
            owner_org=row["owner_org"],
            admin_unit=extras.get("admin_unit") or None,
            former_district=extras.get("former_district") or None,
            accommodation_type=extras.get("accommodation_type") or None,
            rooms=int(rooms) if rooms.isdigit() else None,
        )
    return found


def establishment(identifier: str) -> Establishment | None:
    return establishments([identifier]).get(str(identifier).strip().upper())


def may_report(user: Any, owner_org: str | None) -> bool:
    """Editors and admins of the establishment's business; curators and sysadmins."""
    return roles.is_curator(user) or roles.can_edit_business_record(user, owner_org)


def may_read(user: Any, report: VisitorReport) -> bool:
    return roles.is_curator(user) or roles.is_member_of(user, report.owner_org)


def deadline(period: str) -> dt.date:
    year, month = (int(part) for part in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, DEADLINE_DAY)


def local_date(moment: dt.datetime) -> dt.date:
    return (moment + LOCAL_OFFSET).date()


def is_late(report: VisitorReport, today: dt.date | None = None) -> bool:
    """Submitted after the deadline, or not submitted and the deadline has passed."""
    limit = deadline(report.period)
    if report.submitted_at is not None:
        return local_date(report.submitted_at) > limit
    return (today or local_date(now())) > limit


def model_time(period: str) -> dt.datetime:
    """The 10th of the following month, 09:00 in Nha Trang (demo figures: on time)."""
    limit = deadline(period)
    return dt.datetime(limit.year, limit.month, 10, 2, 0)


def get(report_id: str) -> VisitorReport | None:
    return model.Session.get(VisitorReport, report_id)


def find(establishment_id: str, period: str) -> VisitorReport | None:
    return (
        model.Session.query(VisitorReport)
        .filter(VisitorReport.establishment_id == establishment_id, VisitorReport.period == period)
        .one_or_none()
    )


def _apply(report: VisitorReport, checked: dict[str, Any]) -> None:
    for field in indicators.ALL_COUNTS:
        setattr(report, field, checked.get(field) if field in checked else None)
    report.nationalities = [
        ReportNationality(country=code, guests=guests)
        for code, guests in sorted(checked.get("nationalities", {}).items())
    ]


def _snapshot(report: VisitorReport, place: Establishment) -> None:
    report.package_id = place.package_id
    report.kind = place.kind
    report.owner_org = place.owner_org
    report.admin_unit = place.admin_unit
    report.former_district = place.former_district
    report.accommodation_type = place.accommodation_type


def save_checked(
    place: Establishment,
    period: str,
    checked: dict[str, Any],
    user_name: str,
    *,
    curator: bool,
    existing: VisitorReport | None = None,
    demo: bool = False,
    lookup: bool = True,
) -> VisitorReport:
    """Write checked values (no commit). A second report of the same establishment and
    month edits the first; an accepted report edited by its business gets a pending
    correction instead."""
    moment = now()
    report = existing
    if report is None and lookup:
        report = find(place.establishment_id, period)
    if report is None:
        report = VisitorReport(
            establishment_id=place.establishment_id,
            period=period,
            state=DRAFT,
            created_by=user_name,
            created=moment,
            demo=demo,
        )
        model.Session.add(report)
    elif report.state == ACCEPTED and not curator:
        report.pending = json.dumps(checked, sort_keys=True)
        report.pending_by = user_name
        report.pending_at = moment
        return report
    _snapshot(report, place)
    _apply(report, checked)
    report.modified = moment
    return report


def submit(report: VisitorReport, user_name: str) -> VisitorReport:
    _require(report, (DRAFT, RETURNED), "submit")
    report.state = SUBMITTED
    report.submitted_by = user_name
    report.submitted_at = now()
    report.reason = None
    return report


def accept(report: VisitorReport, user_name: str) -> VisitorReport:
    if report.state == ACCEPTED and report.pending:
        _apply(report, json.loads(report.pending))
        report.pending = report.pending_by = report.pending_at = None
        report.modified = now()
    else:
        _require(report, (SUBMITTED,), "accept")
        report.state = ACCEPTED
    report.reviewed_by = user_name
    report.reviewed_at = now()
    report.reason = None
    return report


def return_(report: VisitorReport, user_name: str, reason: str) -> VisitorReport:
    if report.state == ACCEPTED and report.pending:
        report.pending = report.pending_by = report.pending_at = None
    else:
        _require(report, (SUBMITTED,), "return")
        report.state = RETURNED
    report.reviewed_by = user_name
    report.reviewed_at = now()
    report.reason = reason
    return report


class BadState(Exception):
    def __init__(self, state: str, action: str) -> None:
        super().__init__(state, action)
        self.state = state
        self.action = action


def _require(report: VisitorReport, allowed: tuple[str, ...], action: str) -> None:
    if report.state not in allowed:
        raise BadState(report.state, action)


def as_dict(report: VisitorReport, *, private: bool) -> dict[str, Any]:
    """The report as the action API shows it; revenue only when ``private``."""
    counts = {
        field: getattr(report, field)
        for field in indicators.COUNTS[report.kind]
        if private or field not in indicators.PRIVATE
    }
    result: dict[str, Any] = {
        "id": report.id,
        "establishment_id": report.establishment_id,
        "period": report.period,
        "kind": report.kind,
        "package_id": report.package_id,
        "owner_org": report.owner_org,
        "admin_unit": report.admin_unit,
        "former_district": report.former_district,
        "accommodation_type": report.accommodation_type,
        "state": report.state,
        "demo": report.demo,
        **counts,
        "nationalities": {n.country: n.guests for n in report.nationalities},
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "deadline": deadline(report.period).isoformat(),
        "late": is_late(report),
        "reason": report.reason,
        "modified": report.modified.isoformat() if report.modified else None,
    }
    rooms, sold = counts.get("rooms_available"), counts.get("room_nights_sold")
    if report.kind == indicators.ACCOMMODATION and rooms is not None:
        available = rooms * checks.days_in(report.period)
        result["occupancy"] = round(sold / available, 4) if available and sold is not None else None
    if report.pending:
        pending = json.loads(report.pending)
        if not private:
            pending = {k: v for k, v in pending.items() if k not in indicators.PRIVATE}
        result["pending_correction"] = {
            "values": pending,
            "by": report.pending_by,
            "at": report.pending_at.isoformat() if report.pending_at else None,
        }
    return result


def of_user(user: Any) -> list[Establishment]:
    """The establishments of the businesses the user may report for (any state)."""
    org_ids = [org for org in roles.organization_ids(user) if may_report(user, org)]
    if not org_ids:
        return []
    rows = model.Session.execute(
        sa.text(
            """
            SELECT e.value FROM package_extra e JOIN package p ON p.id = e.package_id
            WHERE e.key = :field AND e.state = 'active' AND p.state = 'active'
              AND p.owner_org = ANY(:orgs) AND p.type = ANY(:types)
            """
        ),
        {"field": identity.FIELD, "orgs": org_ids, "types": list(indicators.KIND_OF_TYPE)},
    ).scalars()
    found = establishments(rows)
    return [found[key] for key in sorted(found)]
