"""Template helpers of the public portal (exported through ``ckanext.khtourism.helpers``)."""

from __future__ import annotations

from typing import Any

import flask

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import formats, messages
from ckanext.khtourism.core.record_types import RECORD_TYPES

from . import display, downloads, overview, record_types


def _lang() -> str:
    return messages.current_language()


def khtourism_portal_title() -> str:
    """The portal's own name in the page language (``ckanext.khtourism.portal_title[_en]``)."""
    if _lang() == "en":
        return tk.config.get("ckanext.khtourism.portal_title_en") or tk.config.get(
            "ckanext.khtourism.portal_title"
        )
    return tk.config.get("ckanext.khtourism.portal_title")


def khtourism_portal_tagline() -> str:
    key = (
        "ckanext.khtourism.portal_tagline_en"
        if _lang() == "en"
        else "ckanext.khtourism.portal_tagline"
    )
    return tk.config.get(key) or ""


def khtourism_portal_overview() -> dict[str, Any]:
    return overview.overview()


def khtourism_record_type_label(record_type: str) -> str:
    return record_types.type_label(record_type, _lang())


def khtourism_record_type_icon(record_type: str) -> str:
    return record_types.TYPE_ICONS.get(record_type, "database")


def khtourism_menu_record_types() -> list[tuple[str, str]]:
    """(record type, its label in the page language) for the main menu: the types whose
    search page is registered (a configuration without ckanext-scheming's types has none)."""
    pages = flask.current_app.view_functions if flask.has_app_context() else {}
    return [
        (t, record_types.type_label(t, _lang())) for t in RECORD_TYPES if f"{t}.search" in pages
    ]


def khtourism_format_vnd(value: Any) -> str:
    return display.format_vnd(value, _lang())


def khtourism_display_date(value: Any) -> str:
    """A plain date as readers expect it (``01/03/2026``, ``core/formats.py``): every page
    that shows a stored ISO date (``2026-03-01``) goes through this helper."""
    return formats.display_date(value, _lang())


def khtourism_display_count(value: Any) -> str:
    """A count (rooms, beds, seats, capacity) with thousands grouped: ``1.200`` on
    Vietnamese pages, ``1,200`` on English ones."""
    return formats.display_count(value, _lang())


def khtourism_field_kind(dataset_type: str, field_name: str) -> str:
    """The kind of value a record field holds (``records/schema_fields.py``: ``date``,
    ``int``, ``datetime``, ``code``, ``text`` …), so a page shows it as its kind reads."""
    from ckanext.khtourism.records import schema_fields

    try:
        return schema_fields.field_kind(dataset_type, field_name)
    except KeyError:  # not a field of a record type (or not a record type)
        return schema_fields.TEXT


def khtourism_province_label(code: Any) -> str:
    return display.province_label(code)


def khtourism_localized(pkg: dict[str, Any], field: str) -> str:
    return display.localized(pkg, field, _lang())


def khtourism_account_contact() -> dict[str, str]:
    """Whom a business asks for an account: ``{"text", "email"}`` in the page language."""
    key = (
        "ckanext.khtourism.account_request_text_en"
        if _lang() == "en"
        else "ckanext.khtourism.account_request_text"
    )
    return {
        "text": tk.config.get(key) or "",
        "email": tk.config.get("ckanext.khtourism.account_request_email") or "",
    }


def khtourism_results_download_url(dataset_type: str, fmt: str) -> str | None:
    """ "Download these results": the tourism API with the search page's filters."""
    return downloads.results_download_url(
        dataset_type, fmt, tk.request.args.items(multi=True), _lang()
    )


def khtourism_facet_items(facet: str, search_facets: dict[str, Any]) -> list[dict[str, Any]]:
    """CKAN's facet items, star ratings in their order (1–5) instead of by count."""
    from ckanext.khtourism.records.facets import ordered_facet_items

    return ordered_facet_items(facet, tk.h.get_facet_items_dict(facet, search_facets))


def khtourism_error_summary(error_summary: dict[str, Any] | None) -> dict[str, Any]:
    """The form's error summary without the field name twice ("Hạng sao: Hạng sao: …"):
    our messages already start with the field's label, which CKAN prints as the key."""
    from . import forms

    return forms.error_summary(error_summary or {})


@tk.chained_helper
def dataset_display_name(next_helper: Any, package: Any) -> str:
    """Record titles in the page language: ``title_en`` under /en/ when present
    (headings, page titles, search results, lists)."""
    if isinstance(package, dict) and _lang() == "en":
        english = package.get("title_en")
        if isinstance(english, str) and english.strip():
            return english
    return next_helper(package)


@tk.chained_helper
def get_organization(next_helper: Any, org: Any = None, include_datasets: bool = False) -> Any:
    """CKAN's ``h.get_organization``, once per organization and request: a record page
    asked for its organization twice (organization_show with its follower count, ~20 ms
    each at 10,000 records; docs/performance.md, "Portal pages")."""
    if not flask.has_request_context() or not isinstance(org, str):
        return next_helper(org, include_datasets)
    cache = flask.g.setdefault("khtourism_organizations", {})
    key = (org, bool(include_datasets))
    if key not in cache:
        cache[key] = next_helper(org, include_datasets)
    return cache[key]


