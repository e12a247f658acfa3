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
from typing import Any

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


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


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
        log.warning("Search cache unavailable: %s", error)
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


def store(key: str, generation: int | None, result: dict[str, Any]) -> None:
    if generation is None:
        return
    payload = json.dumps([generation, result], default=str)
    if len(payload) > _max_bytes():
        return
    try:
        _redis().set(key, payload, ex=ttl())
    except Exception as error:  # noqa: BLE001
        log.warning("Search cache unavailable: %s", error)


def note_change(session: Any) -> None:
    """The session wrote to the index: invalidate when (and if) it commits."""
    session.info[CHANGED] = True


def has_uncommitted_change(session: Any) -> bool:
    return bool(session.info.get(CHANGED))


def session_committed(session: Any) -> None:
    if session.info.pop(CHANGED, None):
        invalidate()


def session_rolled_back(session: Any) -> None:
    session.info.pop(CHANGED, None)


def invalidate() -> None:
    """A committed index change: every cached result is out of date."""
    try:
        _redis().incr(GENERATION_KEY)
    except Exception as error:  # noqa: BLE001
        # without the increment, stale entries live at most cache_ttl seconds
        log.error("Search cache: could not record an index change: %s", error)
