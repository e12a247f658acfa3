"""Source configuration: the JSON a curator writes in the harvest source form.

Common keys (every source type)::

    record_type   a record type (core/record_types.py: accommodation, tour-operator, …)
                  or dataset
    publish       "review" (default: records wait in the curators' queue) or "direct"
    mapping       {"source column or attribute": "field"}   (null drops a default)
    defaults      {"field": value}                         (constant values)
    value_maps    {"field": {"source value": "code"}}
    key_field     field or column that identifies a record at its source (default: card /
                  licence number for guides / tour operators; for places the feature id,
                  or name + address in a register — never the row number)
    use_default_mapping  true
    crs           CRS of the geometries/coordinates when the source does not declare it
                  (or declares it wrongly): "EPSG:9217", "vn2000-khanhhoa", a WKT, …
    timeout       seconds one HTTP request may take in all: connection, redirects,
                  headers and body (default 30; not per read)
    allow_empty   false: an empty listing never withdraws every record
    force_all     false: true re-imports records whose content has not changed
    license_id    the source's licence (e.g. "odc-odbl" for OpenStreetMap data): records
                  that carry no licence of their own get it; without it, the portal's
                  default (ckanext.khtourism.harvest.default_license)

Per type: spreadsheet ``format`` (csv|xlsx), ``encoding``, ``sheet``,
``delimiter``, ``header_row``, ``resource_id`` (an uploaded CKAN resource);
ArcGIS ``where``, ``out_fields``, ``page_size``, ``token``; OGC API ``limit``;
WFS ``type_name`` (required), ``page_size``, ``srs_name``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import geometry
from .mapping import Mapping, MappingError

PUBLISH_CHOICES = ("review", "direct")
COMMON_KEYS = {
    "record_type",
    "publish",
    "mapping",
    "defaults",
    "value_maps",
    "key_field",
    "use_default_mapping",
    "crs",
    "timeout",
    "allow_empty",
    "force_all",
    "license_id",
}


class ConfigError(ValueError):
    """The source configuration is wrong; the message names the key."""


@dataclass
class SourceConfig:
    raw: dict[str, Any]
    mapping: Mapping
    publish: str = "review"
    crs: str | None = None
    timeout: float = 30.0
    allow_empty: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def record_type(self) -> str:
        return self.mapping.record_type


def parse(
    text: str | None,
    *,
    type_keys: dict[str, type | tuple[type, ...]],
    required: tuple[str, ...] = (),
) -> SourceConfig:
    """Parse and check a source configuration; ConfigError names the offending key."""
    if not text or not text.strip():
        raw: dict[str, Any] = {}
    else:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"configuration is not valid JSON: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError("configuration must be a JSON object")
    unknown = set(raw) - COMMON_KEYS - set(type_keys)
    if unknown:
        raise ConfigError(f"unknown configuration key(s): {', '.join(sorted(unknown))}")
    for key in required:
        if not raw.get(key):
            raise ConfigError(f"{key}: required for this source type")
    for key, expected in type_keys.items():
        if key in raw and raw[key] is not None and not isinstance(raw[key], expected):
            raise ConfigError(f"{key}: wrong type {type(raw[key]).__name__}")
    publish = raw.get("publish", "review")
    if publish not in PUBLISH_CHOICES:
        raise ConfigError(f"publish: {publish!r} is not one of {', '.join(PUBLISH_CHOICES)}")
    timeout = raw.get("timeout", 30)
    if not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
        raise ConfigError("timeout: must be a number of seconds between 0 and 600")
    if "license_id" in raw and not (isinstance(raw["license_id"], str) and raw["license_id"]):
        raise ConfigError('license_id: a licence id (e.g. "odc-odbl") or a licence URI')
    if raw.get("crs"):
        try:
            geometry.resolve_crs(raw["crs"])
        except geometry.UnknownCRSError as error:
            raise ConfigError(f"crs: {error}") from error
    try:
        mapping = Mapping.from_config(raw)
    except MappingError as error:
        raise ConfigError(str(error)) from error
    return SourceConfig(
        raw=raw,
        mapping=mapping,
        publish=publish,
        crs=raw.get("crs"),
        timeout=float(timeout),
        allow_empty=bool(raw.get("allow_empty", False)),
        options={k: raw[k] for k in type_keys if k in raw},
    )
