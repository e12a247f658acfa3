"""Chained ckanext-dcat actions: what any RDF output may contain.

* ``dcat_dataset_show`` serves a record only when it is public: an active,
  non-private dataset whose curation state (if any) is ``published``. Drafts,
  submitted/rejected records and private datasets are "not found", whoever
  asks — RDF is the open-data channel, not the back office.
* ``dcat_catalog_show`` / ``dcat_catalog_search`` accept ``record_type`` (one
  of the four types) and turn it into a ``dataset_type`` filter; the catalogue
  pages only list what ``package_search`` shows to anonymous users. Turtle,
  RDF/XML and JSON-LD pages are written by :mod:`.turtle` and :mod:`.writers`
  from cached per-record fragments (rdflib's pretty-printers are what made a
  100-record page take seconds); N3 goes through ckanext-dcat.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from . import vocabulary as V


def _as_anonymous(context: dict) -> None:
    """Serialize what anonymous users see, not what the requester may see.

    The caller's context is changed in place: CKAN's auth audit follows it.
    """
    context["user"] = ""
    context["auth_user_obj"] = None
    context["ignore_auth"] = False


def _is_public(package: model.Package) -> bool:
    if package.state != "active" or package.private:
        return False
    workflow_state = package.extras.get("workflow_state")
    return workflow_state in (None, "", "published")


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(next_action, context: dict, data_dict: dict) -> Any:
    package = model.Package.get(data_dict.get("id") or "")
    if package is None or not _is_public(package):
        raise tk.ObjectNotFound("Dataset not found")
    _as_anonymous(context)
    return next_action(context, data_dict)


def _with_record_type(data_dict: dict) -> dict:
    record_type = data_dict.get("record_type")
    if not record_type:
        return data_dict
    if record_type not in V.RECORD_TYPES:
        raise tk.ValidationError({"record_type": [f"must be one of {', '.join(V.RECORD_TYPES)}"]})
    data_dict = dict(data_dict)
    type_filter = f"+dataset_type:{record_type}"
    data_dict["fq"] = f"{data_dict['fq']} {type_filter}" if data_dict.get("fq") else type_filter
    return data_dict


def _catalog_page(context: dict, data_dict: dict, _format: str) -> str:
    """A catalogue page in Turtle, RDF/XML or JSON-LD: the catalogue's own
    description and paging written by our writers, the records' descriptions
    from the per-record fragment cache (:mod:`.fragments`)."""
    from rdflib import Graph

    from ckanext.dcat import logic as dcat_logic
    from ckanext.dcat.profiles import DCAT

    from . import fragments

    query = dcat_logic._search_ckan_datasets(context, data_dict)
    pagination_info = dcat_logic._pagination_info(query, data_dict)
    profiles = data_dict.get("profiles")
    serializer = fragments.Serializer(profiles=profiles)
    serializer.g = Graph(bind_namespaces="none")
    catalog_ref = serializer.graph_from_catalog({})
    records = fragments.record_fragments(query["results"], profiles, _format)
    for _text, dataset_ref in records:
        serializer.g.add((catalog_ref, DCAT.dataset, dataset_ref))
    if pagination_info:
        serializer._add_pagination_triples(pagination_info)
    catalog_text = fragments.write_graph(_format, serializer.g)
    parts = [catalog_text] + [text for text, _ref in records if text]
    return (
        fragments.page_header(_format)
        + fragments.page_separator(_format).join(parts)
        + fragments.page_footer(_format)
    )


def _catalog(next_action, action: str, context: dict, data_dict: dict) -> Any:
    from . import fragments

    _as_anonymous(context)
    data_dict = _with_record_type(data_dict)
    _format = fragments.format_name(data_dict.get("format"))
    if _format is not None:
        tk.check_access(action, context, data_dict)
        return _catalog_page(context, data_dict, _format)
    return next_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(next_action, context: dict, data_dict: dict) -> Any:
    return _catalog(next_action, "dcat_catalog_show", context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(next_action, context: dict, data_dict: dict) -> Any:
    return _catalog(next_action, "dcat_catalog_search", context, data_dict)
