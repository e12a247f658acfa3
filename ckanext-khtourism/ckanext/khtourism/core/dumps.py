"""Names of the bulk dumps (api/dumps.py builds them, dcat/registry.py publishes them):
their folder, file names and URLs, in one place."""

from __future__ import annotations

import tempfile
from pathlib import Path

import ckan.plugins.toolkit as tk

PATH = "ckanext.khtourism.dumps.path"
# format -> (label, media type of the uncompressed content)
FORMATS = {
    "csv": ("CSV", "text/csv"),
    "geojson": ("GeoJSON", "application/geo+json"),
    "jsonld": ("JSON-LD", "application/ld+json"),
}
MANIFEST = "manifest.json"
BASE = "/api/tourism/v1/dumps"


def directory() -> Path:
    configured = tk.config.get(PATH)
    if configured:
        return Path(configured)
    return Path(tk.config.get("ckan.storage_path") or tempfile.gettempdir()) / "khtourism-dumps"


def file_name(dataset_type: str, fmt: str) -> str:
    return f"{dataset_type}.{fmt}.gz"


def url(name: str) -> str:
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}{BASE}/{name}"


def built(dataset_type: str, fmt: str) -> bool:
    return (directory() / file_name(dataset_type, fmt)).is_file()
