"""CKAN per-request work that a tourism API request does not need, skipped for it.

CKAN's ``ckan_before_request`` calls ``app_globals._check_uptodate()`` on every
request: a ``system_info`` query and a COMMIT — which also costs a second pool
checkout (with its pre-ping) for the rest of the request — to notice that a
sysadmin changed a runtime-editable setting (site title, logo, custom CSS…)
through another instance. No API answer uses those settings (the API reads
``ckan.site_url`` and its own settings, none of them runtime-editable), so the
check is skipped for paths under the API's base path; every other request
still runs it and picks the change up. Measured: three of the ten PostgreSQL
round trips of a list request (docs/api.md, "Per-request cost").
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ckanext.khtourism import compat


def skip_config_check_under(prefix: str) -> None:
    """Wrap ``app_globals._check_uptodate`` so that it does nothing for ``prefix/…``
    requests (compat entry ``api.check_uptodate``; once per prefix: the test suite builds
    the app several times)."""
    path_prefix = prefix.rstrip("/") + "/"

    def unless_api(check: Any) -> Any:
        def check_uptodate_unless_api() -> None:
            if has_request_context() and (request.path + "/").startswith(path_prefix):
                return
            check()

        return check_uptodate_unless_api

    compat.wrap("api.check_uptodate", unless_api, key=prefix)
