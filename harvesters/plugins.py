"""The harvester plugins (entry points in setup.py); each only says how to read its source."""

from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.harvest.interfaces import IHarvester

from ckanext.khtourism.core import messages

from .base import KhTourismHarvesterBase
from .config import SourceConfig
from .sources import SourceError, SourceListing, arcgis, http, ogcapi, spreadsheet, wfs


class SpreadsheetHarvester(KhTourismHarvesterBase, p.SingletonPlugin):
    """CSV/XLSX registers from a URL or an uploaded CKAN resource."""

    p.implements(IHarvester)
    p.implements(p.ISignal)
    TYPE_KEYS = {
        "format": str,
        "encoding": str,
        "sheet": str,
        "delimiter": str,
        "header_row": int,
        "resource_id": str,
    }
    EXAMPLE_CONFIG = {
        "record_type": "accommodation",
        "publish": "review",
        "format": "csv",
        "encoding": "utf-8",
        "mapping": {"Tên cơ sở": "title", "Số phòng": "rooms"},
        "defaults": {"admin_unit": "22366"},
    }

    def info(self) -> dict[str, str]:
        return {
            "name": "khtourism_spreadsheet",
            "title": messages.translate(messages.N_("Spreadsheet register (CSV/XLSX)")),
            "description": messages.translate(
                messages.N_(
                    "CSV or XLSX registers (UTF-8, UTF-16, Windows-1258) from a URL or an "
                    "uploaded file, mapped to a tourism record type"
                )
            ),
        }

    def read_source(self, url: str, config: SourceConfig) -> SourceListing:
        options = config.options
        if options.get("resource_id"):
            data, name = _uploaded_file(options["resource_id"])
        else:
            data, name = http.get(url, timeout=config.timeout).content, url
        return spreadsheet.read_spreadsheet(
            data,
            name_hint=name,
            file_format=options.get("format"),
            encoding=options.get("encoding"),
            sheet=options.get("sheet"),
            delimiter=options.get("delimiter"),
            header_row=options.get("header_row"),
            base_url=url,
            max_rows=http.max_records(),
            max_uncompressed=tk.asint(
                tk.config.get("ckanext.khtourism.harvest.max_uncompressed_bytes")
                or spreadsheet.MAX_UNCOMPRESSED_BYTES
            ),
        )


def _uploaded_file(resource_id: str) -> tuple[bytes, str]:
    import ckan.lib.uploader as uploader
    import ckan.model as model

    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        raise SourceError(f"resource_id: no active resource {resource_id}")
    if resource.url_type != "upload":
        return http.get(resource.url).content, resource.url
    path = uploader.get_resource_uploader(
        {"id": resource.id, "url": resource.url, "url_type": "upload"}
    ).get_path(resource.id)
    if not os.path.exists(path):
        raise SourceError(f"resource_id: the uploaded file of {resource_id} is missing")
    with open(path, "rb") as handle:
        return handle.read(), resource.url


class ArcGISHarvester(KhTourismHarvesterBase, p.SingletonPlugin):
    p.implements(IHarvester)
    p.implements(p.ISignal)
    TYPE_KEYS = {"where": str, "out_fields": str, "page_size": int, "token": str}
    EXAMPLE_CONFIG = {
        "record_type": "heritage-site",
        "where": "1=1",
        "out_fields": "*",
        "page_size": 1000,
        "crs": "EPSG:9217",
    }

    def info(self) -> dict[str, str]:
        return {
            "name": "khtourism_arcgis",
            "title": "ArcGIS REST (FeatureServer/MapServer)",
            "description": messages.translate(
                messages.N_("Features of an ArcGIS REST layer, paged, reprojected to WGS 84")
            ),
        }

    def read_source(self, url: str, config: SourceConfig) -> SourceListing:
        options = config.options
        return arcgis.read_layer(
            url,
            where=options.get("where", "1=1"),
            out_fields=options.get("out_fields", "*"),
            page_size=options.get("page_size"),
            timeout=config.timeout,
            token=options.get("token"),
        )


class OGCAPIFeaturesHarvester(KhTourismHarvesterBase, p.SingletonPlugin):
    p.implements(IHarvester)
    p.implements(p.ISignal)
    TYPE_KEYS = {"limit": int}
    EXAMPLE_CONFIG = {"record_type": "heritage-site", "limit": 500, "publish": "review"}

    def info(self) -> dict[str, str]:
        return {
            "name": "khtourism_ogcapi",
            "title": "OGC API – Features",
            "description": messages.translate(
                messages.N_("Items of an OGC API – Features collection (next links followed)")
            ),
        }

    def read_source(self, url: str, config: SourceConfig) -> SourceListing:
        return ogcapi.read_features(
            url, limit=config.options.get("limit", 500), timeout=config.timeout
        )


class WFSHarvester(KhTourismHarvesterBase, p.SingletonPlugin):
    p.implements(IHarvester)
    p.implements(p.ISignal)
    TYPE_KEYS = {"type_name": str, "page_size": int, "srs_name": str, "output_format": str}
    REQUIRED_KEYS = ("type_name",)
    EXAMPLE_CONFIG = {
        "record_type": "accommodation",
        "type_name": "khanhhoa:luu_tru",
        "page_size": 1000,
        "srs_name": "EPSG:4326",
    }

    def info(self) -> dict[str, str]:
        return {
            "name": "khtourism_wfs",
            "title": "WFS 2.0 (GeoJSON)",
            "description": messages.translate(
                messages.N_("WFS 2.0 GetFeature as GeoJSON, paged with startIndex")
            ),
        }

    def read_source(self, url: str, config: SourceConfig) -> SourceListing:
        options = config.options
        return wfs.read_features(
            url,
            options["type_name"],
            page_size=options.get("page_size", 1000),
            srs_name=options.get("srs_name"),
            output_format=options.get("output_format", "application/json"),
            timeout=config.timeout,
        )
