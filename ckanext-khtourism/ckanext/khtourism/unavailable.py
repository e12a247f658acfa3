"""PostgreSQL down: a clear 503 page (Vietnamese and English) instead of a 500 traceback.

While the database cannot be reached every request fails on its first query (often in CKAN's
own ``before_request``, which identifies the user). :func:`install` registers a Flask error
handler for SQLAlchemy's connection errors that answers ``503 Service Unavailable`` with
``Retry-After``: a self-contained HTML page for pages, CKAN's JSON error shape for
``/api/…``. It renders no template (a template would query the database again) and drops the
request's session, so the broken connection goes back to no one. Recovery needs no restart:
``sqlalchemy.pool_pre_ping`` (on by default) replaces dead pooled connections once the server
is back.
"""

from __future__ import annotations

import html
import json
import logging
from typing import Any

import sqlalchemy.exc as sa_exc
from flask import Response, request

from ckanext.khtourism.core.i18n import gettext
from ckanext.khtourism.core.messages import N_
from ckanext.khtourism.core.side_connections import side_engine

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# both languages on one page: it is made without the database, before CKAN knows the locale
TITLE = N_("Portal temporarily unavailable")
MESSAGE = N_(
    "The portal's database is unavailable at the moment. Please try again in a few minutes; "
    "no data has been lost."
)


# SQLSTATE classes of a server that is gone or going: connection exceptions, admin/crash
# shutdown, "cannot connect now" (starting up or shutting down)
_UNAVAILABLE_CODES = ("08", "57P01", "57P02", "57P03")


def is_database_unavailable(error: BaseException) -> bool:
    """A failure to reach PostgreSQL — not an error of one query (a deadlock or a statement
    timeout is an ``OperationalError`` too, and stays CKAN's 500)."""
    if not isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return False
    if error.connection_invalidated:
        return True
    code = getattr(error.orig, "pgcode", None)
    return code is None or str(code).startswith(_UNAVAILABLE_CODES)


def _internal_error(error: Exception) -> Any:
    """What CKAN answers for any other exception (CKAN's ``error_handler``, re-implemented:
    compat entry ``faults.error_handler``)."""
    from ckan.lib import base

    log.error(error, exc_info=error)
    page = base.render(
        "error_document_template.html", {"code": [500], "content": "Internal server error"}
    )
    return page, 500


def _both(msgid: str) -> str:
    """Vietnamese / English: the 503 page cannot know the visitor's language."""
    return f"{gettext(msgid, 'vi')} / {msgid}"


def _page() -> str:
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{html.escape(_both(TITLE))}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto;">'
        f"<h1>{html.escape(_both(TITLE))}</h1>"
        f'<p lang="vi">{html.escape(gettext(MESSAGE, "vi"))}</p>'
        f'<p lang="en">{html.escape(MESSAGE)}</p>'
        "<p>HTTP 503</p></body></html>"
    )


def handle(error: Exception) -> Any:
    if not is_database_unavailable(error):
        return _internal_error(error)
    log.error("database unavailable: %s", str(error).strip().splitlines()[0] if str(error) else "")
    try:
        from ckan import model

        model.Session.remove()
    except Exception:  # noqa: BLE001 - the connection is gone anyway
        log.debug("session removal after a database failure failed", exc_info=True)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        body = {
            "success": False,
            "error": {
                "__type": "Service Unavailable",
                "message": _both(MESSAGE),
            },
        }
        return Response(
            json.dumps(body, ensure_ascii=False),
            status=503,
            headers=headers,
            content_type="application/json;charset=utf-8",
        )
    return Response(_page(), status=503, headers=headers, content_type="text/html; charset=utf-8")


def _outage_behind_an_api_500(response: Response) -> Response:
    """CKAN's action API answers every exception of an action with its own JSON 500
    (``ckan/views/api.py`` catches ``Exception``): an outage that begins in the action —
    the first query of a request that ran none before, e.g. an anonymous
    ``package_search`` — never reaches the handler. A 500 of ``/api/…`` is therefore
    checked against the database (one connection attempt, on error answers only, on a
    side connection: a 500 of a pool already in use by every request must not wait for
    it) and becomes the 503 when the database cannot be reached."""
    if response.status_code != 500 or not request.path.startswith("/api/"):
        return response
    try:
        with side_engine().connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
        if is_database_unavailable(error):
            answer: Response = handle(error)
            return answer
    return response


def install(app: Any) -> Any:
    """Register the handler on CKAN's Flask app (``IMiddleware.make_middleware``)."""
    for error_class in (sa_exc.OperationalError, sa_exc.InterfaceError):
        app.register_error_handler(error_class, handle)
    app.after_request(_outage_behind_an_api_500)
    return app
