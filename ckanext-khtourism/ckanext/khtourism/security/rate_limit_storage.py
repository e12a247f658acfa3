"""Where the rate limits count: the Redis of the tourism API's and the action API's limits."""

from __future__ import annotations

from urllib.parse import urlsplit

# the Redis holding the counters (default: CKAN's ``ckan.redis.url``)
STORAGE_URL = "ckanext.khtourism.api.rate_limit.storage_url"


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
