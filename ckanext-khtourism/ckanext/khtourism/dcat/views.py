"""Pages of the DCAT room.

* ``/dcat/record-types[.ttl|.rdf|.jsonld]`` — the record-type SKOS scheme
  (content-negotiated without an extension; Turtle by default).
* ``/catalog/<record_type>.<fmt>`` — the DCAT catalogue of one record type,
  with the same Hydra paging and parameters as ``/catalog.<fmt>``.
* ``/<record_type>/<id>.<fmt>`` — a record's RDF under its own type's URL
  (``/dataset/<id>.<fmt>`` is ckanext-dcat's).
* ``/registry/<record_type>.csv|.geojson`` — the register exports.
* ``/dcat/service/tourism-api`` — the tourism API's DataService description.
"""
from __future__ import annotations

from flask import Blueprint, Response, make_response, stream_with_context

import ckan.plugins.toolkit as tk

from ckanext.dcat import utils as dcat_utils
from ckanext.dcat.exceptions import RDFProfileException

from . import registry
from . import vocabulary as V

RDF_FORMATS = {"ttl": ("turtle", "text/turtle"),
               "rdf": ("pretty-xml", "application/rdf+xml"),
               "xml": ("pretty-xml", "application/rdf+xml"),
               "jsonld": ("json-ld", "application/ld+json"),
               "n3": ("n3", "text/n3")}

dcat_room = Blueprint("khtourism_dcat", __name__)


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


def record_rdf(record_type: str, _id: str, _format: str) -> Response:
    if _format not in RDF_FORMATS:
        tk.abort(404, tk._("Unknown RDF format: {0}").format(_format))
    return dcat_utils.read_dataset_page(_id, _format)


def registry_export(record_type: str, fmt: str) -> Response:
    if record_type not in V.RECORD_TYPES:
        tk.abort(404, tk._("Unknown record type"))
    if fmt == "csv":
        body, mimetype = registry.csv_export(record_type), "text/csv; charset=utf-8"
    elif fmt == "geojson":
        body, mimetype = registry.geojson_export(record_type), "application/geo+json"
    else:
        return tk.abort(404, tk._("Unknown export format: {0}").format(fmt))
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="khanh-hoa-{record_type}.{fmt}"')
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
        f"/{_record_type}/<_id>.<_format>", view_func=record_rdf,
        endpoint=f"record_rdf_{_record_type.replace('-', '_')}",
        defaults={"record_type": _record_type},
    )
