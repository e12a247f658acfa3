"""The client-registry page (/ckan-admin/clients): sysadmins register, change, suspend,
rotate and revoke client systems; a client's owner sees its usage and dead letters."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk

clients_admin = Blueprint("khtourism_clients", __name__)

_ACTIONS = {
    "create": "khtourism_client_create",
    "suspend": "khtourism_client_update",
    "activate": "khtourism_client_update",
    "rotate": "khtourism_client_rotate_secret",
    "revoke": "khtourism_client_revoke",
}


def _context() -> dict[str, Any]:
    user = tk.current_user.name if tk.current_user.is_authenticated else ""
    return {"user": user}


def _page(extra: dict[str, Any] | None = None, status: int = 200) -> Any:
    context = _context()
    if not context["user"]:
        return tk.abort(403, tk._("Only sysadmins may manage client systems"))
    clients = tk.get_action("khtourism_client_list")(context, {})
    for client in clients:
        shown = tk.get_action("khtourism_client_show")(
            _context(), {"client_id": client["client_id"]}
        )
        client["usage"] = shown["usage"]
        client["requests_today"] = shown["usage"][0]["requests"] if shown["usage"] else 0
        client["webhooks"] = tk.get_action("khtourism_webhook_list")(
            _context(), {"client_id": client["client_id"]}
        )
        client["dead_letters"] = tk.get_action("khtourism_webhook_dead_letters")(
            _context(), {"client_id": client["client_id"]}
        )
    is_sysadmin = bool(getattr(tk.current_user, "sysadmin", False))
    return (
        tk.render(
            "khtourism/clients.html",
            {"clients": clients, "is_sysadmin": is_sysadmin, "scopes": SCOPES, **(extra or {})},
        ),
        status,
    )


SCOPES = ("read:public", "read:protected", "webhooks")


@clients_admin.route("/ckan-admin/clients", methods=["GET", "POST"])
def client_registry() -> Any:
    if tk.request.method == "GET":
        return _page()
    form = tk.request.form
    operation = form.get("operation", "")
    action = _ACTIONS.get(operation)
    if action is None:
        return tk.abort(400, tk._("Unknown value: {value}").format(value=operation))
    data: dict[str, Any]
    if operation == "create":
        data = {
            key: form.get(key, "")
            for key in ("name", "owner", "contact", "quota_per_minute", "quota_per_day")
        }
        data["scopes"] = form.getlist("scopes")
    else:
        data = {"client_id": form.get("client_id", "")}
        if operation in ("suspend", "activate"):
            data["status"] = "suspended" if operation == "suspend" else "active"
    try:
        result = tk.get_action(action)(_context(), data)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only sysadmins may manage client systems"))
    except tk.ObjectNotFound as error:
        return tk.abort(404, str(error))
    except tk.ValidationError as error:
        return _page({"errors": error.error_dict, "form": data}, 400)
    return _page({"secret": result.get("client_secret"), "shown_client": result})
