"""Writes the CKAN configuration file of the local stack."""

from __future__ import annotations

import json
import os
import secrets
from importlib import resources
from pathlib import Path
from string import Template

from ckanext.khtourism.core.record_types import declarations

# Every plugin the portal runs, in load order. ``khtourism`` comes first so its
# templates and helpers take precedence over the extensions it builds on.
PLUGINS = [
    "khtourism",
    "activity",
    "scheming_datasets",
    "dcat",
    "harvest",
    "ckan_harvester",
    "dcat_rdf_harvester",
    "spatial_metadata",
    "image_view",
    # harvest room: our harvesters
    "khtourism_spreadsheet_harvester",
    "khtourism_arcgis_harvester",
    "khtourism_ogcapi_harvester",
    "khtourism_wfs_harvester",
    "khtourism_ckan_harvester",
    "khtourism_dcat_harvester",
]

# records: the tourism record types, as registered (core/record_types.py)
DATASET_SCHEMAS = [
    *(record_type.scheming_schema for record_type in declarations().values()),
    # plain datasets (the registry datasets, catalogue harvests): ckanext-dcat's own DCAT-AP
    # schema, so that whatever a DCAT-AP catalogue publishes (contact points, publishers,
    # temporal and spatial coverage, …) has a field to land in (docs/harvesting.md)
    "ckanext.dcat.schemas:dcat_ap_full.yaml",
]

SCHEMING_PRESETS = [
    "ckanext.scheming:presets.json",
    "ckanext.dcat.schemas:presets.yaml",
    "ckanext.khtourism.schemas:presets.yaml",
]

DCAT_PROFILES = ["euro_dcat_ap_3", "khtourism"]


def load_secrets(var_dir: Path) -> dict[str, str]:
    """Secrets generated once per installation, kept in ``var/secrets.json`` (mode 600)."""
    path = var_dir / "secrets.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for key in ("secret_key", "jwt_secret", "sysadmin_password"):
        if not stored.get(key):
            stored[key] = secrets.token_urlsafe(32)
            changed = True
    if changed or not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle, indent=2)
    os.chmod(path, 0o600)
    return stored


def write_config(
    path: Path,
    *,
    var_dir: Path,
    sqlalchemy_url: str,
    redis_url: str,
    port: int,
    extra: dict[str, str] | None = None,
    log_level: str = "INFO",
    outbound_allowed_hosts: str | None = None,
) -> Path:
    """Render the template into ``path`` (mode 600: it holds secrets).

    ``outbound_allowed_hosts``: internal hosts/networks harvest sources may reach
    (default ``$KHTOURISM_OUTBOUND_ALLOWED_HOSTS``, empty: none).
    """
    stored = load_secrets(var_dir)
    template = Template(
        resources.files("ckanext.khtourism.local").joinpath("ckan.ini_tmpl").read_text("utf-8")
    )
    extra_lines = "\n".join(f"{key} = {value}" for key, value in (extra or {}).items())
    text = template.substitute(
        site_url=os.environ.get("CKAN_SITE_URL", f"http://127.0.0.1:{port}"),
        port=port,
        secret_key=stored["secret_key"],
        jwt_secret=stored["jwt_secret"],
        sqlalchemy_url=sqlalchemy_url,
        redis_url=redis_url,
        search_engine=os.environ.get("KHTOURISM_SEARCH_ENGINE", "postgres"),
        solr_url=os.environ.get("CKAN_SOLR_URL", "http://127.0.0.1:8983/solr/ckan"),
        plugins=" ".join(PLUGINS),
        dataset_schemas=" ".join(DATASET_SCHEMAS),
        scheming_presets=" ".join(SCHEMING_PRESETS),
        dcat_profiles=" ".join(DCAT_PROFILES),
        storage_path=var_dir / "storage",
        extra=extra_lines,
        log_level=log_level,
        outbound_allowed_hosts=(
            os.environ.get("KHTOURISM_OUTBOUND_ALLOWED_HOSTS", "")
            if outbound_allowed_hosts is None
            else outbound_allowed_hosts
        ),
    )
    (var_dir / "storage").mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
    return path
