"""The sysadmins' page of accesses to personal data (/ckan-admin/privacy-access)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk

privacy_admin = Blueprint("khtourism_privacy", __name__)


@privacy_admin.route("/ckan-admin/privacy-access")
def access_log() -> Any:
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    params = {
        key: tk.request.args[key] for key in ("id", "user", "offset") if tk.request.args.get(key)
    }
    try:
        rows = tk.get_action("khtourism_privacy_access_log")(context, dict(params, limit=200))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins may read the personal data access log"))
    except tk.ValidationError as error:
        return tk.abort(400, str(error.error_summary))
    return tk.render("khtourism/privacy_access.html", {"rows": rows, "params": params})
