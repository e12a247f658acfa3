"""The ``/ogc`` blueprint: OGC API – Features resources in JSON (GeoJSON) and HTML."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, default_exceptions

import ckan.plugins.toolkit as tk

from ckanext.khtourism.api import http
from ckanext.khtourism.api.errors import ApiError
from ckanext.khtourism.core import messages

from . import crs as ogc_crs
from . import display, features, openapi
from . import extent as ogc_extent
from .collections import public_collections

log = logging.getLogger(__name__)

BASE_PATH = "/ogc"
JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    # Part 3: the queryables resource, and each queryable as an items query parameter
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]

ogc = Blueprint("khtourism_ogc", __name__, url_prefix=BASE_PATH)


# --- errors ------------------------------------------------------------------


def _error(error: ApiError) -> Response:
    lang = http.lang()
    body = {
        "code": error.code,
        "description": error.message(lang),
        "parameter": error.parameter,
        "status": error.status,
    }
    return Response(json.dumps(body, ensure_ascii=False), status=error.status, content_type=JSON)


@ogc.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return _error(error)


def _http_error(error: HTTPException) -> Response:
    code = {404: "unknown_resource", 405: "method_not_allowed", 406: "not_acceptable"}.get(
        error.code or 500, "internal_error"
    )
    return _error(ApiError(code))


for _code in default_exceptions:
    ogc.register_error_handler(_code, _http_error)


@ogc.after_request
def _cors(response: Response) -> Response:
    return http.add_cors(response)


# --- helpers -----------------------------------------------------------------


def base_url() -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/") + BASE_PATH


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _url(path: str, **args: Any) -> str:
    query = urlencode({k: v for k, v in args.items() if v is not None})
    return f"{base_url()}{path}" + (f"?{query}" if query else "")


def _wants_html() -> bool:
    """``f=html`` / ``f=json`` win; else the Accept header (browsers get HTML)."""
    fmt = request.args.get("f")
    if fmt is not None:
        if fmt not in ("json", "html", "geojson"):
            raise ApiError(
                "invalid_parameter",
                "f",
                "'{value}' is not one of: {allowed}.",
                {"value": fmt, "allowed": "json, html"},
            )
        return fmt == "html"
    if not request.headers.get("Accept"):
        return False
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, HTML])
    return best == HTML


def _json(data: Any, media_type: str = JSON, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return http.conditional(body, media_type, None, headers)


def _html(data: dict[str, Any], heading: str, **extra: Any) -> Response:
    links = [link for link in data.get("links", []) if link.get("type") != HTML]
    extra_vars = {
        "heading": heading,
        "description": data.get("description"),
        "links": links,
        "ogc_base": base_url(),
        "self_url": request.url,
        "conforms_to": data.get("conformsTo"),
        "collections": data.get("collections"),
        "features": None,
        "properties": None,
        **extra,
    }
    body = tk.render("ogc/page.html", extra_vars=extra_vars)
    return Response(body, content_type="text/html; charset=utf-8")


def _lang() -> str:
    """The data's language: ``lang=`` or the Accept-Language header, as the tourism API;
    an HTML page speaks the page's language (``/en/ogc/…`` English, ``/ogc/…`` Vietnamese),
    like the portal around it — /en/ogc/collections listed Vietnamese titles to a browser
    asking for Vietnamese."""
    if "lang" not in request.args and _wants_html():
        return messages.current_language()
    return http.lang()


def _collection_or_404(collection_id: str):
    collection = public_collections().get(collection_id)
    if collection is None:
        raise ApiError("unknown_resource")
    return collection


def _title(collection, lang: str) -> str:
    return collection.title_en if lang == "en" else collection.title_vi


def collection_document(collection_id: str, lang: str) -> dict[str, Any]:
    collection = public_collections()[collection_id]
    path = f"/collections/{collection_id}"
    document: dict[str, Any] = {
        "id": collection_id,
        "title": _title(collection, lang),
        "description": _title(collection, "en" if lang == "vi" else "vi"),
        "itemType": "feature",
        "crs": list(ogc_crs.SUPPORTED),
        "storageCrs": ogc_crs.STORAGE_CRS,
        "links": [
            _link(_url(path, f="json"), "self", JSON),
            _link(_url(path, f="html"), "alternate", HTML),
            _link(_url(f"{path}/items", f="json"), "items", GEOJSON),
            _link(_url(f"{path}/items", f="html"), "items", HTML),
            _link(_url(f"{path}/queryables", f="json"), QUERYABLES_REL, SCHEMA_JSON),
        ],
    }
    found = ogc_extent.extent(collection)
    if found is not None:
        document["extent"] = found
    return document


# --- routes ------------------------------------------------------------------


@ogc.route("/")
def landing() -> Response:
    features.check_known(request.args, ("f", "lang"))
    data = {
        "title": "Khánh Hòa tourism data — OGC API – Features",
        "description": tk._(
            "The portal's published tourism records as OGC API – Features collections."
        ),
        "links": [
            _link(_url("/", f="json"), "self", JSON),
            _link(_url("/", f="html"), "alternate", HTML),
            _link(_url("/api", f="json"), "service-desc", OPENAPI),
            _link(_url("/conformance", f="json"), "conformance", JSON),
            _link(_url("/collections", f="json"), "data", JSON),
        ],
    }
    if _wants_html():
        return _html(data, "OGC API – Features")
    return _json(data)


@ogc.route("/conformance")
def conformance() -> Response:
    features.check_known(request.args, ("f", "lang"))
    data = {
        "conformsTo": CONFORMANCE,
        "links": [
            _link(_url("/conformance", f="json"), "self", JSON),
            _link(_url("/conformance", f="html"), "alternate", HTML),
        ],
    }
    if _wants_html():
        return _html(data, tk._("Conformance classes"))
    return _json(data)


@ogc.route("/api")
def api_definition() -> Response:
    features.check_known(request.args, ("f", "lang"))
    return _json(openapi.document(base_url()), OPENAPI)


@ogc.route("/collections")
def collections() -> Response:
    features.check_known(request.args, ("f", "lang"))
    lang = _lang()
    data = {
        "links": [
            _link(_url("/collections", f="json"), "self", JSON),
            _link(_url("/collections", f="html"), "alternate", HTML),
        ],
        "crs": list(ogc_crs.SUPPORTED),
        "collections": [collection_document(cid, lang) for cid in public_collections()],
    }
    if _wants_html():
        return _html(data, tk._("Collections"))
    return _json(data)


@ogc.route("/collections/<collection_id>")
def collection(collection_id: str) -> Response:
    features.check_known(request.args, ("f", "lang"))
    _collection_or_404(collection_id)
    data = collection_document(collection_id, _lang())
    if _wants_html():
        return _html(data, data["title"], collection_id=collection_id)
    return _json(data)


@ogc.route("/collections/<collection_id>/queryables")
def queryables(collection_id: str) -> Response:
    """Part 3 (/req/queryables/get-queryables-op): the JSON Schema of the property filters
    the collection's items accept."""
    features.check_known(request.args, ("f", "lang"))
    found = _collection_or_404(collection_id)
    path = f"/collections/{collection_id}/queryables"
    data = ogc_extent.queryables(found, collection_id, _url(path))
    if _wants_html():
        lang = _lang()
        page = {
            "description": tk._(
                "The properties the items of this collection can be filtered on "
                "(several values, comma-separated: any of them)."
            ),
            "links": [_link(_url(path, f="json"), "alternate", SCHEMA_JSON)],
        }
        rows = ogc_extent.queryable_texts(found, lang)
        heading = f"{_title(found, lang)} — {tk._('Queryables')}"
        return _html(page, heading, properties=rows, collection_id=collection_id)
    return _json(data, SCHEMA_JSON)


