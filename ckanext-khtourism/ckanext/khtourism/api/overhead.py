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
"""

from __future__ import annotations

import time
from typing import Any

from flask import has_request_context, request

import ckan.plugins.toolkit as tk

from ckanext.khtourism import compat

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
