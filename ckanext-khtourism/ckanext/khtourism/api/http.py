"""HTTP details shared by every API response: errors, CORS, caching validators."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Response, request

from .errors import ApiError
from .params import request_lang

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, Retry-After, Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    ),
    "Access-Control-Max-Age": "86400",
}
VARY = ("Accept", "Accept-Language", "Authorization")
# The longest request URI (path and query string) the API reads: room for the longest
# ``polygon`` (params.MAX_POLYGON_LENGTH characters) URL-encoded, and the other parameters.
# Longer ones get 414 in the API's error shape; the deployment lets them through to here
# (deployment/gunicorn.conf.py limit_request_line, nginx large_client_header_buffers).
MAX_URI_LENGTH = 400_000


def lang() -> str:
    return request_lang(request.args, request.accept_languages)


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(error.as_dict(lang()), ensure_ascii=False).encode("utf-8")
    response = Response(body, status=error.status, content_type="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def uri_too_long() -> Response | None:
    """A 414 answer when the request's URI is longer than :data:`MAX_URI_LENGTH`."""
    length = len(request.path) + len(request.environ.get("QUERY_STRING", ""))
    if length <= MAX_URI_LENGTH:
        return None
    return error_response(ApiError("uri_too_long", None, str(MAX_URI_LENGTH)))


def add_cors(response: Response) -> Response:
    for key, value in CORS_HEADERS.items():
        response.headers.setdefault(key, value)
    for header in VARY:
        response.vary.add(header)
    return response


def conditional(
    body: bytes,
    media_type: str,
    last_modified: dt.datetime | None,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """A 200 with a strong ETag (hash of the body) and Last-Modified; 304 when the
    client's If-None-Match / If-Modified-Since show it already has this body."""
    response = Response(body, status=200, content_type=media_type)
    for key, value in (extra_headers or {}).items():
        response.headers[key] = value
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.add_etag()
    response.make_conditional(request)  # in place
    return response


def parse_timestamp(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed
