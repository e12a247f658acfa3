"""CKAN per-request work that most requests do not need: skipped or done less often.

CKAN's ``ckan_before_request`` calls ``app_globals._check_uptodate()`` on every
request: a ``system_info`` query and a COMMIT — which also costs a second pool
checkout (with its pre-ping) for the rest of the request — to notice that a
sysadmin changed a runtime-editable setting (site title, logo, custom CSS…)
through another instance. Here:

- **tourism API requests** skip it: no API answer uses those settings (the API
  reads ``ckan.site_url`` and its own settings, none of them runtime-editable).
  Measured: three of the ten PostgreSQL round trips of a list request (docs/api.md,
  "Per-request cost").
- **every other request** runs it at most once per
  ``ckanext.khtourism.runtime_config_check_seconds`` (default 5) in each process:
  a change saved in one process is seen by the others within that time instead of
  at their next request (the process that saved it applies it at once, as CKAN
  does: ``config_option_update`` and the reset view set it in their own process).
  ``0`` checks on every request, as CKAN does.

CKAN's ``identify_user`` runs before every request too, static files included (nginx
passes every request to CKAN, ``deployment/nginx/khtourism.conf``): for a signed-in
visitor that is the session's user looked up, looked up again by name and its
``last_active`` checked — two or three queries and a pool checkout for each script,
style sheet and image of a page (~20 per page). A file of CKAN's public folders
(endpoint ``static``, a blueprint's ``….static``) or of the webassets
(``webassets.index``) is the same for everyone, so for those requests the visitor is
not identified (``g.user`` empty, as for an anonymous visitor); every other request
is identified as before.
"""

from __future__ import annotations

import time
from typing import Any

from flask import g, has_request_context, request

import ckan.plugins.toolkit as tk

from ckanext.khtourism import compat
from ckanext.khtourism.core.static_files import serves_a_static_file

CHECK_EVERY_SETTING = "ckanext.khtourism.runtime_config_check_seconds"


class ConfigCheckClock:
    """When this process last ran CKAN's runtime-config check."""

    last: float | None = None

    @classmethod
    def due(cls, now: float) -> bool:
        every = tk.config.get(CHECK_EVERY_SETTING)
        if not every or cls.last is None or now - cls.last >= float(every):
            cls.last = now
            return True
        return False


def skip_config_check_under(prefix: str) -> None:
    """Wrap ``app_globals._check_uptodate`` so that it does nothing for ``prefix/…``
    requests and runs at most once per :data:`CHECK_EVERY_SETTING` seconds for the
    others (compat entry ``api.check_uptodate``; once per prefix: the test suite builds
    the app several times)."""
    path_prefix = prefix.rstrip("/") + "/"

    def unless_api(check: Any) -> Any:
        def check_uptodate_unless_api() -> None:
            if has_request_context() and (request.path + "/").startswith(path_prefix):
                return
            if ConfigCheckClock.due(time.monotonic()):
                check()

        return check_uptodate_unless_api

    compat.wrap("api.check_uptodate", unless_api, key=prefix)


# modules that hold CKAN's identify_user by name
_IDENTIFY_USER_HOLDERS = ("ckan.config.middleware.flask_app",)
_identify_user: Any = None


def identify_user_unless_static_file() -> Any:
    """CKAN's ``identify_user``, except for a static file's request."""
    if has_request_context() and serves_a_static_file():
        # the address as CKAN's identify_user sets it (the proxy's header first)
        g.remote_addr = request.environ.get("HTTP_X_FORWARDED_FOR", "") or request.environ.get(
            "REMOTE_ADDR", "Unknown IP Address"
        )
        g.user = ""
        g.userobj = ""
        return None
    return _identify_user()


def no_user_for_static_files() -> None:
    """Put :func:`identify_user_unless_static_file` in place of CKAN's ``identify_user``
    (compat entry ``views.identify_user``; idempotent)."""
    global _identify_user
    original = compat.replace_everywhere(
        "views.identify_user", identify_user_unless_static_file, _IDENTIFY_USER_HOLDERS
    )
    if original is not None:
        _identify_user = original
