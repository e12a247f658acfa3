"""Configuration read by the DCAT room (declared in config_declaration.yaml)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.dcat.utils import catalog_uri

DEFAULT_API_PATH = "/api/tourism/v1"


def _site() -> str:
    return catalog_uri().rstrip("/")


def api_base_url() -> str:
    """Endpoint URL of the tourism API (the DataService of the registry datasets)."""
    configured = tk.config.get("ckanext.khtourism.api_base_url") or ""
    return configured.rstrip("/") or _site() + DEFAULT_API_PATH


def api_description_url() -> str:
    """URL of the tourism API's OpenAPI document."""
    configured = tk.config.get("ckanext.khtourism.api_description_url") or ""
    return configured or api_base_url() + "/openapi.json"


def publisher() -> dict[str, str]:
    return {
        "name": tk.config.get("ckanext.khtourism.publisher_name") or "",
        "name_en": tk.config.get("ckanext.khtourism.publisher_name_en") or "",
        "url": tk.config.get("ckanext.khtourism.publisher_url") or "",
    }


def catalog_texts() -> dict[str, str]:
    return {
        "title_vi": tk.config.get("ckan.site_title") or "",
        "title_en": tk.config.get("ckanext.khtourism.catalog_title_en") or "",
        "description_vi": tk.config.get("ckan.site_description") or "",
        "description_en": tk.config.get("ckanext.khtourism.catalog_description_en") or "",
    }


def catalog_license_url() -> str:
    return tk.config.get("ckanext.khtourism.catalog_license_url") or ""


def curator_organization() -> str:
    return tk.config.get("ckanext.khtourism.curator_organization") or ""


def publisher_as_owner() -> bool:
    """Harvested records go to the local organization matching their dct:publisher."""
    return tk.asbool(tk.config.get("ckanext.khtourism.dcat.publisher_as_owner"))
