"""The portal's static files — scripts, styles, fonts, images — kept by browsers.

CKAN sends every static file with ``Cache-Control: no-cache, public, max-age=0,
must-revalidate`` (Flask's ``send_file`` without a maximum age, then CKAN's
``ckan.cache_expires``, default 0) and, once the request has read the session,
``Vary: Cookie``. A browser then asks again for each of the ~20 files of every page it
shows, and downloads it whole whenever its session cookie has changed — and nginx passes
every request to CKAN (``deployment/nginx/khtourism.conf``): ~20 requests to the
application for each page a visitor opens, the 260 kB style sheet among them.

Here, as the response leaves the application (after CKAN's headers and the session's):

- a **webassets bundle** (``/webassets/<folder>/<hash>_<name>``: webassets writes the
  hash of the content into the name, so a changed bundle has a new URL):
  ``public, max-age=31536000, immutable`` — a year, never asked again;
- any **other file of the public folders** (endpoint ``static`` or a blueprint's
  ``….static``: CKAN's and the theme's images, fonts, the vendored map library, the
  province outline): ``public, max-age=<ckanext.khtourism.static_max_age>`` (default
  3,600 s: a replaced logo shows within the hour; ``0`` keeps CKAN's headers);
- neither varies by cookie: the file is the same for every visitor, signed in or not
  (Flask adds ``Vary: Cookie`` whenever the request read the session, which Flask-Login
  does for every request);
- a response that sets a cookie (a session refreshed on the way) is ``private``: kept
  by the visitor's browser, never by a shared cache.

Uploaded files (``/uploads/…``, served by the same ``static`` endpoint) keep CKAN's
headers: an upload can be replaced under the same name. A 304 answer carries the same
headers as the file (so the browser keeps it for as long again); any other status
keeps CKAN's.

Two steps, as the decision needs the request's endpoint and the headers are final only
after Flask saved the session: an ``after_request`` function notes the lifetime in the
WSGI environment, and a wrapper of the application's ``wsgi_app`` writes the headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Response, request

import ckan.plugins.toolkit as tk

MAX_AGE_OPTION = "ckanext.khtourism.static_max_age"
# a year: the longest freshness HTTP caches are asked to honour (RFC 9111 §5.2.2.1)
IMMUTABLE_MAX_AGE = 31_536_000
# endpoints that send a file that is the same for every visitor
STATIC_FILE_ENDPOINTS = frozenset({"static", "webassets.index"})
# webassets' output name: the content's hash (8 hex digits), "_", the bundle's name
HASHED_BUNDLE = re.compile(r"/[0-9a-f]{8}_[^/]+$")
# where the after_request step leaves the file's lifetime for the WSGI step
ENVIRON_KEY = "khtourism.static_file.lifetime"


def serves_a_static_file() -> bool:
    """Is this request for a file of the public folders or the webassets (uploads too)?"""
    endpoint = request.endpoint or ""
    return endpoint in STATIC_FILE_ENDPOINTS or endpoint.endswith(".static")


def serves_an_upload() -> bool:
    """Is this request for an uploaded file under ``/uploads/`` (CKAN serves them from its
    storage folder through the ``static`` endpoint)?"""
    return request.endpoint == "static" and request.path.startswith("/uploads/")


def lifetime_of_this_file() -> tuple[int, bool] | None:
    """The browser cache's lifetime for this request's file — (seconds, immutable) — or
    None when the request is not for a static file (or is an upload) and keeps CKAN's
    headers."""
    if not serves_a_static_file() or serves_an_upload():
        return None
    if request.endpoint == "webassets.index" and HASHED_BUNDLE.search(request.path):
        return IMMUTABLE_MAX_AGE, True
    max_age = int(tk.config.get(MAX_AGE_OPTION) or 0)
    return (max_age, False) if max_age else None


def note_lifetime(response: Response) -> Response:
    """``after_request``: the lifetime of this response's file, for :func:`cached_headers`."""
    if response.status_code in (200, 304):
        lifetime = lifetime_of_this_file()
        if lifetime is not None:
            request.environ[ENVIRON_KEY] = lifetime
    return response


Headers = list[tuple[str, str]]


def cached_headers(
    headers: Iterable[tuple[str, str]], max_age: int, immutable: bool = False
) -> Headers:
    """``headers`` with the file's ``Cache-Control`` and without ``Cookie`` in ``Vary``."""
    headers = list(headers)
    sets_cookie = any(name.lower() == "set-cookie" for name, _value in headers)
    cache_control = f"{'private' if sets_cookie else 'public'}, max-age={max_age}"
    if immutable:
        cache_control += ", immutable"
    kept: Headers = []
    for name, value in headers:
        if name.lower() == "cache-control":
            continue
        if name.lower() == "vary":
            value = ", ".join(
                part.strip() for part in value.split(",") if part.strip().lower() != "cookie"
            )
            if not value:
                continue
        kept.append((name, value))
    kept.append(("Cache-Control", cache_control))
    return kept


class StaticFileHeaders:
    """WSGI wrapper of the Flask application's ``wsgi_app``: the final headers of a
    static file's response (:func:`cached_headers`) when :func:`note_lifetime` noted one."""

    def __init__(self, wsgi_app: Callable[..., Any]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: Headers, exc_info: Any = None) -> Any:
            lifetime = environ.get(ENVIRON_KEY)
            if lifetime is not None:
                headers = cached_headers(headers, *lifetime)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def install(app: Any) -> Any:
    """Both steps on CKAN's Flask application (``IMiddleware.make_middleware``)."""
    if not isinstance(app.wsgi_app, StaticFileHeaders):
        app.after_request(note_lifetime)
        app.wsgi_app = StaticFileHeaders(app.wsgi_app)
    return app
