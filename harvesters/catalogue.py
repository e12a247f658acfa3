"""Catalogue harvesters that land remote datasets as tourism record types.

ckanext-harvest's ``ckan`` harvester and ckanext-dcat's ``dcat_rdf`` harvester
land remote datasets as plain datasets. These thin subclasses keep their
gather stage (remote search / RDF parsing, paging, ckanext-dcat's deletion
detection) and replace the import stage with ours: the remote dataset's
fields and extras become the record's properties, the same mapping
configuration as every other source maps them to a record type, and the
record is written through package_create/package_update with provenance,
workflow, duplicate matching and withdrawal (never deletion).
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins as p

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester
from ckanext.harvest.interfaces import IHarvester

from .base import KhTourismHarvesterBase

CKAN_HARVESTER_KEYS = (
    "api_version", "default_tags", "default_groups", "default_extras", "override_extras",
    "user", "api_key", "read_only", "force_all", "remote_groups", "remote_orgs", "clean_tags",
    "organizations_filter_include", "organizations_filter_exclude", "groups_filter_include",
    "groups_filter_exclude", "ssl_verify",
)
SKIPPED = {"extras", "resources", "tags", "groups", "organization", "owner_org", "id",
           "relationships_as_object", "relationships_as_subject", "type", "state", "private"}


def catalogue_content(remote: dict[str, Any], url: str | None) -> dict[str, Any]:
    """A remote dataset dict (CKAN API or ckanext-dcat parser) as a source record."""
    properties: dict[str, Any] = {
        key: value for key, value in remote.items()
        if key not in SKIPPED and isinstance(value, (str, int, float)) and value != ""
    }
    for extra in remote.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") and extra.get("value") not in (None, ""):
            properties.setdefault(extra["key"], extra["value"])
    tags = [t.get("name") for t in remote.get("tags") or [] if isinstance(t, dict)]
    if tags:
        properties.setdefault("tag_string", ",".join(t for t in tags if t))
    geometry = None
    spatial = properties.pop("spatial", None)
    if spatial:
        try:
            geometry = json.loads(spatial) if isinstance(spatial, str) else spatial
        except ValueError:
            geometry = None
    name = remote.get("name") or remote.get("id")
    return {"ref": f"dataset {name}", "properties": properties, "geometry": geometry,
            "crs": "EPSG:4326" if geometry else None, "url": url,
            "problem": None if geometry is not None or not spatial
            else f"dataset {name}: 'spatial' is not GeoJSON"}


class CatalogueMixin:
    """Our import stage over another harvester's gather stage."""

    def content_of(self, harvest_object) -> dict[str, Any]:
        remote = json.loads(harvest_object.content)
        return catalogue_content(remote, self.remote_url(harvest_object, remote))

    def remote_url(self, harvest_object, remote: dict[str, Any]) -> str | None:
        raise NotImplementedError


class CKANCatalogueHarvester(CatalogueMixin, KhTourismHarvesterBase, CKANHarvester):
    """Another CKAN's datasets as tourism records (``khtourism_ckan``)."""

    p.implements(IHarvester)
    TYPE_KEYS = {key: object for key in CKAN_HARVESTER_KEYS}
    gather_stage = CKANHarvester.gather_stage
    fetch_stage = CKANHarvester.fetch_stage

    def info(self) -> dict[str, str]:
        return {"name": "khtourism_ckan", "title": "CKAN → bản ghi du lịch",
                "description": "Datasets of another CKAN, mapped to a tourism record type"}

    def validate_config(self, config: str | None) -> str | None:
        CKANHarvester.validate_config(self, config)
        return KhTourismHarvesterBase.validate_config(self, config)

    def remote_url(self, harvest_object, remote: dict[str, Any]) -> str | None:
        base = (harvest_object.source or harvest_object.job.source).url.rstrip("/")
        return f"{base}/dataset/{remote.get('name') or remote.get('id')}"


class DCATCatalogueHarvester(CatalogueMixin, KhTourismHarvesterBase, DCATRDFHarvester):
    """A DCAT RDF catalogue's datasets as tourism records (``khtourism_dcat``)."""

    p.implements(IHarvester)
    TYPE_KEYS = {"rdf_format": str}
    gather_stage = DCATRDFHarvester.gather_stage
    fetch_stage = DCATRDFHarvester.fetch_stage

    def info(self) -> dict[str, str]:
        return {"name": "khtourism_dcat", "title": "DCAT RDF → bản ghi du lịch",
                "description": "Datasets of a DCAT catalogue, mapped to a tourism record type"}

    def validate_config(self, config: str | None) -> str | None:
        DCATRDFHarvester.validate_config(self, config)
        return KhTourismHarvesterBase.validate_config(self, config)

    def remote_url(self, harvest_object, remote: dict[str, Any]) -> str | None:
        extras = {e.get("key"): e.get("value") for e in remote.get("extras") or []}
        return remote.get("uri") or extras.get("uri") or harvest_object.guid
