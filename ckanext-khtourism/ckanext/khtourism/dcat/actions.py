"""Chained ckanext-dcat actions: what any RDF output may contain.

* ``dcat_dataset_show`` serves a record only when it is public: an active,
  non-private dataset whose curation state (if any) is ``published``. Drafts,
  submitted/rejected records and private datasets are "not found", whoever
  asks — RDF is the open-data channel, not the back office.
* ``dcat_catalog_show`` / ``dcat_catalog_search`` accept ``record_type`` (one
  of the four types) and turn it into a ``dataset_type`` filter; the catalogue
  pages only list what ``package_search`` shows to anonymous users. Turtle
  pages are written by :mod:`.turtle` (rdflib's pretty-printer is what made a
  100-record page take seconds); other formats go through ckanext-dcat.
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
        raise tk.ValidationError(
            {"record_type": [f"must be one of {', '.join(V.RECORD_TYPES)}"]})
    data_dict = dict(data_dict)
    type_filter = f"+dataset_type:{record_type}"
    data_dict["fq"] = f"{data_dict['fq']} {type_filter}" if data_dict.get("fq") else type_filter
    return data_dict


def _catalog_turtle(context: dict, data_dict: dict) -> str:
    """The catalogue page as Turtle: our writer, cached per-record fragments."""
    from rdflib import Graph

    from ckanext.dcat import logic as dcat_logic
    from ckanext.dcat.processors import RDFSerializer
    from ckanext.dcat.profiles import DCAT

    from . import fragments, turtle

    query = dcat_logic._search_ckan_datasets(context, data_dict)
    pagination_info = dcat_logic._pagination_info(query, data_dict)
    profiles = data_dict.get("profiles")
    serializer = RDFSerializer(profiles=profiles)
    serializer.g = Graph()
    catalog_ref = serializer.graph_from_catalog({})
    records = fragments.record_fragments(query["results"], profiles)
    for _text, dataset_ref in records:
        serializer.g.add((catalog_ref, DCAT.dataset, dataset_ref))
    if pagination_info:
        serializer._add_pagination_triples(pagination_info)
    prefixes = fragments.prefixes()
    catalog_text, _used = turtle.body(serializer.g, prefixes)
    return "\n".join([turtle.header(prefixes), catalog_text] + [t for t, _r in records])


def _catalog(next_action, action: str, context: dict, data_dict: dict) -> Any:
    _as_anonymous(context)
    data_dict = _with_record_type(data_dict)
    if data_dict.get("format") in ("ttl", "turtle"):
        tk.check_access(action, context, data_dict)
        return _catalog_turtle(context, data_dict)
    return next_action(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(next_action, context: dict, data_dict: dict) -> Any:
    return _catalog(next_action, "dcat_catalog_show", context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(next_action, context: dict, data_dict: dict) -> Any:
    return _catalog(next_action, "dcat_catalog_search", context, data_dict)
