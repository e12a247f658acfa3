"""Actions of the monthly visitor reports (``reporting/``; docs/statistics.md)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.khtourism.core import messages, roles
from ckanext.khtourism.reporting import aggregates, checks, dashboard, reports, upload
from ckanext.khtourism.reporting import registry as statistics_dataset
from ckanext.khtourism.reporting.model import VisitorReport

__all__ = [
    "khtourism_visitor_report_save",
    "khtourism_visitor_report_show",
    "khtourism_visitor_report_list",
    "khtourism_visitor_report_submit",
    "khtourism_visitor_report_accept",
    "khtourism_visitor_report_return",
    "khtourism_visitor_report_upload",
    "khtourism_visitor_statistics",
    "khtourism_visitor_report_dashboard",
]


def _user(context: Context) -> model.User:
    user = roles.context_user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Not authorized"))
    return user


def _today() -> dt.date:
    return reports.local_date(reports.now())


def _report(data_dict: DataDict) -> VisitorReport:
    report = None
    if data_dict.get("id"):
        report = reports.get(str(data_dict["id"]))
    elif data_dict.get("establishment_id") and data_dict.get("period"):
        report = reports.find(
            str(data_dict["establishment_id"]).strip().upper(), str(data_dict["period"])
        )
    if report is None:
        raise tk.ObjectNotFound(tk._("Not found"))
    return report


def khtourism_visitor_report_save(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create the monthly report of an establishment, or edit it (one report per
    establishment and month). An accepted report edited by its business keeps its
    accepted figures and gets a pending correction.

    :param establishment_id: the establishment's portal identifier (``KH-LT-…``)
    :param period: the month, ``YYYY-MM`` (a month that has ended)
    :param <indicator>: the counts (``reporting/indicators.py``); blank is 0
    :param nationalities: ``{"KR": 120, …}`` international guests by ISO 3166 code
    """
    user = _user(context)
    identifier = str(data_dict.get("establishment_id") or "").strip().upper()
    place = reports.establishment(identifier)
    if place is None:
        raise tk.ValidationError(
            {
                "establishment_id": [
                    checks.error(
                        "establishment_id", "report_unknown_establishment", value=identifier
                    )
                ]
            }
        )
    tk.check_access("khtourism_visitor_report_save", context, {"owner_org": place.owner_org or ""})
    try:
        period = checks.parse_period(data_dict.get("period"), _today())
        checked = checks.check(data_dict, place.kind, period, place.rooms)
    except checks.ReportInvalid as invalid:
        raise tk.ValidationError(invalid.errors) from invalid
    report = reports.save_checked(place, period, checked, user.name, curator=roles.is_curator(user))
    model.Session.commit()
    return reports.as_dict(report, private=True)


@tk.side_effect_free
def khtourism_visitor_report_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A report (revenue included: only its business, curators and sysadmins read it).

    :param id: the report's id, or ``establishment_id`` and ``period``
    """
    report = _report(data_dict)
    tk.check_access("khtourism_visitor_report_show", context, {"owner_org": report.owner_org})
    return reports.as_dict(report, private=True)


@tk.side_effect_free
def khtourism_visitor_report_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The reports the user may read: those of the user's businesses; every report for
    curators. Optional filters ``period``, ``establishment_id``, ``state``."""
    tk.check_access("khtourism_visitor_report_list", context, data_dict)
    user = _user(context)
    query = model.Session.query(VisitorReport)
    if not roles.is_curator(user):
        query = query.filter(VisitorReport.owner_org.in_(roles.organization_ids(user) or [""]))
    for field in ("period", "state"):
        if data_dict.get(field):
            query = query.filter(getattr(VisitorReport, field) == str(data_dict[field]))
    if data_dict.get("establishment_id"):
        query = query.filter(
            VisitorReport.establishment_id == str(data_dict["establishment_id"]).strip().upper()
        )
    rows = query.order_by(VisitorReport.period.desc(), VisitorReport.establishment_id).all()
    return [reports.as_dict(report, private=True) for report in rows]


def _transition(context: Context, data_dict: DataDict, action: str) -> dict[str, Any]:
    user = _user(context)
    report = _report(data_dict)
    tk.check_access(f"khtourism_visitor_report_{action}", context, {"owner_org": report.owner_org})
    try:
        if action == "submit":
            reports.submit(report, user.name)
        elif action == "accept":
            reports.accept(report, user.name)
        else:
            reason = str(data_dict.get("reason") or "").strip()
            if not reason:
                raise tk.ValidationError(
                    {"reason": [checks.label("reason") + ": " + messages.text("required")]}
                )
            reports.return_(report, user.name, reason)
    except reports.BadState as bad:
        raise tk.ValidationError(
            {"state": [messages.text("report_bad_state", state=bad.state)]}
        ) from bad
    model.Session.commit()
    if action == "accept":
        statistics_dataset.queue_refresh()
    return reports.as_dict(report, private=True)


