"""Pages of the public portal: statistics, registry downloads, DCAT catalogue, developers."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages
from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.reporting import public as visitor_charts  # monthly visitor reports

from . import api_docs, charts, record_types, statistics, wizard

portal = Blueprint("khtourism_portal", __name__)

RDF_FORMATS = (("ttl", "Turtle"), ("rdf", "RDF/XML"), ("jsonld", "JSON-LD"), ("xml", "RDF/XML"))
EXPORT_FORMATS = ("csv", "geojson")


def _type_rows() -> list[dict[str, Any]]:
    from ckanext.khtourism.dcat.registry_names import registry_name

    lang = messages.current_language()
    return [
        {
            "type": record_type,
            "label": record_types.type_label(record_type, lang),
            "registry": registry_name(record_type),
            "search_url": tk.h.url_for(f"{record_type}.search"),
        }
        for record_type in RECORD_TYPES
    ]


def stats_page() -> str:
    lang = messages.current_language()
    from ckanext.khtourism.records import communes, vocabularies

    charts_data = []
    for b in statistics.breakdowns(lang):
        chart: dict[str, Any] = {"breakdown": b, "svg": charts.bar_chart(b.rows, b.title)}
        if b.name == "admin_unit":
            centres = communes.centres()
            chart["map"] = charts.commune_map(
                b.rows,
                centres,
                {code: vocabularies.admin_unit_label(code, lang) for code in centres},
                tk._("Map of published records by commune"),
                tk._("Records (circles at commune centres; the portal has no commune boundaries)"),
            )
        charts_data.append(chart)
    visitors = visitor_charts.breakdowns(lang)
    visitor_data = [
        {**chart, "svg": charts.bar_chart(chart["rows"], chart["title"])}
        for chart in visitors["charts"]
    ]
    download = (
        tk.h.url_for("khtourism_api.visitor_statistics")
        + f"?from={visitors['from']}&to={visitors['to']}&group_by=month,admin_unit"
        + f"&format=csv&lang={lang}"
        if visitors["from"]
        else None
    )
    return tk.render(
        "khtourism/statistics.html",
        {
            "charts": charts_data,
            "visitor_charts": visitor_data,
            "visitors": visitors,
            "visitor_download": download,
        },
    )


def stats_csv() -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(statistics.csv_rows(messages.current_language()))
    response = Response(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="khanh-hoa-tourism-stats.csv"'
    return response


def registry_page() -> str:
    import ckan.model as model

    rows = _type_rows()
    existing = {
        name
        for (name,) in model.Session.query(model.Package.name).filter(
            model.Package.name.in_([row["registry"] for row in rows]),
            model.Package.state == "active",
        )
    }
    for row in rows:
        row["registry_exists"] = row["registry"] in existing
    return tk.render("khtourism/registry.html", {"rows": rows, "export_formats": EXPORT_FORMATS})


def catalog_page() -> str:
    return tk.render(
        "khtourism/catalog.html",
        {"rows": _type_rows(), "rdf_formats": RDF_FORMATS},
    )


def developers_page() -> str:
    return tk.render(
        "khtourism/developers.html",
        {
            "rows": _type_rows(),
            "endpoints": api_docs.endpoints(),
            "type_fields": api_docs.type_fields(),
        },
    )


# the new-record wizard: an empty "Add data" step finishes the record without a resource
portal.before_app_request(wizard.skip_empty_resource)
# a business is not offered the form of a curator-only type (tourist-area, heritage-site)
portal.before_app_request(wizard.refuse_form_of_type_not_allowed)

portal.add_url_rule("/thong-ke", view_func=stats_page, endpoint="statistics")
portal.add_url_rule("/stats", view_func=stats_page, endpoint="statistics_en")
portal.add_url_rule("/thong-ke.csv", view_func=stats_csv, endpoint="statistics_csv")
portal.add_url_rule("/registry", view_func=registry_page, endpoint="registry")
portal.add_url_rule("/catalog", view_func=catalog_page, endpoint="catalog")
portal.add_url_rule("/developers", view_func=developers_page, endpoint="developers")
