"""Pages of the DCAT room.

* ``/dcat/record-types[.ttl|.rdf|.jsonld]`` — the record-type SKOS scheme
  (content-negotiated without an extension; Turtle by default).
* ``/catalog/<record_type>.<fmt>`` — the DCAT catalogue of one record type,
  with the same Hydra paging and parameters as ``/catalog.<fmt>``.
* ``/<record_type>/<id>.<fmt>`` — a record's RDF under its own type's URL
  (``/dataset/<id>.<fmt>`` is ckanext-dcat's).
* content negotiation on the records' own pages: ``/<record_type>/<id>`` and
  ``/dataset/<id>`` answer an RDF ``Accept`` header (Turtle, RDF/XML,
  JSON-LD, N3) with the record's RDF — same rules as ``dcat_dataset_show``:
  public, published records only — and anything else with the HTML page.
* ``/registry/<record_type>.csv|.geojson`` — the register exports.
* ``/dcat/service/tourism-api`` — the tourism API's DataService description.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, stream_with_context

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.dcat import utils as dcat_utils
from ckanext.dcat.exceptions import RDFProfileException

from . import registry
from . import vocabulary as V

RDF_FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("pretty-xml", "application/rdf+xml"),
    "xml": ("pretty-xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
    "n3": ("n3", "text/n3"),
}

dcat_room = Blueprint("khtourism_dcat", __name__)

# The HTML pages of a record that also answer RDF ``Accept`` headers: each
# record type's own read page (``/<record_type>/<id>``) and CKAN's generic
# ``/dataset/<id>`` (ckanext-dcat negotiates the latter too when its route
# wins; the hook makes it independent of route order).
NEGOTIATED_PAGES: dict[str, str | None] = {
    f"{record_type}.read": record_type for record_type in V.RECORD_TYPES
}
NEGOTIATED_PAGES.update({"dataset.read": None, "dcat.read_dataset": None})


def _negotiated_format(extension: str | None) -> str:
    if extension:
        if extension not in RDF_FORMATS:
            tk.abort(404, tk._("Unknown RDF format: {0}").format(extension))
        return extension
    return dcat_utils.check_access_header() or "ttl"


def _rdf_response(graph, extension: str) -> Response:
    rdflib_format, content_type = RDF_FORMATS[extension]
    body = graph.serialize(format=rdflib_format)
    response = make_response(body)
    response.headers["Content-Type"] = f"{content_type}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    return response


def record_types(_format: str | None = None) -> Response:
    return _rdf_response(V.scheme_graph(), _negotiated_format(_format))


def terms(_format: str | None = None) -> Response:
    return _rdf_response(V.terms_graph(), _negotiated_format(_format))


def data_service(_format: str | None = None) -> Response:
    from rdflib import Graph

    from .profile import KhTourismProfile

    graph = Graph()
    KhTourismProfile(graph)._add_data_service()
    return _rdf_response(graph, _negotiated_format(_format))


def record_type_catalog(record_type: str, _format: str) -> Response:
    if record_type not in V.RECORD_TYPES:
        tk.abort(404, tk._("Unknown record type"))
    if _format not in RDF_FORMATS:
        tk.abort(404, tk._("Unknown RDF format: {0}").format(_format))
    args = tk.request.args
    data_dict = {
        "page": args.get("page"),
        "modified_since": args.get("modified_since"),
        "q": args.get("q"),
        "fq": args.get("fq"),
        "format": _format,
        "profiles": args.get("profiles").split(",") if args.get("profiles") else None,
        "record_type": record_type,
    }
    try:
        body = tk.get_action("dcat_catalog_show")({}, data_dict)
    except (tk.ValidationError, RDFProfileException) as error:
        return tk.abort(409, str(error))
    response = make_response(body)
    response.headers["Content-Type"] = dcat_utils.CONTENT_TYPES[_format]
    return response


def _check_record_type(_id: str, record_type: str) -> None:
    """``/<record_type>/<id>`` only names records of that type."""
    package = model.Package.get(_id)
    if package is None or package.type != record_type:
        tk.abort(404, tk._("Dataset not found"))


def _record_rdf_response(_id: str, _format: str) -> Response:
    profiles = tk.request.args.get("profiles")
    try:
        body = tk.get_action("dcat_dataset_show")(
            {},
            {"id": _id, "format": _format, "profiles": profiles.split(",") if profiles else None},
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403)
    except (tk.ValidationError, RDFProfileException) as error:
        return tk.abort(409, str(error))
    response = make_response(body)
    response.headers["Content-Type"] = dcat_utils.CONTENT_TYPES[_format]
    response.headers["Vary"] = "Accept"
    return response


@dcat_room.before_app_request
def negotiate_record_page() -> Response | None:
    """A record's own page asked for with an RDF ``Accept`` header: its RDF."""
    request = tk.request
    if request.method != "GET" or request.endpoint not in NEGOTIATED_PAGES:
        return None
    _format = dcat_utils.check_access_header()
    if not _format:
        return None
    view_args = request.view_args or {}
    _id = view_args.get("id") or view_args.get("_id")
    if not _id or view_args.get("_format"):
        # ckanext-dcat's `/dataset/<id>.<fmt>` shares the endpoint name of its
        # negotiated `/dataset/<id>`: an explicit extension wins over Accept.
        return None
    record_type = NEGOTIATED_PAGES[request.endpoint]
    if record_type is not None:
        _check_record_type(_id, record_type)
    return _record_rdf_response(_id, _format)


