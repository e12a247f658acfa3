"""Routes of ``/api/tourism/v1``: request -> params -> package_search -> serializer."""

from __future__ import annotations

import logging
from importlib import resources as package_files
from typing import Any
from urllib.parse import urlencode

import sqlalchemy.exc as sa_exc
from flask import Blueprint, Response, current_app, request, send_file
from werkzeug.exceptions import HTTPException, default_exceptions

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism import unavailable
from ckanext.khtourism.changelog.changes import read_changes

from . import (
    auth,
    dumps,
    http,
    openapi,
    overhead,
    params,
    query,
    ratelimit,
    serializers,
    stats,
    visitors,
)
from . import clients as client_api
from .collections import BY_DATASET_TYPE, COLLECTIONS, DATASET_TYPES, IDENTIFIERS
from .errors import ApiError
from .items import item_from_package, load_private_fields

log = logging.getLogger(__name__)

BASE_PATH = "/api/tourism/v1"
COLLECTION_PATHS = ", ".join(f"'{path}'" for path in COLLECTIONS)

api = Blueprint("khtourism_api", __name__, url_prefix=BASE_PATH)


# --- cross-cutting: errors, auth, CORS, rate limits -------------------------


@api.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return http.error_response(error)


def _http_error(error: HTTPException) -> Response:
    if error.code == 429 and isinstance(error.response, Response):  # flask-limiter's
        return error.response
    # every HTTP error keeps its status (a CSRF refusal, a 400 of werkzeug's, was a 500)
    code = {
        400: "bad_request",
        403: "forbidden",
        404: "unknown_resource",
        405: "method_not_allowed",
        406: "not_acceptable",
        414: "uri_too_long",
    }.get(error.code or 500, "internal_error")
    # a 405 names the methods the resource has (RFC 9110 §15.5.6)
    allow = getattr(error, "valid_methods", None)
    headers = {"Allow": ", ".join(allow)} if error.code == 405 and allow else None
    if code == "uri_too_long":
        return http.error_response(ApiError(code, None, str(http.MAX_URI_LENGTH)), headers)
    return http.error_response(ApiError(code), headers)


# Per code, not per class: CKAN registers HTML handlers per code on the app,
# and Flask prefers a code-specific handler over a class one.
for _code in default_exceptions:
    api.register_error_handler(_code, _http_error)


@api.errorhandler(sa_exc.OperationalError)
@api.errorhandler(sa_exc.InterfaceError)
def _database_error(error: Exception) -> Response:
    """PostgreSQL down: 503 with Retry-After, like the rest of the portal (unavailable.py)."""
    if not unavailable.is_database_unavailable(error):
        return _unexpected(error)
    log.error("tourism API: database unavailable on %s", request.full_path)
    model.Session.remove()
    return http.error_response(
        ApiError("service_unavailable"),
        headers={"Retry-After": str(unavailable.RETRY_AFTER_SECONDS)},
    )


@api.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.exception("tourism API: unexpected error on %s", request.full_path)
    return http.error_response(ApiError("internal_error"))


def _on_breach(limit: Any) -> Response:
    retry_after = ratelimit.retry_after_seconds(limit)
    return http.error_response(
        ApiError("rate_limited", None, str(limit.limit), retry_after=retry_after),
        headers={"Retry-After": str(retry_after)},
    )


ratelimit.attach(api, _on_breach)
api.record_once(lambda _state: overhead.skip_config_check_under(BASE_PATH))
api.record_once(lambda _state: overhead.no_user_for_static_files())


# the API's description needs no scope
_OPEN_ENDPOINTS = {
    "index",
    "openapi_document",
    "docs_page",
    "docs_asset",
    "unknown_resource",
    "other_method",
    "other_method_index",
}


api.before_request(http.uri_too_long)


@api.before_request
def _identify() -> Response | None:
    auth.resolve_user()
    caller = auth.client()
    if caller is None:
        return None
    # a registered client system: its scope, then its own quota (clients/registry.py)
    try:
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        if endpoint not in _OPEN_ENDPOINTS and "read:public" not in caller.scopes:
            raise ApiError("insufficient_scope", "read:public")
        client_api.enforce_quota(caller)
    except ApiError as error:
        headers = (
            {"Retry-After": str(error.extra["retry_after"])}
            if "retry_after" in error.extra
            else None
        )
        return http.error_response(error, headers)
    return None


