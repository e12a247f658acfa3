"""ckanext-harvest's state-changing pages accept POST with a CSRF token only.

ckanext-harvest's ``/harvest/refresh/<id>``, ``/harvest/clear/<id>``,
``/harvest/delete/<id>`` and ``/harvest/<source>/job/<id>/abort`` act on GET
(a link, an ``<img src>`` on any site would run them with the victim's
session), and CKAN exempts extension blueprints from its CSRF check while
``ckan.csrf_protection.ignore_extensions`` is on. This blueprint has no
routes of its own: an application-wide ``before_request`` hook answers 405
to any other method than POST on those endpoints and checks the CSRF token of
the POST (CKAN's ``confirm-action`` buttons send it; requests signed with an
API token in the ``Authorization`` header carry no cookie and need none, as in
CKAN). ckanext-harvest routes delete and abort for GET only: the blueprint
adds their POST routes (the same view functions). The abort button is a
confirm-action form too (``theme/templates/source/admin_base.html``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request

import ckan.plugins.toolkit as tk

from ckanext.harvest import views as harvest_views

harvest_guard = Blueprint("khtourism_harvest_guard", __name__)
# POST routes ckanext-harvest lacks (it routes these two for GET only)
harvest_guard.add_url_rule(
    "/harvest/delete/<id>", "delete", view_func=harvest_views.delete, methods=["POST"]
)
harvest_guard.add_url_rule(
    "/harvest/<source>/job/<id>/abort",
    "job_abort",
    view_func=harvest_views.job_abort,
    methods=["POST"],
)

# endpoints that change something: ckanext-harvest's (blueprint "harvester") and ours
STATE_CHANGING_ENDPOINTS = frozenset(
    {
        "harvester.refresh",
        "harvester.clear",
        "harvester.delete",
        "harvester.job_abort",
        "khtourism_harvest_guard.delete",
        "khtourism_harvest_guard.job_abort",
    }
)


@harvest_guard.before_app_request
def require_post_with_token() -> Any:
    if request.endpoint not in STATE_CHANGING_ENDPOINTS:
        return None
    if request.method != "POST":
        return tk.abort(405, tk._("This action needs a POST request (use the button on the page)"))
    if g.get("login_via_auth_header"):
        return None  # API token, no cookie: not forgeable by another site
    csrf = current_app.extensions.get("csrf")
    if csrf is not None and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # 400 "The CSRF token is missing." / "… invalid"
    return None