@dcat_room.after_app_request
def vary_on_accept(response: Response) -> Response:
    """Negotiated pages say so, for caches between the portal and its users."""
    if tk.request.endpoint in NEGOTIATED_PAGES and "Accept" not in response.vary:
        response.vary.add("Accept")
    return response


def record_rdf(record_type: str, _id: str, _format: str) -> Response:
    if _format not in RDF_FORMATS:
        tk.abort(404, tk._("Unknown RDF format: {0}").format(_format))
    _check_record_type(_id, record_type)
    return _record_rdf_response(_id, _format)


def registry_export(record_type: str, fmt: str) -> Response:
    if record_type not in V.RECORD_TYPES:
        tk.abort(404, tk._("Unknown record type"))
    if fmt == "csv":
        body, mimetype = registry.csv_export(record_type), "text/csv; charset=utf-8"
    elif fmt == "geojson":
        body, mimetype = registry.geojson_export(record_type), "application/geo+json"
    else:
        return tk.abort(404, tk._("Unknown export format: {0}").format(fmt))
    # content_type, not mimetype: Flask appends "; charset=utf-8" to a text mimetype, which
    # gave "text/csv; charset=utf-8; charset=utf-8"
    response = Response(stream_with_context(body), content_type=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="khanh-hoa-{record_type}.{fmt}"'
    )
    return response


dcat_room.add_url_rule("/dcat/record-types", view_func=record_types)
dcat_room.add_url_rule("/dcat/record-types.<_format>", view_func=record_types)
dcat_room.add_url_rule("/dcat/terms", view_func=terms)
dcat_room.add_url_rule("/dcat/terms.<_format>", view_func=terms)
dcat_room.add_url_rule("/dcat/service/tourism-api", view_func=data_service)
dcat_room.add_url_rule("/dcat/service/tourism-api.<_format>", view_func=data_service)
dcat_room.add_url_rule("/catalog/<record_type>.<_format>", view_func=record_type_catalog)
dcat_room.add_url_rule("/registry/<record_type>.<fmt>", view_func=registry_export)
for _record_type in V.RECORD_TYPES:
    dcat_room.add_url_rule(
        f"/{_record_type}/<_id>.<_format>",
        view_func=record_rdf,
        endpoint=f"record_rdf_{_record_type.replace('-', '_')}",
        defaults={"record_type": _record_type},
    )