@api.after_request
def _cors(response: Response) -> Response:
    return http.add_cors(response)


# --- helpers -----------------------------------------------------------------


def _format(parsed: dict[str, Any]) -> str:
    fmt = serializers.negotiate(
        parsed.get("format"), request.accept_mimetypes if request.headers.get("Accept") else None
    )
    if fmt is None:
        raise ApiError("not_acceptable")
    return fmt


def _require_token_for_unpublished(parsed: dict[str, Any]) -> None:
    caller = auth.client()
    if parsed.get("include_unpublished") and caller and "read:protected" not in caller.scopes:
        raise ApiError("insufficient_scope", "read:protected")
    if parsed.get("include_unpublished") and auth.user_name() is None:
        raise ApiError("token_required", "include_unpublished")


def _page_links(page: int, limit: int, total: int) -> dict[str, str | None]:
    def url(number: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(number)
        return f"{tk.config.get('ckan.site_url', '').rstrip('/')}{request.path}?{urlencode(args)}"

    last = max(1, -(-total // limit))
    return {
        "self": url(page),
        "next": url(page + 1) if page < last else None,
        "prev": url(page - 1) if page > 1 else None,
    }


def _last_modified(items: list[dict[str, Any]]):
    stamps = [http.parse_timestamp(item.get("metadata_modified")) for item in items]
    known = [stamp for stamp in stamps if stamp]
    return max(known) if known else None


def _render_page(
    fmt: str, page: serializers.Page, lang: str, raw_items: list[dict[str, Any]]
) -> Response:
    body = serializers.render_page(fmt, page, lang)
    headers = {}
    if page.links.get("next"):
        headers["Link"] = f'<{page.links["next"]}>; rel="next"'
    return http.conditional(body, serializers.MEDIA_TYPES[fmt], _last_modified(raw_items), headers)


# --- routes ------------------------------------------------------------------


@api.route("/")
def index() -> Response:
    params.parse(request.args, params.META)
    site = tk.config.get("ckan.site_url", "").rstrip("/") + BASE_PATH
    body = serializers.json_format.dumps(
        {
            "name": "Khánh Hòa tourism data API",
            "version": openapi.API_VERSION,
            "resources": {path: f"{site}/{path}" for path in COLLECTIONS},
            "lookup": f"{site}/lookup",
            "changes": f"{site}/changes",
            "stats": f"{site}/stats",
            "visitor_statistics": f"{site}/statistics/visitors",
            "dumps": f"{site}/dumps/",
            "openapi": f"{site}/openapi.json",
            "docs": f"{site}/docs",
        }
    )
    return http.conditional(body, "application/json", None)


@api.route("/openapi.json")
def openapi_document() -> Response:
    params.parse(request.args, params.META)
    body = serializers.json_format.dumps(openapi.document())
    return http.conditional(body, "application/json", None)


@api.route("/docs")
def docs_page() -> Response:
    params.parse(request.args, params.META)
    html = package_files.files("ckanext.khtourism.api").joinpath("static/docs.html").read_bytes()
    return http.conditional(html, "text/html; charset=utf-8", None)


@api.route("/docs/<any('docs.js', 'docs.css'):asset>")
def docs_asset(asset: str) -> Response:
    data = package_files.files("ckanext.khtourism.api").joinpath(f"static/{asset}").read_bytes()
    media = "text/javascript; charset=utf-8" if asset.endswith(".js") else "text/css; charset=utf-8"
    return http.conditional(data, media, None)


@api.route(f"/<any({COLLECTION_PATHS}):resource_path>")
def list_records(resource_path: str) -> Response:
    collection = COLLECTIONS[resource_path]
    parsed = params.parse(request.args, params.LIST, collection)
    lang = http.lang()
    fmt = _format(parsed)
    _require_token_for_unpublished(parsed)
    limit, start = query.page_window(parsed)
    user = auth.user_name()
    result = query.search(
        parsed, [collection.dataset_type], rows=limit, start=start, user_name=user
    )
    centre = (parsed["lon"], parsed["lat"]) if "radius" in parsed else None
    load_private_fields(user, result["results"])
    items = [
        item_from_package(
            pkg, lang=lang, user_name=user, centre=centre, fields=parsed.get("fields")
        )
        for pkg in result["results"]
    ]
    page_number = parsed.get("page", 1)
    page = serializers.Page(
        items=items,
        total=result["count"],
        limit=limit,
        page=page_number,
        resource=collection.path,
        links=_page_links(page_number, limit, result["count"]),
        columns=["id", *parsed["fields"]] if parsed.get("fields") else list(collection.all_fields),
    )
    return _render_page(fmt, page, lang, items)


@api.route(f"/<any({COLLECTION_PATHS}):resource_path>/<id_or_name>")
def show_record(resource_path: str, id_or_name: str) -> Response:
    collection = COLLECTIONS[resource_path]
    parsed = params.parse(request.args, params.ITEM, collection)
    lang = http.lang()
    fmt = _format(parsed)
    user = auth.user_name()
    if "\x00" in id_or_name:  # no record name holds a NUL (PostgreSQL text cannot)
        raise ApiError("not_found", None, id_or_name)
    try:
        # use_cache False: the search index's copy never holds the private guide
        # fields, so a curator's package_show must read the database
        pkg = tk.get_action("package_show")(
            {"user": user or "", "use_cache": False}, {"id": id_or_name}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        pkg = None
    if pkg is None or pkg.get("type") != collection.dataset_type or pkg.get("state") != "active":
        moved = _merged_item_url(resource_path, collection.dataset_type, id_or_name)
        if moved is not None:
            return _moved_permanently(moved)
        raise ApiError("not_found", None, id_or_name)
    item = item_from_package(pkg, lang=lang, user_name=user, fields=parsed.get("fields"))
    body = serializers.render_item(fmt, item, lang)
    return http.conditional(
        body,
        serializers.MEDIA_TYPES[fmt],
        http.parse_timestamp(item.get("metadata_modified") or pkg.get("metadata_modified")),
    )


def _merged_item_url(resource_path: str, dataset_type: str, id_or_name: str) -> str | None:
    """The item URL of the record a deleted record was merged into (same query string),
    or None: a record deleted without a merge stays a 404."""
    from ckanext.khtourism.records import duplicates

    package = model.Package.get(id_or_name)
    if package is None or package.state != "deleted" or package.type != dataset_type:
        return None
    kept_id = duplicates.replaced_by(package.id)
    kept = model.Package.get(kept_id) if kept_id else None
    if kept is None or kept.state != "active":
        return None
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    query_string = request.query_string.decode("utf-8", "replace")
    return f"{site}{BASE_PATH}/{resource_path}/{kept.name}" + (
        f"?{query_string}" if query_string else ""
    )


def _moved_permanently(location: str) -> Response:
    """301 to the kept record's item: clients and caches follow it for every format
    (the query string, ``format`` included, is carried over; ``Accept`` is re-sent)."""
    body = serializers.json_format.dumps({"moved_to": location})
    response = Response(body, status=301, content_type="application/json")
    response.headers["Location"] = location
    return response


@api.route("/lookup")
def lookup() -> Response:
    parsed = params.parse(request.args, params.LOOKUP)
    lang = http.lang()
    fmt = _format(parsed)
    _require_token_for_unpublished(parsed)
    identifier = next(name for name in IDENTIFIERS if name in parsed)
    value = parsed[identifier].strip()
    types = [
        t for t in IDENTIFIERS[identifier] if t in (parsed.get("type") or IDENTIFIERS[identifier])
    ]
    user = auth.user_name()
    if not types:
        result: dict[str, Any] = {"count": 0, "results": []}
    else:
        result = query.search(
            parsed,
            types,
            rows=params.DEFAULT_LIMIT,
            extra_fq=[f"{identifier}:{query.quote(value)}"],
            user_name=user,
        )
    load_private_fields(user, result["results"])
    items = [
        item_from_package(pkg, lang=lang, user_name=user, fields=None) for pkg in result["results"]
    ]
    page = serializers.Page(
        items=items,
        total=result["count"],
        limit=params.DEFAULT_LIMIT,
        resource="lookup",
        links={"self": request.url, "next": None, "prev": None},
    )
    return _render_page(fmt, page, lang, items)


@api.route("/changes")
def changes() -> Response:
    parsed = params.parse(request.args, params.CHANGES)
    limit = parsed.get("limit", params.DEFAULT_LIMIT)
    rows, more = read_changes(
        after_seq=int(parsed["cursor"]) if "cursor" in parsed else None,
        since=parsed.get("since"),
        dataset_types=list(parsed.get("type") or DATASET_TYPES),
        limit=limit,
    )
    next_cursor = rows[-1]["cursor"] if rows else parsed.get("cursor")
    body = serializers.json_format.dumps(
        {
            "changes": rows,
            "next_cursor": next_cursor,
            "has_more": more,
        }
    )
    return http.conditional(body, "application/json", None)


@api.route("/stats")
def statistics() -> Response:
    parsed = params.parse(request.args, params.STATS)
    _require_token_for_unpublished(parsed)
    lang = http.lang()
    types = list(parsed.get("type") or DATASET_TYPES)
    filtered = {
        key: value for key, value in parsed.items() if key not in ("type", "months", "lang")
    }
    body = serializers.json_format.dumps(
        stats.build({**filtered, "months": parsed.get("months", 12)}, types, lang, auth.user_name())
    )
    return http.conditional(body, "application/json", None)


@api.route("/statistics/visitors")
def visitor_statistics() -> Response:
    """Open aggregates of the monthly visitor reports (docs/statistics.md)."""
    parsed = params.parse(request.args, params.VISITORS)
    lang = http.lang()
    result = visitors.build(parsed, lang)
    if parsed.get("format") == "csv":
        # the CSVW description of its columns (W3C "Locating metadata": a Link header)
        described_by = _visitors_url("/csv-metadata.json")
        return http.conditional(
            visitors.to_csv(result, lang),
            "text/csv; charset=utf-8",
            None,
            {"Link": f'<{described_by}>; rel="describedby"; type="{visitors.CSVW_MEDIA_TYPE}"'},
        )
    return http.conditional(serializers.json_format.dumps(result), "application/json", None)


def _visitors_url(suffix: str = "") -> str:
    """This request's statistics query (as CSV) at ``/statistics/visitors<suffix>``."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "format"]
    site = tk.config.get("ckan.site_url", "").rstrip("/") + BASE_PATH
    return f"{site}/statistics/visitors{suffix}?{urlencode([*query, ('format', 'csv')])}"


@api.route("/statistics/visitors/csv-metadata.json")
def visitor_statistics_metadata() -> Response:
    """The CSV-on-the-Web (CSVW) description of the statistics' CSV columns."""
    # the same query as the CSV it describes: refused where the CSV would be
    visitors.month_range(params.parse(request.args, params.VISITORS))
    body = serializers.json_format.dumps(visitors.csv_metadata(_visitors_url()))
    return http.conditional(body, visitors.CSVW_MEDIA_TYPE, None)


@api.route("/dumps/")
def dumps_manifest() -> Response:
    """The bulk dumps' manifest (api/dumps.py)."""
    found = dumps.manifest()
    if found is None:
        raise ApiError("unknown_resource")
    return http.conditional(serializers.json_format.dumps(found), "application/json", None)


@api.route("/dumps/<name>")
def dumps_file(name: str) -> Response:
    path = dumps.served_file(name)
    if path is None:
        raise ApiError("unknown_resource")
    media = "application/json" if name == dumps.MANIFEST else "application/gzip"
    response = send_file(
        path, mimetype=media, as_attachment=name != dumps.MANIFEST, conditional=True
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@api.route("/<path:unknown>")
def unknown_resource(unknown: str) -> Response:
    raise ApiError("unknown_resource")


OTHER_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


@api.route("/", methods=OTHER_METHODS, endpoint="other_method_index")
@api.route("/<path:unknown>", methods=OTHER_METHODS)
def other_method(unknown: str = "") -> Response:
    """A method the resource does not answer: 405 in the API's shape with ``Allow`` (a
    routing 405 never reaches a blueprint's handler, so CKAN's HTML page would answer);
    a path no method answers: 404."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "DELETE"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint.rsplit(".", 1)[-1] not in _CATCH_ALL:
            allowed.append(method)
    if not allowed:
        raise ApiError("unknown_resource")
    if "GET" in allowed:
        allowed.insert(1, "HEAD")
    return http.error_response(
        ApiError("method_not_allowed"), headers={"Allow": ", ".join([*allowed, "OPTIONS"])}
    )


_CATCH_ALL = {"unknown_resource", "other_method", "other_method_index"}


def blueprints() -> list[Blueprint]:
    return [api, client_api.client_api]


__all__ = ["api", "blueprints", "BY_DATASET_TYPE"]
