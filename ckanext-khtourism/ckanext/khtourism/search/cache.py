"""A result cache for the PostgreSQL engine, as Solr's ``queryResultCache``.

A portal answers the same searches again and again (the home page's facets,
the dataset list, the API pages that the provincial platform polls). A
search whose SQL and parameters were answered before, with no index change
since, is answered from Redis instead of PostgreSQL.

Invalidation is by *generation*: a Redis counter that every committed index
change increments (``after_commit`` of the session that wrote to the index;
see :func:`.connection.track_commits`). An entry stores the generation read
*before* its query ran, and is used only while the counter still has that
value. So a result is never served after a change that committed after it
was computed; at worst a result computed just after a commit is recomputed
once more. A process that dies between its commit and the increment leaves
entries at most ``ckanext.khtourism.search.cache_ttl`` seconds old.

Keys hold a hash of the SQL and its bound parameters, which include the
visitor's permission labels: one visitor's private results are never served
to another. Queries with ``NOW`` date math bind the current time and so are
never reused (as in Solr, unless rounded, e.g. ``NOW/DAY``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from typing import Any

from . import replicas

log = logging.getLogger(__name__)

TTL_OPTION = "ckanext.khtourism.search.cache_ttl"
MAX_BYTES_OPTION = "ckanext.khtourism.search.cache_max_bytes"
GENERATION_KEY = "khtourism:search:generation"
# In ``session.info``: the session wrote to the index; its commit invalidates.
CHANGED = "khtourism_search_changed"
ENTRY_PREFIX = "khtourism:search:result:"


def ttl() -> int:
    from ckan.common import config

    try:
        return max(0, int(config.get(TTL_OPTION, 300) or 0))
    except (TypeError, ValueError):
        return 0


def _max_bytes() -> int:
    from ckan.common import config

    try:
        return int(config.get(MAX_BYTES_OPTION, 1_000_000) or 0)
    except (TypeError, ValueError):
        return 1_000_000


TIMEOUT_OPTION = "ckanext.khtourism.redis.timeout"
RETRY_AFTER_OPTION = "ckanext.khtourism.redis.retry_after"


class CacheUnavailable(RuntimeError):
    """Redis failed a moment ago: the cache is skipped until ``retry_after`` has passed."""


_pools: dict[tuple[str, float], Any] = {}
_pools_lock = threading.Lock()
_down_until = 0.0
# an index change committed while Redis was unreachable: record it once Redis answers again
_invalidation_pending = False


def _float_option(name: str, default: float) -> float:
    from ckan.common import config

    try:
        return max(0.0, float(config.get(name, default)))
    except (TypeError, ValueError):
        return default


def _redis() -> Any:
    """A client with short timeouts (a frozen Redis costs a search at most this long, once
    per ``retry_after`` seconds), not CKAN's shared one (no timeout: a frozen Redis held
    every search for minutes)."""
    import redis

    from ckan.common import config

    if time.monotonic() < _down_until:
        raise CacheUnavailable("Redis failed recently; cache skipped")
    url = config.get("ckan.redis.url")
    timeout = _float_option(TIMEOUT_OPTION, 0.5) or None
    key = (url, timeout or 0.0)
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key) or redis.ConnectionPool.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
            _pools[key] = pool
    client = redis.Redis(connection_pool=pool)
    if _invalidation_pending:
        _record_pending_invalidation(client)
    return client


def _failed(error: Exception) -> None:
    """Skip the cache for ``retry_after`` seconds after a Redis failure."""
    global _down_until
    if isinstance(error, CacheUnavailable):
        return
    _down_until = time.monotonic() + _float_option(RETRY_AFTER_OPTION, 5.0)
    log.warning("Search cache unavailable (searches go to PostgreSQL): %s", error)


def _record_pending_invalidation(client: Any) -> None:
    global _invalidation_pending
    client.incr(GENERATION_KEY)
    _invalidation_pending = False


def key_for(sql: str, params: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(sql.encode())
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    return ENTRY_PREFIX + digest.hexdigest()


def lookup(key: str) -> tuple[dict[str, Any] | None, int | None]:
    """(cached result or None, current generation); (None, None) when Redis fails."""
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.get(GENERATION_KEY)
        pipe.get(key)
        generation_raw, entry = pipe.execute()
    except Exception as error:  # noqa: BLE001 - a cache outage must not fail a search
        _failed(error)
        return None, None
    generation = int(generation_raw or 0)
    if entry:
        try:
            stored_generation, result = json.loads(entry)
        except ValueError:
            return None, generation
        if stored_generation == generation:
            return result, generation
    return None, generation


def store(
    key: str, generation: int | None, result: dict[str, Any], max_ttl: int | None = None
) -> None:
    """Cache ``result`` under ``generation`` for ``cache_ttl`` seconds, or ``max_ttl``
    if shorter (a replica's answer: it may predate the generation, replicas.py)."""
    if generation is None:
        return
    payload = json.dumps([generation, result], default=str)
    if len(payload) > _max_bytes():
        return
    seconds = ttl() if max_ttl is None else max(1, min(ttl(), max_ttl))
    try:
        _redis().set(key, payload, ex=seconds)
    except Exception as error:  # noqa: BLE001
        _failed(error)


def note_change(session: Any) -> None:
    """The session wrote to the index: invalidate when (and if) it commits; its
    searches stay on the primary (read-your-writes, replicas.py)."""
    session.info[CHANGED] = True
    replicas.note_write(session)


def has_uncommitted_change(session: Any) -> bool:
    return bool(session.info.get(CHANGED))


def session_committed(session: Any) -> None:
    if session.info.pop(CHANGED, None):
        invalidate()


def session_rolled_back(session: Any) -> None:
    session.info.pop(CHANGED, None)


def invalidate() -> None:
    """A committed index change: every cached result is out of date."""
    global _invalidation_pending
    try:
        _redis().incr(GENERATION_KEY)
    except Exception as error:  # noqa: BLE001
        # recorded by this process's next successful call (a Redis restarted from its dump
        # would serve entries older than the change); at worst cache_ttl seconds old
        _invalidation_pending = True
        _failed(error)
        log.error("Search cache: could not record an index change yet: %s", error)
