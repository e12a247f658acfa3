"""The IPackageController hooks of the search room (``plugin.py`` delegates here)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import plugins

from ckanext.khtourism.security import action_limits

from . import postgres_enabled, spatial

RADIUS_PARAMS = ("ext_lat", "ext_lon", "ext_radius")


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """Turn ``ext_bbox`` / radius / ``ext_polygon`` into filters our engine understands;
    cap the rows of an anonymous action-API search (security)."""
    search_params = action_limits.cap_anonymous_rows(search_params)
    if not postgres_enabled():
        refuse_spatial_on_solr(search_params)
        return search_params
    return spatial.before_dataset_search(search_params)


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction (``make i18n``); translated where it is shown."""
    return msgid


SOLR_CANNOT_ANSWER = N_(
    "{param}: searching by map area or distance needs the portal's own search engine; "
    "this portal searches with Solr, which cannot answer it. Remove the parameter, "
    "or ask the portal's administrators to switch the search engine back to PostgreSQL."
)


class SolrCannotAnswer(tk.ValidationError):
    """A spatial search refused because the engine is Solr: a ``ValidationError``
    naming the parameter, in the request's language; ``spatial_param`` and ``msgid``
    let the tourism API answer in the language it chose (api/query.py)."""

    msgid = SOLR_CANNOT_ANSWER

    def __init__(self, param: str) -> None:
        self.spatial_param = param
        super().__init__({param: [tk._(SOLR_CANNOT_ANSWER).format(param=param)]})


def refuse_spatial_on_solr(search_params: dict[str, Any]) -> None:
    """With ``engine = solr``, a radius, polygon (or, without ckanext-spatial's
    ``spatial_query``, bounding-box) search is refused with a clear error: CKAN would
    drop the parameters and answer with every dataset (issue 20)."""
    extras = search_params.get("extras") or {}
    asked = [name for name in (*RADIUS_PARAMS, "ext_polygon") if extras.get(name) not in (None, "")]
    if extras.get("ext_bbox") not in (None, "") and not plugins.plugin_loaded("spatial_query"):
        asked.append("ext_bbox")
    if asked:
        raise SolrCannotAnswer(asked[0])
