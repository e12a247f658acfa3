"""Basemap settings and the Content-Security-Policy they need.

``ckanext.khtourism.maps.tile_url`` is a tile URL template or ``none``; the
tile host must be allowed in the policy's ``img-src`` or the browser refuses
every tile, so :func:`policy_with_tiles` adds it to the configured policy.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

TILE_URL = "ckanext.khtourism.maps.tile_url"
TILE_ATTRIBUTION = "ckanext.khtourism.maps.tile_attribution"
TILE_ATTRIBUTION_URL = "ckanext.khtourism.maps.tile_attribution_url"
SEARCH_MARKERS_MAX = "ckanext.khtourism.maps.search_markers_max"

NO_TILES = ("", "none", "off", "false")


def tile_url() -> str:
    """The tile URL template, or ``""`` when the maps have no basemap."""
    value = (tk.config.get(TILE_URL) or "").strip()
    return "" if value.lower() in NO_TILES else value


def tile_origin(url: str) -> str:
    """The CSP source of a tile URL template: ``https://tile.example.org``;
    a ``{s}`` subdomain becomes a wildcard (``https://*.tile.example.org``)."""
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{host}"


def _directives(policy: str) -> list[list[str]]:
    return [part.split() for part in policy.split(";") if part.strip()]


@functools.lru_cache(maxsize=16)
def policy_with_tiles(policy: str, url: str) -> str:
    """``policy`` with the tile origin of ``url`` allowed in ``img-src`` (unless a
    source already there covers it: the origin itself, ``*`` or its bare scheme)."""
    origin = tile_origin(url)
    if not policy or not origin:
        return policy
    scheme = origin.split("://", 1)[0] + ":"
    directives = _directives(policy)
    names = [directive[0].lower() for directive in directives]
    if "img-src" in names:
        img_src = directives[names.index("img-src")]
    else:
        defaults = directives[names.index("default-src")][1:] if "default-src" in names else []
        img_src = ["img-src", *[s for s in defaults if s != "'none'"]]
        directives.append(img_src)
    if not {origin, "*", scheme} & set(img_src[1:]):
        img_src.append(origin)
    return "; ".join(" ".join(directive) for directive in directives)
