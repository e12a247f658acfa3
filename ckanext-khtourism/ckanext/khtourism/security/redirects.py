"""Redirect targets taken from a request (``Referer``, ``came_from``) kept on this site."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import ckan.plugins.toolkit as tk


def same_origin_path(url: str | None) -> str | None:
    """The path (and query) of ``url`` if it points at this portal, else ``None``.

    A relative path is kept; an absolute URL is kept only when its scheme and
    host are the request's own (or ``ckan.site_url``'s); scheme-relative
    (``//evil.example``) and backslash tricks (``/\\evil.example``) are refused.
    """
    if not url:
        return None
    url = url.strip()
    if any(ord(char) < 32 for char in url) or "\\" in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        own = {
            (urlsplit(tk.request.host_url).scheme, tk.request.host),
        }
        site = urlsplit(tk.config.get("ckan.site_url") or "")
        if site.netloc:
            own.add((site.scheme, site.netloc))
        if (parts.scheme, parts.netloc) not in own:
            return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return urlunsplit(("", "", path, parts.query, ""))
