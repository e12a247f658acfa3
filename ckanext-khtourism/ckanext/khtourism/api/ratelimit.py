"""Rate limiting with Flask-Limiter, counters in Redis.

Two limits, both configurable: requests with an API token are counted per
user — every token of one user shares the quota —
(``ckanext.khtourism.api.rate_limit.token``), requests without one per
client IP (``ckanext.khtourism.api.rate_limit.anonymous``). A breach is a 429
in the API's error shape with ``Retry-After``.

Counting uses sliding-window counters (two integers per window in Redis,
where a moving window keeps one list entry per request: up to 50,000 for the
default hourly token quota). The strategy :class:`OneTripSlidingWindow`
checks and counts every window of the request's limit (e.g. per minute and
per hour) in **one** Lua call, all or nothing (a refused request consumes
nothing), and keeps the result for the rest of the request, so the
``X-RateLimit-*`` and ``Retry-After`` headers need no further round trip:
one Redis round trip per request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Any

import limits
from flask import Blueprint, Flask, has_request_context, request
from flask_limiter import Limiter, RequestLimit
from limits.storage import RedisStorage
from limits.strategies import STRATEGIES, SlidingWindowCounterRateLimiter
from limits.util import WindowStats

import ckan.plugins.toolkit as tk

from ckanext.khtourism.clients.registry import is_client_token
from ckanext.khtourism.security.rate_limit_storage import STORAGE_URL, storage_uri

from .auth import resolve_user, token_from_request
from .errors import ApiError

log = logging.getLogger(__name__)

ANONYMOUS_LIMIT = "ckanext.khtourism.api.rate_limit.anonymous"
TOKEN_LIMIT = "ckanext.khtourism.api.rate_limit.token"
ENABLED = "ckanext.khtourism.api.rate_limit.enabled"
KEY_PREFIX = "khtourism-api"
STRATEGY = "khtourism-one-trip-sliding-window"
# limit scope -> the setting holding its limits (shared by every API endpoint)
SCOPES = {"anonymous": ANONYMOUS_LIMIT, "token": TOKEN_LIMIT}
_WINDOWS = "khtourism.api.rate_windows"  # request.environ key: this request's results

# KEYS: previous and current window key of each limit item (2 per item).
# ARGV: cost, then amount and expiry (seconds) of each item. limits'
# acquire_sliding_window.lua for several items at once, all or nothing.
# Returns per item: allowed (1/0), previous count, previous TTL (ms),
# current count, current TTL (ms), after counting.
ONE_TRIP_SCRIPT = """
local cost = tonumber(ARGV[1])
local n = #KEYS / 2
local state = {}
local all_allowed = true
for i = 1, n do
  local previous_key, current_key = KEYS[2 * i - 1], KEYS[2 * i]
  local amount = tonumber(ARGV[2 * i])
  local expiry = tonumber(ARGV[2 * i + 1]) * 1000
  local current_ttl = tonumber(redis.call('pttl', current_key))
  if current_ttl > 0 and current_ttl < expiry then
    redis.call('rename', current_key, previous_key)
    redis.call('set', current_key, 0, 'PX', current_ttl + expiry)
  end
  local previous_count = tonumber(redis.call('get', previous_key)) or 0
  local previous_ttl = math.max(tonumber(redis.call('pttl', previous_key)) or 0, 0)
  local current_count = tonumber(redis.call('get', current_key)) or 0
  current_ttl = math.max(tonumber(redis.call('pttl', current_key)) or 0, 0)
  local weighted = math.floor(previous_count * previous_ttl / expiry) + current_count
  local allowed = 1
  if cost > amount or weighted + cost > amount then
    allowed = 0
    all_allowed = false
  end
  state[i] = {allowed, previous_count, previous_ttl, current_count, current_ttl, expiry}