def khtourism_default_license() -> str:
    from ckanext.khtourism.records.licenses import default_license

    return default_license()


def khtourism_local_time(value: Any) -> str:
    """A stored (UTC) time in the portal's time zone (``ckan.display_timezone``), with the
    zone written out: ``04/12/2026 19:05 (UTC+07:00)``. Rendered on the server: CKAN's
    ``automatic-local-datetime`` script showed the reader's browser zone instead."""
    return display.local_time(value)


def khtourism_khanh_hoa_time(value: Any) -> str:
    """An event's date and time in Khánh Hòa's time (UTC+7)."""
    return display.khanh_hoa_time(value)


__all__ = [
    "khtourism_khanh_hoa_time",
    "khtourism_local_time",
    "khtourism_default_license",
    "dataset_display_name",
    "get_organization",
    "khtourism_error_summary",
    "khtourism_results_download_url",
    "khtourism_facet_items",
    "khtourism_portal_title",
    "khtourism_portal_tagline",
    "khtourism_portal_overview",
    "khtourism_record_type_label",
    "khtourism_record_type_icon",
    "khtourism_menu_record_types",
    "khtourism_format_vnd",
    "khtourism_display_date",
    "khtourism_display_count",
    "khtourism_field_kind",
    "khtourism_province_label",
    "khtourism_localized",
    "khtourism_account_contact",
    "khtourism_harvesters_info",
    "khtourism_harvest_config_problems",
    "khtourism_harvest_last_job",
    "khtourism_csv_preview",
]


# the harvest source form: our source types first (the form preselects the first), each
# with an example configuration
OUR_HARVESTER_PREFIX = "khtourism_"
CONFIG_ERROR_PREFIX = "Error parsing the configuration options: "
# ckanext-harvest's and ckanext-dcat's harvesters, whose title and description are English
STOCK_HARVESTER_TEXTS = {
    "ckan": (
        messages.N_("CKAN (plain copy of datasets)"),
        messages.N_("Harvests the datasets of another CKAN as they are"),
    ),
    "dcat_rdf": (
        messages.N_("DCAT RDF (plain copy of datasets)"),
        messages.N_("Harvests the datasets of a DCAT catalogue (RDF) as they are"),
    ),
    "dcat_json": (
        messages.N_("DCAT JSON (plain copy of datasets)"),
        messages.N_("Harvests the datasets of a DCAT JSON catalogue as they are"),
    ),
}
JOB_STATUS_LABELS = {
    "New": messages.N_("Waiting"),
    "Running": messages.N_("Running"),
    "Finished": messages.N_("Finished"),
    "Aborted": messages.N_("Aborted"),
}


def khtourism_harvesters_info() -> list[dict]:
    """ckanext-harvest's ``harvesters_info`` with this portal's source types first, each
    harvester dict given ``example_config`` (pretty JSON) when it has one."""
    import json

    import ckan.plugins as p

    from ckanext.harvest.interfaces import IHarvester

    examples = {}
    for harvester in p.PluginImplementations(IHarvester):
        example = getattr(harvester, "EXAMPLE_CONFIG", None)
        if example:
            examples[harvester.info()["name"]] = json.dumps(example, indent=2, ensure_ascii=False)
    infos = [dict(info) for info in tk.h.harvesters_info()]
    for info in infos:
        info["example_config"] = examples.get(info["name"], "")
        if info["name"] in STOCK_HARVESTER_TEXTS:  # their own texts are English only
            title, description = STOCK_HARVESTER_TEXTS[info["name"]]
            info["title"] = messages.translate(title)
            info["description"] = messages.translate(description)
    return sorted(infos, key=lambda info: not info["name"].startswith(OUR_HARVESTER_PREFIX))


def khtourism_harvest_config_problems(errors: dict | None) -> list[str]:
    """The configuration problems of a refused source form, one a line, without
    ckanext-harvest's untranslated English prefix."""
    found: list[str] = []
    for message in (errors or {}).get("config") or []:
        text = str(message)
        if text.startswith(CONFIG_ERROR_PREFIX):
            text = text[len(CONFIG_ERROR_PREFIX) :]
        found.extend(line for line in text.splitlines() if line.strip())
    return found


def khtourism_harvest_last_job(harvest_source: dict) -> dict | None:
    """The last job of a harvest source for its page: ``{status, created, finished,
    stats: {added, updated, not modified, errored, deleted}}`` (times in the portal's time
    zone), or None before its first job / for a visitor who may not see it."""

    try:
        status = tk.get_action("harvest_source_show_status")({}, {"id": harvest_source["id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound, KeyError):
        return None
    job = status.get("last_job")
    if not job:
        return None
    return {
        "id": job.get("id"),
        "status": job.get("status"),
        "status_label": messages.translate(
            JOB_STATUS_LABELS.get(job.get("status") or "", job.get("status") or "")
        ),
        "created": display.local_time(job.get("created")) if job.get("created") else "",
        "finished": display.local_time(job.get("finished")) if job.get("finished") else "",
        "stats": job.get("stats") or {},
        "total_datasets": status.get("total_datasets", 0),
    }


def khtourism_csv_preview(resource: dict, package: dict | None = None) -> dict:
    """The CSV preview of a resource page (portal/csv_preview.py)."""
    from . import csv_preview

    return csv_preview.preview(resource, package)
