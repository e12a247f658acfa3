"""Rate limit of CKAN's action API (``/api/action/…``, ``/api/3/action/…``).

Counted per signed-in user (browser session or API token: all of a user's
tokens share one quota) or, for anonymous calls, per client IP; counters in
Redis (the tourism API's storage), sliding windows. A breach is a 429 in the
action API's error shape with ``Retry-After``. Sysadmins are not limited.
When Redis is unreachable the limit is not applied (fail open) and the
failure is logged once per request.

Anonymous ``package_search`` calls through the action API also get at most
``ckanext.khtourism.action_api.anonymous_rows_max`` rows (CKAN's
``ckan.search.rows_max`` caps everyone's).
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

import limits
from flask import Response, current_app, has_request_context, request
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

import ckan.authz as authz
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages

from .rate_limit_storage import STORAGE_URL, storage_uri

log = logging.getLogger(__name__)

ENABLED = "ckanext.khtourism.action_api.rate_limit.enabled"
ANONYMOUS = "ckanext.khtourism.action_api.rate_limit.anonymous"
USER = "ckanext.khtourism.action_api.rate_limit.user"
ANONYMOUS_ROWS_MAX = "ckanext.khtourism.action_api.anonymous_rows_max"
ACTION_ENDPOINTS = {"api.action"}
KEY_PREFIX = "khtourism-action-api"
_LIMITER = "khtourism_action_limiter"


def _limiter() -> SlidingWindowCounterRateLimiter:
    limiter = current_app.extensions.get(_LIMITER)
    if limiter is None:
        url = tk.config.get(STORAGE_URL) or tk.config.get("ckan.redis.url")
        uri = storage_uri(url)
        options = (
            {} if uri.startswith("memory") else {"socket_timeout": 1, "socket_connect_timeout": 1}
        )
        # short socket timeouts: a frozen Redis costs a second, then the limit is skipped
        storage = storage_from_string(uri, key_prefix=KEY_PREFIX, **options)
        limiter = SlidingWindowCounterRateLimiter(storage)
        current_app.extensions[_LIMITER] = limiter
    return limiter


def reset() -> None:
    """Empty the counters (tests)."""
    limiter = current_app.extensions.get(_LIMITER)
    if limiter is not None:
        limiter.storage.reset()


def _caller() -> tuple[str, str | None]:
    """(counter key, setting) of the caller; setting None: not limited."""
    user = tk.current_user
    if user and user.is_authenticated and getattr(user, "name", None):
        if authz.is_sysadmin(user.name):
            return "", None
        return f"user:{user.id}", USER
    return f"ip:{request.remote_addr or 'unknown'}", ANONYMOUS


def _too_many(retry_after: int, limit: str) -> Response:
    message = messages.bilingual("too_many_requests", limit=limit, retry_after=retry_after)
    body = {
        "help": request.url,
        "success": False,
        "error": {"__type": "Rate Limit Exceeded", "message": message},
    }
    response = Response(json.dumps(body), status=429, mimetype="application/json")
    response.headers["Retry-After"] = str(retry_after)
    return response


def check_request() -> Response | None:
    """A 429 response when this action API call is over its quota, else None."""
    if request.endpoint not in ACTION_ENDPOINTS or not tk.config.get(ENABLED):
        return None
    key, setting = _caller()
    if setting is None:
        return None
    value = tk.config.get(setting)
    if not value:
        return None
    items = limits.parse_many(value)
    try:
        limiter = _limiter()
        for item in items:
            if not limiter.hit(item, key):
                reset_at = limiter.get_window_stats(item, key).reset_time
                retry_after = max(1, math.ceil(reset_at - time.time()))
                return _too_many(retry_after, str(item))
    except Exception as error:  # noqa: BLE001 - Redis down: fail open, never a 500
        log.warning("action API rate limit not applied (storage error): %s", error)
    return None


def cap_anonymous_rows(search_params: dict[str, Any]) -> dict[str, Any]:
    """``rows`` of an anonymous action-API ``package_search`` capped by the setting."""
    if not has_request_context() or request.endpoint not in ACTION_ENDPOINTS:
        return search_params
    user = tk.current_user
    if user and user.is_authenticated:
        return search_params
    cap = tk.config.get(ANONYMOUS_ROWS_MAX)
    try:
        rows = int(search_params.get("rows") or 0)
    except (TypeError, ValueError):
        return search_params
    if cap and rows > cap:
        search_params["rows"] = cap
    return search_params
