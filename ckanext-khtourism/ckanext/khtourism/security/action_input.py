"""A NUL character in any parameter of CKAN's action API is a 409 naming the parameter.

PostgreSQL text cannot hold a NUL: ``package_show?id=a%00b`` (and every other action given a
NUL in a query-string, form or JSON parameter) failed in the database, a 500. Checked once,
before any action runs, for every parameter name and value (nested JSON walked); the answer
is the action API's validation error (409, ``{"<parameter>": ["… NUL …"]}``, as CKAN answers a
``ValidationError``), in the user's language. ``package_search`` is left to the search engine,
which answers 400 "Search Query Error" naming the parameter (``search/parse.py``); record
fields give the same message at create/update from ``field_limits`` (used here too).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from ckanext.khtourism.core import messages

from .action_limits import ACTION_ENDPOINTS
from .field_limits import has_nul

# their NUL characters are refused by the search engine (400 "Search Query Error")
SEARCH_ACTIONS = {"package_search"}


def _parameters() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = list(request.args.items(multi=True))
    found.extend(request.form.items(multi=True))
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        found.extend(body.items())
    return found


def check_request() -> Response | None:
    """A 409 response naming the first action API parameter that holds a NUL, else None."""
    if request.endpoint not in ACTION_ENDPOINTS:
        return None
    if (request.view_args or {}).get("logic_function") in SEARCH_ACTIONS:
        return None
    for name, value in _parameters():
        if has_nul(name) or has_nul(value):
            return _refused(str(name).replace("\x00", "\\x00"))
    return None


def _refused(name: str) -> Response:
    body = {
        "help": request.url,
        "success": False,
        "error": {"__type": "Validation Error", name: [messages.text("nul_character")]},
    }
    return Response(json.dumps(body), status=409, mimetype="application/json")