end
local result = {}
for i = 1, n do
  local s = state[i]
  if all_allowed then
    local current_key = KEYS[2 * i]
    if redis.call('exists', current_key) == 1 then
      redis.call('incrby', current_key, cost)
    else
      redis.call('set', current_key, cost, 'PX', s[6] * 2)
      s[5] = s[6] * 2
    end
    s[4] = s[4] + cost
  end
  for j = 1, 5 do
    result[#result + 1] = s[j]
  end
end
return result
"""


class OneTripSlidingWindow(SlidingWindowCounterRateLimiter):
    """Sliding-window counters; all windows of a request's limit in one Redis call.

    On plain Redis only; on other storages (``memory://``) it is limits'
    sliding-window counter strategy unchanged.
    """

    def __init__(self, storage: Any) -> None:
        super().__init__(storage)
        self._redis: RedisStorage | None = storage if type(storage) is RedisStorage else None
        self._script = (
            self._redis.get_connection().register_script(ONE_TRIP_SCRIPT.encode())
            if self._redis is not None
            else None
        )

    def hit(self, item: limits.RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        if self._script is None or not has_request_context():
            return super().hit(item, *identifiers, cost=cost)
        windows = request.environ.setdefault(_WINDOWS, {})
        if identifiers not in windows:
            windows[identifiers] = self._acquire(item, identifiers, cost)
        state = windows[identifiers].get(item)
        if state is None:  # not one of the scope's configured limits
            return super().hit(item, *identifiers, cost=cost)
        return bool(state[0])

    def get_window_stats(self, item: limits.RateLimitItem, *identifiers: str) -> WindowStats:
        state = None
        if has_request_context():
            state = request.environ.get(_WINDOWS, {}).get(identifiers, {}).get(item)
        if state is None:
            return super().get_window_stats(item, *identifiers)
        _allowed, previous_count, previous_ttl_ms, current_count, current_ttl_ms = state
        expiry = item.get_expiry()
        previous_expires_in, current_expires_in = previous_ttl_ms / 1000, current_ttl_ms / 1000
        weighted = previous_count * previous_expires_in / expiry + current_count
        remaining = max(0, item.amount - math.floor(weighted))
        now = time.time()
        if not (previous_count or current_count):
            return WindowStats(now, remaining)
        previous_reset_in = (
            previous_expires_in % (expiry / previous_count) if previous_count else math.inf
        )
        current_reset_in = current_expires_in % expiry if current_count else math.inf
        return WindowStats(now + min(previous_reset_in, current_reset_in), remaining)

    def _acquire(
        self, item: limits.RateLimitItem, identifiers: tuple[str, ...], cost: int
    ) -> dict[limits.RateLimitItem, tuple[int, ...]]:
        items = list(dict.fromkeys([*_scope_items(identifiers[-1]), item]))
        storage, script = self._redis, self._script
        if storage is None or script is None:  # hit() comes here on plain Redis only
            raise RuntimeError("one-trip sliding windows need a Redis storage")
        keys: list[str] = []
        args: list[int] = [cost]
        for each in items:
            key = each.key_for(*identifiers)
            keys.append(storage.prefixed_key(storage._previous_window_key(key)))
            keys.append(storage.prefixed_key(storage._current_window_key(key)))
            args.extend((each.amount, each.get_expiry()))
        flat = [int(value) for value in script(keys, args)]
        return {each: tuple(flat[5 * n : 5 * n + 5]) for n, each in enumerate(items)}


def _scope_items(scope: str) -> list[limits.RateLimitItem]:
    setting = SCOPES.get(scope)
    value = tk.config.get(setting) if setting else None
    return limits.parse_many(value) if value else []


STRATEGIES.setdefault(STRATEGY, OneTripSlidingWindow)


def storage_options(uri: str) -> dict[str, Any]:
    """Short socket timeouts for a Redis storage (``ckanext.khtourism.redis.timeout``)."""
    if not uri.startswith("redis"):
        return {}
    try:
        timeout = max(0.0, float(tk.config.get("ckanext.khtourism.redis.timeout", 0.5)))
    except (TypeError, ValueError):
        timeout = 0.5
    return {"socket_timeout": timeout or None, "socket_connect_timeout": timeout or None}


def client_ip() -> str:
    return request.remote_addr or "unknown"


def token_key() -> str:
    """The token's user: all of a user's tokens share one quota (a user who
    mints more tokens gets no more requests). A token that names no active
    user is counted on its own (the request then fails with 401)."""
    try:
        user = resolve_user()
    except ApiError:
        user = None
    if user is not None:
        return f"user:{user.id}"
    token = token_from_request() or ""
    return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]


def has_token() -> bool:
    return token_from_request() is not None


def has_user_token() -> bool:
    """A CKAN API token (a registered client's token is counted on its own quota)."""
    token = token_from_request()
    return token is not None and not is_client_token(token)


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
            storage_options=storage_options(uri),
            strategy=STRATEGY,
            headers_enabled=True,
            key_prefix=KEY_PREFIX,
            # Redis down or frozen: answer (fail open), count in this process's memory
            # meanwhile, and try Redis again now and then — never a 500, never a long wait
            swallow_errors=True,
            in_memory_fallback_enabled=True,
            on_breach=on_breach,
        )
        limiter.init_app(app)
        # shared: one quota per client for the whole API, not one per endpoint
        limiter.shared_limit(
            lambda: tk.config.get(ANONYMOUS_LIMIT),
            scope="anonymous",
            key_func=client_ip,
            exempt_when=has_token,
            methods=["GET", "HEAD"],
        )(blueprint)
        limiter.shared_limit(
            lambda: tk.config.get(TOKEN_LIMIT),
            scope="token",
            key_func=token_key,
            exempt_when=lambda: not has_user_token(),
            methods=["GET", "HEAD"],
        )(blueprint)
        app.extensions["khtourism_api_limiter"] = limiter

    blueprint.record_once(setup)


def retry_after_seconds(limit: RequestLimit) -> int:
    return max(1, int(limit.reset_at - time.time()) + 1)
