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

from ckanext.khtourism.core import messages
from ckanext.khtourism.core.messages import N_

from . import geometry
from .mapping import PLAIN_DATASET, RECORD_TYPES, Mapping, MappingError, fields_of

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


# Configuration problems, English msgids translated in the user's language (messages.N_,
# `make i18n`); each one is shown after the key it is about ("publish: …").
_MSG = {
    "json": N_("the configuration is not valid JSON: {error}"),
    "object": N_('the configuration must be a JSON object {{"key": value, …}}'),
    "unknown": N_("unknown configuration key (keys this source type understands: {keys})"),
    "required": N_("required for this source type"),
    "type": N_("must be {expected}, got {got}"),
    "choice": N_("“{value}” is not one of {choices}"),
    "timeout": N_("must be a number of seconds between 0 and 600"),
    "licence": N_('a licence id (e.g. "odc-odbl") or a licence URI'),
    "record_type": N_("“{value}” is not one of {choices}"),
    "mapping_object": N_('must be an object {{"source column": "field"}}'),
    "not_a_field": N_("“{field}” is not a field of {record_type} (see docs/record-types.md)"),
    "value_map_object": N_('must be an object {{"source value": "code"}}'),
}
_TYPE_NAMES = {
    str: N_("a text"),
    int: N_("a whole number"),
    float: N_("a number"),
    bool: N_("true or false"),
    dict: N_("an object"),
    list: N_("a list"),
}


def _text(key: str, lang: str | None = None, **values: Any) -> str:
    return messages.translate(_MSG[key], lang).format(**values)


def _type_name(expected: type | tuple[type, ...], lang: str | None = None) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " / ".join(messages.translate(_TYPE_NAMES.get(k, k.__name__), lang) for k in kinds)


def problems(
    raw: Any,
    *,
    type_keys: dict[str, type | tuple[type, ...]],
    required: tuple[str, ...] = (),
    lang: str | None = None,
) -> list[str]:
    """Every problem of a parsed configuration, each ``"key: message"`` in the user's
    language (all at once, so that a curator fixes them in one go)."""
    if not isinstance(raw, dict):
        return [_text("object", lang)]
    found: list[str] = []
    known = sorted(COMMON_KEYS | set(type_keys))
    for key in sorted(set(raw) - COMMON_KEYS - set(type_keys)):
        found.append(f"{key}: {_text('unknown', lang, keys=', '.join(known))}")
    for key in required:
        if not raw.get(key):
            found.append(f"{key}: {_text('required', lang)}")
    for key, expected in type_keys.items():
        if key in raw and raw[key] is not None and not isinstance(raw[key], expected):
            found.append(
                f"{key}: "
                + _text("type", lang, expected=_type_name(expected, lang), got=json.dumps(raw[key]))
            )
    publish = raw.get("publish", "review")
    if publish not in PUBLISH_CHOICES:
        found.append(
            f"publish: {_text('choice', lang, value=publish, choices=', '.join(PUBLISH_CHOICES))}"
        )
    timeout = raw.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
        found.append(f"timeout: {_text('timeout', lang)}")
    if "license_id" in raw and not (isinstance(raw["license_id"], str) and raw["license_id"]):
        found.append(f"license_id: {_text('licence', lang)}")
    if raw.get("crs"):
        try:
            geometry.resolve_crs(raw["crs"])
        except geometry.UnknownCRSError as error:
            found.append(f"crs: {error}")
    found.extend(_mapping_problems(raw, lang))
    return found


def _mapping_problems(raw: dict[str, Any], lang: str | None = None) -> list[str]:
    found: list[str] = []
    record_type = raw.get("record_type", PLAIN_DATASET)
    choices = (*RECORD_TYPES, PLAIN_DATASET)
    if record_type not in choices:
        found.append(
            f"record_type: {_text('record_type', lang, value=record_type, choices=', '.join(choices))}"
        )
        return found
    known = fields_of(record_type)
    check_fields = record_type != PLAIN_DATASET
    mapping = raw.get("mapping")
    if mapping is not None and not isinstance(mapping, dict):
        found.append(f"mapping: {_text('mapping_object', lang)}")
    elif mapping and check_fields:
        for header, field_name in mapping.items():
            if field_name is not None and field_name not in known:
                found.append(
                    f"mapping.{header}: "
                    + _text("not_a_field", lang, field=field_name, record_type=record_type)
                )
    defaults = raw.get("defaults")
    if defaults is not None and not isinstance(defaults, dict):
        found.append(f"defaults: {_text('mapping_object', lang)}")
    elif defaults and check_fields:
        for field_name in defaults:
            if field_name not in known:
                found.append(
                    f"defaults.{field_name}: "
                    + _text("not_a_field", lang, field=field_name, record_type=record_type)
                )
    value_maps = raw.get("value_maps")
    if value_maps is not None and not isinstance(value_maps, dict):
        found.append(f"value_maps: {_text('value_map_object', lang)}")
    elif value_maps:
        for field_name, table in value_maps.items():
            if not isinstance(table, dict):
                found.append(f"value_maps.{field_name}: {_text('value_map_object', lang)}")
    return found


def parse(
    text: str | None,
    *,
    type_keys: dict[str, type | tuple[type, ...]],
    required: tuple[str, ...] = (),
    lang: str | None = None,
) -> SourceConfig:
    """Parse and check a source configuration; ConfigError names every offending key
    (one problem a line)."""
    if not text or not text.strip():
        raw: Any = {}
    else:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(_text("json", lang, error=error)) from error
    found = problems(raw, type_keys=type_keys, required=required, lang=lang)
    if found:
        raise ConfigError("\n".join(found))
    publish = raw.get("publish", "review")
    timeout = raw.get("timeout", 30)
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
