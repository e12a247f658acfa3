"""Pages of the workflow: curator queue, business dashboard, revision diff, transitions.

Pages call the workflow actions (never the model) and show their errors.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import redirect as flask_redirect

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages, record_types
from ckanext.khtourism.records import quality as record_quality
from ckanext.khtourism.security.redirects import same_origin_path

workflow = Blueprint("khtourism_workflow", __name__, url_prefix="/khtourism")


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _record_url(pkg: dict[str, Any]) -> str:
    return tk.h.url_for(f"{pkg['type']}.read", id=pkg["name"])


@workflow.route("/review")
def review_queue() -> Any:
    try:
        queue = tk.get_action("khtourism_review_queue")(_context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the Department's curators may see the review queue"))
    # records/quality.py: every record not verified for 12 months, for the curators
    stale = record_quality.stale_records()
    return tk.render("khtourism/review_queue.html", {"queue": queue, "stale": stale})


@workflow.route("/my-records")
def business_records() -> Any:
    try:
        records = tk.get_action("khtourism_business_records")(_context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    # records/quality.py: the quality of the business's records and those to verify again
    orgs = tk.get_action("organization_list_for_user")(
        _context(), {"id": tk.current_user.name, "permission": "read"}
    )
    org_ids = [org["id"] for org in orgs]
    return tk.render(
        "khtourism/business_records.html",
        {
            "records": records,
            "quality": record_quality.business_overview(tk.current_user.name, org_ids),
            "stale": record_quality.stale_records(org_ids),
        },
    )


@workflow.route("/record/<id>/revision")
def revision(id: str) -> Any:
    try:
        revision = tk.get_action("khtourism_revision_show")(_context(), {"id": id})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    except tk.ObjectNotFound:
        return tk.abort(404, messages.text("no_pending_revision"))
    from . import diff

    location = diff.location_features(revision.get("changes") or [])
    return tk.render(
        "khtourism/revision.html",
        {
            "revision": revision,
            "state_label": messages.translate(
                REVISION_STATE_LABELS.get(revision.get("state") or "", revision.get("state") or "")
            ),
            "location_features": json.dumps(location, ensure_ascii=False)
            if location["features"]
            else "",
        },
    )


REVISION_STATE_LABELS = {
    "pending": messages.N_("Waiting for review"),
    "approved": messages.N_("Approved"),
    "rejected": messages.N_("Rejected"),
    "superseded": messages.N_("Replaced by a newer proposal"),
}


def _transition(action: str, id: str, data: dict[str, Any]) -> Any:
    try:
        pkg = tk.get_action(action)(_context(), dict(data, id=id))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        details = "; ".join(
            f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in error.error_dict.items()
        )
        tk.h.flash_error(details)
        # back to the page the button was on, never to another site (open redirect)
        return tk.redirect_to(
            same_origin_path(tk.request.referrer)
            or tk.h.url_for("khtourism_workflow.business_records")
        )
    tk.h.flash_success(tk._("The state was updated."))
    return tk.redirect_to(_record_url(pkg))


@workflow.route("/record/<id>/submit", methods=["POST"])
def submit(id: str) -> Any:
    return _transition("khtourism_record_submit", id, {})


@workflow.route("/record/<id>/approve", methods=["POST"])
def approve(id: str) -> Any:
    return _transition("khtourism_record_approve", id, {})


@workflow.route("/record/<id>/reject", methods=["POST"])
def reject(id: str) -> Any:
    return _transition("khtourism_record_reject", id, {"reason": tk.request.form.get("reason", "")})


# --- duplicates (curators) ------------------------------------------------------------------
@workflow.route("/duplicates")
def duplicates_page() -> Any:
    try:
        pairs = tk.get_action("khtourism_duplicate_list")(_context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the Department's curators may see possible duplicates"))
    return tk.render("khtourism/duplicates.html", {"pairs": pairs["results"]})


def _pair_action(action: str, done: str) -> Any:
    data = {"id": tk.request.form.get("id", ""), "other_id": tk.request.form.get("other_id", "")}
    try:
        tk.get_action(action)(_context(), data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        tk.h.flash_error("; ".join(f"{k}: {v}" for k, v in error.error_dict.items()))
        return tk.redirect_to(tk.h.url_for("khtourism_workflow.duplicates_page"))
    tk.h.flash_success(done)
    return tk.redirect_to(tk.h.url_for("khtourism_workflow.duplicates_page"))


@workflow.route("/duplicates/merge", methods=["POST"])
def duplicates_merge() -> Any:
    return _pair_action("khtourism_record_merge", tk._("The records were merged."))


@workflow.route("/duplicates/not-duplicate", methods=["POST"])
def duplicates_not_duplicate() -> Any:
    return _pair_action("khtourism_not_duplicate", tk._("Recorded: not a duplicate."))


@workflow.before_app_request
def redirect_merged_record() -> Any:
    """The URL of a record merged into another leads to the kept record."""
    parts = tk.request.path.strip("/").split("/")
    if len(parts) == 2 and parts[0] in MERGEABLE_TYPES:
        import ckan.model as model

        from ckanext.khtourism.records import duplicates

        package = model.Package.get(parts[1])
        if package is not None and package.state == "deleted":
            kept = duplicates.replaced_by(package.id)
            target = model.Package.get(kept) if kept else None
            if target is not None:
                return flask_redirect(tk.h.url_for(f"{target.type}.read", id=target.name), 301)
    return None


MERGEABLE_TYPES = record_types.PLACE_TYPES  # establishments and sites, not persons
