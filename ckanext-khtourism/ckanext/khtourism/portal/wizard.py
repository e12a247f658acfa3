"""Step 2 of the new-record wizard ("Add data") may be left empty.

CKAN's resource form counts the CSRF token as data, so "Finish" with nothing
filled created an empty, unnamed resource. A tourism record needs no file: an
empty step 2 finishes the record (CKAN's draft becomes active, the curation
workflow is untouched) without a resource; "Previous" goes back to step 1.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core.record_types import RECORD_TYPES

# form fields that are not resource data
FORM_CONTROLS = {"save", "id", "url_type", "resource_type", "clear_upload", "previous_upload"}


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _empty_resource_form() -> bool:
    if any(f.filename for f in request.files.values()):
        return False
    ignored = FORM_CONTROLS | {_csrf_field()}
    return not any(
        value.strip() for key, value in request.form.items(multi=True) if key not in ignored
    )


def skip_empty_resource() -> Any:
    """``before_app_request``: an empty "Add data" form finishes the record without a resource."""
    endpoint = request.endpoint or ""
    if request.method != "POST" or not endpoint.endswith("_resource.new"):
        return None
    record_type = endpoint[: -len("_resource.new")]
    if record_type not in RECORD_TYPES or not _empty_resource_form():
        return None
    # (CKAN's app-level CSRF check has already run: it is registered before any blueprint)
    record_id = (request.view_args or {}).get("id")
    save = request.form.get("save")
    if save == "go-dataset":
        return tk.redirect_to(f"{record_type}.edit", id=record_id)
    context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
    try:
        record = tk.get_action("package_show")(dict(context), {"id": record_id})
        if record.get("state") != "active":
            tk.get_action("package_update")(
                dict(context, allow_state_change=True), dict(record, state="active")
            )
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Unauthorized to update dataset"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    return tk.redirect_to(f"{record_type}.read", id=record_id)


def refuse_form_of_type_not_allowed() -> Any:
    """``before_app_request``: the new-record form of a type the user may not create (a
    business and a curator-only type such as ``tourist-area``) is a 403 with the reason,
    not a form whose saving fails (CKAN checks ``package_create`` without the type)."""
    endpoint = request.endpoint or ""
    if not endpoint.endswith(".new") or endpoint.endswith("_resource.new"):
        return None
    record_type = endpoint[: -len(".new")]
    if record_type not in RECORD_TYPES or not tk.current_user.is_authenticated:
        return None  # (CKAN sends a visitor to the login page)
    context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
    try:
        tk.check_access("package_create", context, {"type": record_type})
    except tk.NotAuthorized as refused:
        return tk.abort(403, str(refused) or tk._("Unauthorized to create a package"))
    return None
