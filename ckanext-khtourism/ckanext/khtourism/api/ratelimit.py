"""Rate limiting with Flask-Limiter, counters in Redis.

Two limits, both configurable: requests with an API token are counted per
token (``ckanext.khtourism.api.rate_limit.token``), requests without one per
client IP (``ckanext.khtourism.api.rate_limit.anonymous``). A breach is a 429
in the API's error shape with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from flask import Blueprint, Flask, request
from flask_limiter import Limiter, RequestLimit

import ckan.plugins.toolkit as tk

from .auth import token_from_request

log = logging.getLogger(__name__)

ANONYMOUS_LIMIT = "ckanext.khtourism.api.rate_limit.anonymous"
TOKEN_LIMIT = "ckanext.khtourism.api.rate_limit.token"
ENABLED = "ckanext.khtourism.api.rate_limit.enabled"
STORAGE_URL = "ckanext.khtourism.api.rate_limit.storage_url"
KEY_PREFIX = "khtourism-api"


def storage_uri(redis_url: str) -> str:
    """A ``limits`` storage URI for CKAN's Redis URL.

    ``unix:///run/redis.sock?db=1`` (redis-py's form) becomes
    ``redis+unix:///run/redis.sock?db=1``; ``redis://`` and ``rediss://``
    URLs are used as they are; ``memory://`` is accepted for development.
    """
    scheme = urlsplit(redis_url).scheme
    if scheme == "unix":
        return "redis+unix" + redis_url[len("unix") :]
    if scheme in ("redis", "rediss", "redis+unix", "memory", "redis+sentinel", "redis+cluster"):
        return redis_url
    raise ValueError(f"unsupported Redis URL scheme for rate limiting: {scheme!r}")


def client_ip() -> str:
    return request.remote_addr or "unknown"


def token_key() -> str:
    token = token_from_request() or ""
    return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]


def has_token() -> bool:
    return token_from_request() is not None


def attach(blueprint: Blueprint, on_breach) -> None:
    """Create a Limiter for every app the blueprint is registered on."""

    def setup(state) -> None:
        app: Flask = state.app
        if not tk.asbool(tk.config.get(ENABLED, True)):
            return
        uri = storage_uri(tk.config.get(STORAGE_URL) or tk.config.get("ckan.redis.url"))
        limiter = Limiter(
            key_func=client_ip,
            storage_uri=uri,
            strategy="moving-window",
            headers_enabled=True,
            key_prefix=KEY_PREFIX,
            swallow_errors=True,
            on_breach=on_breach,
        )
        limiter.init_app(app)
        limiter.limit(
            lambda: tk.config.get(ANONYMOUS_LIMIT),
            key_func=client_ip,
            exempt_when=has_token,
            methods=["GET", "HEAD"],
            scope="anonymous",
        )(blueprint)
        limiter.limit(
            lambda: tk.config.get(TOKEN_LIMIT),
            key_func=token_key,
            exempt_when=lambda: not has_token(),
            methods=["GET", "HEAD"],
            scope="token",
        )(blueprint)
        app.extensions["khtourism_api_limiter"] = limiter

    blueprint.record_once(setup)


def retry_after_seconds(limit: RequestLimit) -> int:
    import time

    return max(1, int(limit.reset_at - time.time()) + 1)