@ogc.route("/collections/<collection_id>/items")
def items(collection_id: str) -> Response:
    found = _collection_or_404(collection_id)
    html = _wants_html()
    lang = _lang()
    page = features.search_items(request.args, found)
    out_crs = page["crs"]
    collected = [features.feature(pkg, found, lang, out_crs) for pkg in page["packages"]]
    path = f"/collections/{collection_id}/items"
    args = {k: v for k, v in request.args.items() if k not in ("f", "offset")}
    limit, offset, matched = page["limit"], page["offset"], page["matched"]
    links = [
        _link(_url(path, **args, offset=offset or None, f="json"), "self", GEOJSON),
        _link(_url(path, **args, offset=offset or None, f="html"), "alternate", HTML),
        _link(_url(f"/collections/{collection_id}", f="json"), "collection", JSON),
    ]
    if offset + len(collected) < matched:
        links.append(_link(_url(path, **args, offset=offset + limit, f="json"), "next", GEOJSON))
    if offset > 0:
        previous = max(0, offset - limit) or None
        links.append(_link(_url(path, **args, offset=previous, f="json"), "prev", GEOJSON))
    data = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(collected),
        "timeStamp": _now(),
        "links": links,
        "features": collected,
    }
    headers = {"Content-Crs": ogc_crs.header_value(out_crs)}
    if html:
        response = _html(
            data,
            _title(found, lang),
            features=collected,
            number_matched=matched,
            collection_id=collection_id,
        )
        response.headers.update(headers)
        return response
    return _json(data, GEOJSON, headers)


@ogc.route("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str) -> Response:
    found = _collection_or_404(collection_id)
    features.check_known(request.args, features.ITEM_PARAMS)
    html = _wants_html()
    out_crs = features.parse_crs(request.args, "crs")
    lang = _lang()
    pkg = _published_record(found.dataset_type, feature_id)
    data, labels = features.feature_and_labels(pkg, found, lang, out_crs)
    path = f"/collections/{collection_id}/items/{data['id']}"
    crs_arg = request.args.get("crs")
    data["links"] = [
        _link(_url(path, crs=crs_arg, f="json"), "self", GEOJSON),
        _link(_url(path, crs=crs_arg, f="html"), "alternate", HTML),
        _link(_url(f"/collections/{collection_id}", f="json"), "collection", JSON),
    ]
    headers = {"Content-Crs": ogc_crs.header_value(out_crs)}
    if html:
        response = _html(
            data,
            str(data["properties"].get("title") or data["id"]),
            # labels, not codes, in the page's language (the GeoJSON keeps the codes)
            properties=display.property_rows(
                data["properties"], labels, found.dataset_type, lang, _title(found, lang)
            ),
            collection_id=collection_id,
        )
        response.headers.update(headers)
        return response
    return _json(data, GEOJSON, headers)


def _published_record(dataset_type: str, feature_id: str) -> dict[str, Any]:
    """The record as an anonymous visitor sees it: published and public, else a 404."""
    if "\x00" in feature_id:
        raise ApiError("not_found", None, feature_id)
    try:
        pkg = tk.get_action("package_show")({"user": "", "ignore_auth": False}, {"id": feature_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        raise ApiError("not_found", None, feature_id) from None
    if (
        pkg.get("type") != dataset_type
        or pkg.get("state") != "active"
        or pkg.get("private")
        or pkg.get("workflow_state") not in (None, "published")
    ):
        raise ApiError("not_found", None, feature_id)
    return pkg


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def blueprints() -> list[Blueprint]:
    return [ogc]
