"""Pages of the monthly visitor reports: the business's reports and form (in
Vietnamese by default, prefilled with the establishment's rooms), the upload, and the
curators' dashboard. Pages call the reporting actions and show their errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.khtourism.records.vocabularies import admin_unit_label, admin_units

from . import checks, dashboard, indicators, reports

visitor_reports = Blueprint(
    "khtourism_visitor_reports", __name__, url_prefix="/khtourism/visitor-reports"
)


def N_(msgid: str) -> str:
    return msgid


STATE_LABELS = {
    reports.DRAFT: N_("Draft"),
    reports.SUBMITTED: N_("Submitted"),
    reports.ACCEPTED: N_("Accepted"),
    reports.RETURNED: N_("Returned"),
}


def state_label(state: str | None) -> str:
    return tk._(STATE_LABELS[state]) if state in STATE_LABELS else ""


def _render(template: str, extra: dict[str, Any]) -> Any:
    return tk.render(
        template, {"state_label": state_label, "commune_label": admin_unit_label, **extra}
    )


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _last_month() -> str:
    return dashboard.shift(reports.local_date(reports.now()).strftime("%Y-%m"), -1)


def _my_establishments() -> list[reports.Establishment]:
    """The establishments the user may report for."""
    return reports.of_user(tk.current_user.name) if tk.current_user.is_authenticated else []


@visitor_reports.route("/")
def index() -> Any:
    try:
        mine = tk.get_action("khtourism_visitor_report_list")(_context(), {})
        places = _my_establishments()
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    return _render(
        "khtourism/visitor_reports.html",
        {"reports": mine, "places": places, "period": _last_month(), "errors": []},
    )


@visitor_reports.route("/upload", methods=["POST"])
def upload() -> Any:
    file = tk.request.files.get("upload")
    try:
        result = tk.get_action("khtourism_visitor_report_upload")(
            _context(), {"upload": file, "name": getattr(file, "filename", "")}
        )
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized"))
    except tk.ValidationError as error:
        mine = tk.get_action("khtourism_visitor_report_list")(_context(), {})
        return _render(
            "khtourism/visitor_reports.html",
            {
                "reports": mine,
                "places": _my_establishments(),
                "period": _last_month(),
                "errors": error.error_dict.get("upload", []),
            },
        )
    tk.h.flash_success(tk._("{rows} report(s) saved from the file.").format(rows=result["rows"]))
    return tk.redirect_to("khtourism_visitor_reports.index")


def _fields(kind: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "label": checks.label(name), "private": name in indicators.PRIVATE}
        for name in indicators.COUNTS[kind]
    ]


@visitor_reports.route("/form", methods=["GET", "POST"])
def form() -> Any:
    args = tk.request.form if tk.request.method == "POST" else tk.request.args
    identifier = str(args.get("establishment_id") or "").strip().upper()
    period = str(args.get("period") or _last_month())
    place = reports.establishment(identifier)
    if place is None or not reports.may_report(tk.current_user.name, place.owner_org):
        return tk.abort(404, tk._("Not found"))
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    existing = reports.find(identifier, period)
    if existing is not None:
        values = reports.as_dict(existing, private=True)
    else:
        values = {"rooms_available": place.rooms}
    if tk.request.method == "POST":
        data: dict[str, Any] = {
            name: tk.request.form.get(name, "") for name in indicators.COUNTS[place.kind]
        }
        codes = tk.request.form.getlist("nationality_code")
        guests = tk.request.form.getlist("nationality_guests")
        data["nationalities"] = {
            c.strip().upper(): g for c, g in zip(codes, guests, strict=False) if c.strip()
        }
        try:
            saved = tk.get_action("khtourism_visitor_report_save")(
                _context(), {"establishment_id": identifier, "period": period, **data}
            )
            if tk.request.form.get("submit"):
                tk.get_action("khtourism_visitor_report_submit")(_context(), {"id": saved["id"]})
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Not authorized"))
        except tk.ValidationError as error:
            errors = {k: v for k, v in error.error_dict.items() if isinstance(v, list)}
            values = data
        else:
            tk.h.flash_success(tk._("The report was saved."))
            return tk.redirect_to(
                "khtourism_visitor_reports.form", establishment_id=identifier, period=period
            )
    return _render(
        "khtourism/visitor_report_form.html",
        {
            "place": place,
            "period": period,
            "fields": _fields(place.kind),
            "values": values,
            "errors": errors,
            "report": existing,
        },
    )


@visitor_reports.route("/dashboard")
def curator_dashboard() -> Any:
    args = tk.request.args
    data = {
        "period": args.get("period") or _last_month(),
        "admin_unit": args.get("admin_unit") or "",
        "accommodation_type": args.get("accommodation_type") or "",
    }
    try:
        month = tk.get_action("khtourism_visitor_report_dashboard")(_context(), data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the Department's curators may do this"))
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(str(v) for v in error.error_dict.values()))
    return _render(
        "khtourism/visitor_dashboard.html",
        {
            "month": month,
            "filters": data,
            "communes": [(code, admin_unit_label(code)) for code in sorted(admin_units())],
            "label": checks.label,
            "reminders": dashboard.reminders(
                month["period"],
                admin_unit=data["admin_unit"] or None,
                accommodation_type=data["accommodation_type"] or None,
            ),
        },
    )


@visitor_reports.route("/export")
def export() -> Any:
    from flask import Response

    from ckanext.khtourism.core import messages

    from . import export as month_export

    if not reports.roles.is_curator(tk.current_user.name):
        return tk.abort(403, tk._("Only the Department's curators may do this"))
    period = str(tk.request.args.get("period") or _last_month())
    if not checks.PERIOD.match(period):
        return tk.abort(400, checks.error("period", "report_bad_period", value=period))
    lang = messages.current_language()
    if tk.request.args.get("format") == "xlsx":
        body = month_export.to_xlsx(period, lang)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        extension = "xlsx"
    else:
        body = month_export.to_csv(period, lang)
        mimetype = "text/csv; charset=utf-8"
        extension = "csv"
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="bao-cao-khach-{period}.{extension}"'
    )
    return response