def khtourism_visitor_report_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a draft or returned report. :param id: (or ``establishment_id``, ``period``)"""
    return _transition(context, data_dict, "submit")


def khtourism_visitor_report_accept(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accept a submitted report, or apply the pending correction of an accepted one
    (curators). :param id:"""
    return _transition(context, data_dict, "accept")


def khtourism_visitor_report_return(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a submitted report to its business with a reason, or drop the pending
    correction of an accepted one (curators). :param id: :param reason:"""
    return _transition(context, data_dict, "return")


def khtourism_visitor_report_upload(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Many reports in one CSV or XLSX file: all written, or none (every error named by
    row and field).

    :param upload: the file (a form upload, or its bytes base64-encoded in ``content``)
    :param name: the file's name (``.csv`` / ``.xlsx``), when sent as ``content``
    """
    user = _user(context)
    tk.check_access("khtourism_visitor_report_upload", context, data_dict)
    name = str(data_dict.get("name") or "")
    file = data_dict.get("upload")
    if file is not None and hasattr(file, "read"):
        content = file.read()
        name = name or getattr(file, "filename", "") or ""
    elif isinstance(data_dict.get("content"), bytes):
        content = data_dict["content"]
    else:
        content = base64.b64decode(str(data_dict.get("content") or ""))
    try:
        result = upload.upload(content, name=name, user=user, demo=bool(data_dict.get("demo")))
    except upload.UploadRefused as refused:
        model.Session.rollback()
        raise tk.ValidationError(
            {"upload": [error["message"] for error in refused.errors]}
        ) from refused
    model.Session.commit()
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "corrections": result.corrections,
    }


@tk.side_effect_free
def khtourism_visitor_statistics(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The open aggregates (``reporting/aggregates.py``): public, revenue never included.

    :param from: first month ``YYYY-MM``; :param to: last month
    :param group_by: ``month``, ``admin_unit``, ``accommodation_type`` (list or commas)
    :param admin_unit: commune codes; :param accommodation_type: type codes
    """
    tk.check_access("khtourism_visitor_statistics", context, data_dict)
    start, end = str(data_dict.get("from") or ""), str(data_dict.get("to") or "")
    errors = {}
    for field, value in (("from", start), ("to", end)):
        if not checks.PERIOD.match(value):
            errors[field] = [messages.text("report_bad_period", value=value)]
    if errors:
        raise tk.ValidationError(errors)
    if start > end:
        raise tk.ValidationError({"from": [messages.text("stats_range", start=start, end=end)]})
    choices = (*aggregates.GROUPS, aggregates.FORMER_DISTRICT)
    group_by = _list(data_dict.get("group_by")) or list(aggregates.GROUPS)
    unknown = [g for g in group_by if g not in choices]
    if unknown:
        raise tk.ValidationError(
            {
                "group_by": [
                    messages.text(
                        "stats_bad_group_by",
                        value=unknown[0],
                        choices=", ".join(choices),
                    )
                ]
            }
        )
    return aggregates.visitors(
        start,
        end,
        group_by=tuple(group_by),
        admin_units=_list(data_dict.get("admin_unit")),
        accommodation_types=_list(data_dict.get("accommodation_type")),
        former_districts=_list(data_dict.get("former_district")),
    )


def _list(value: Any) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


@tk.side_effect_free
def khtourism_visitor_report_dashboard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Curators: for ``period`` (default: last month), who submitted, who was late and who
    is missing, with totals and their change; filters ``admin_unit``,
    ``accommodation_type``."""
    tk.check_access("khtourism_visitor_report_dashboard", context, data_dict)
    period = str(data_dict.get("period") or "") or dashboard.shift(_today().strftime("%Y-%m"), -1)
    if not checks.PERIOD.match(period):
        raise tk.ValidationError(
            {"period": [checks.error("period", "report_bad_period", value=period)]}
        )
    return dashboard.month(
        period,
        admin_unit=str(data_dict.get("admin_unit") or "") or None,
        accommodation_type=str(data_dict.get("accommodation_type") or "") or None,
    )
