"""HTTP access to sources: timeouts, clear errors, no silent truncation."""
from __future__ import annotations

import json
from typing import Any

import requests

from .base import SourceError

USER_AGENT = "ckanext-khtourism-harvester/0.1 (+https://github.com/ckan/ckanext-harvest)"
DEFAULT_TIMEOUT = 30.0
# A spreadsheet or a page of features larger than this is refused, not loaded into memory.
MAX_BYTES = 200 * 1024 * 1024


def get(url: str, *, params: dict[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT,
        headers: dict[str, str] | None = None) -> requests.Response:
    """GET ``url``; any failure becomes a :class:`SourceError` naming the URL and the cause.

    urllib3 enforces Content-Length, so a body cut short raises instead of
    being returned truncated.
    """
    request_headers = {"User-Agent": USER_AGENT}
    request_headers.update(headers or {})
    try:
        response = requests.get(url, params=params, timeout=timeout, headers=request_headers,
                                stream=True)
        body = bytearray()
        for chunk in response.iter_content(chunk_size=256 * 1024):
            body.extend(chunk)
            if len(body) > MAX_BYTES:
                response.close()
                raise SourceError(f"{url}: response larger than {MAX_BYTES} bytes, refused")
        response._content = bytes(body)
    except requests.exceptions.Timeout as error:
        raise SourceError(f"{url}: timed out after {timeout:g} s ({error})") from error
    except requests.exceptions.ChunkedEncodingError as error:
        raise SourceError(f"{url}: response truncated (connection closed early: {error})") from error
    except requests.exceptions.ConnectionError as error:
        raise SourceError(f"{url}: source unreachable ({error})") from error
    except requests.exceptions.RequestException as error:
        raise SourceError(f"{url}: request failed ({error})") from error
    if response.status_code >= 400:
        snippet = response.text[:200].strip().replace("\n", " ")
        raise SourceError(f"{response.url}: HTTP {response.status_code} {response.reason}"
                          + (f": {snippet}" if snippet else ""))
    return response


def get_json(url: str, *, params: dict[str, Any] | None = None,
             timeout: float = DEFAULT_TIMEOUT, headers: dict[str, str] | None = None) -> Any:
    """GET and parse JSON; malformed or truncated JSON is a :class:`SourceError`."""
    response = get(url, params=params, timeout=timeout, headers=headers)
    try:
        return json.loads(response.content)  # JSON is UTF-8/16/32: detected from the bytes
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{response.url}: malformed or truncated JSON ({error})") from error
