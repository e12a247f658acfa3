"""Every request parameter of the API: definitions, parsing and validation.

Each :class:`Param` carries the JSON schema the OpenAPI document publishes and
is validated against that same schema here, so the document and the code
cannot drift apart. Semantic rules that a schema cannot say (a latitude
needs a longitude, a bounding box must not be inverted, a polygon must be a
valid polygon) follow in :func:`parse`. Every failure raises
:class:`~.errors.ApiError` — a 400 with the parameter's name, never a 500.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from ckanext.khtourism.core import messages
from ckanext.khtourism.core.messages import N_
from ckanext.khtourism.core.record_types import RECORD_TYPES

from .collections import (
    ACCOMMODATION_TYPES,
    COLLECTIONS,
    FORMER_DISTRICTS,
    IDENTIFIERS,
    OPERATING_STATUS,
    Collection,
)
from .errors import ApiError, conflict, invalid

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_PAGE = 10000
MAX_RADIUS_M = 500_000
MAX_Q_LENGTH = 500
MAX_POLYGON_LENGTH = 100_000
# The ``format`` of ``polygon`` in the OpenAPI document (a format JSON Schema leaves to the
# application, like ``date-time``): a valid (Multi)Polygon, GeoJSON or WKT (parse_polygon).
POLYGON_FORMAT = "polygon"
# A date-time's year must be 1900 or later (parse_datetime): the pattern says so, so the
# schema a client validates against refuses what the server refuses.
DATE_TIME = {"type": "string", "format": "date-time", "pattern": "^(19[0-9]{2}|[2-9][0-9]{3})-"}
FORMATS = ("json", "geojson", "csv", "jsonld")
LANGS = ("vi", "en")
SORT_KEYS = ("relevance", "distance", "title", "name", "updated", "created", "quality")
QUALITY_BANDS = ("good", "fair", "poor")  # records/quality.py
CHANGE_TYPES = ("created", "updated", "withdrawn", "unpublished", "deleted")

# Endpoint groups a parameter belongs to.
LIST, ITEM, LOOKUP, CHANGES, STATS, META = "list", "item", "lookup", "changes", "stats", "meta"
# /statistics/visitors: the open aggregates of the monthly visitor reports (reporting/)
VISITORS = "visitors"
MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"
GROUPINGS = ("month", "admin_unit", "former_district", "accommodation_type")


@dataclass(frozen=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str
    endpoints: frozenset[str]
    # None: every collection; else the collection paths that accept it
    collections: frozenset[str] | None = None
    example: Any = None
    # values of the description's ``{key}`` placeholders: (key, English, Vietnamese)
    fill: tuple[tuple[str, str, str], ...] = ()

    def text(self, lang: str = "en") -> str:
        """The description in ``lang``: English (the msgid, what the OpenAPI document
        publishes) or the Vietnamese of the catalogue, placeholders filled."""
        template = self.description if lang == "en" else messages.translate(self.description, lang)
        values = {
            key: english if lang == "en" else vietnamese for key, english, vietnamese in self.fill
        }
        return template.format(**values) if values else template

    def applies(self, endpoint: str, collection: Collection | None) -> bool:
        if endpoint not in self.endpoints:
            return False
        if self.collections is None or collection is None:
            return True
        return collection.path in self.collections


def _codes(values: Iterable[str]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "enum": list(values)},
        "minItems": 1,
        "uniqueItems": True,
    }


_ALL = frozenset({LIST, ITEM, LOOKUP, CHANGES, STATS, META, VISITORS})

PARAMS: list[Param] = [
    Param(
        "format",
        {"type": "string", "enum": list(FORMATS)},
        N_(
            "Response format; overrides the Accept header. `json` (default), `geojson` "
            "(FeatureCollection), `csv` (UTF-8 with BOM) or `jsonld` (schema.org)."
        ),
        frozenset({LIST, ITEM, LOOKUP}),
    ),
    Param(
        "lang",
        {"type": "string", "enum": list(LANGS)},
        N_(
            "Language of titles, labels and error messages; defaults to the Accept-Language "
            "header, then Vietnamese."
        ),
        _ALL,
    ),
    Param(
        "q",
        {"type": "string", "minLength": 1, "maxLength": MAX_Q_LENGTH},
        N_(
            "Free-text search, the same Vietnamese-aware search as the portal "
            "(case- and diacritic-insensitive)."
        ),
        frozenset({LIST}),
        example="khach san",
    ),
    Param(
        "admin_unit",
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]{5}$"},
            "minItems": 1,
            "maxItems": 100,
            "uniqueItems": True,
        },
        N_("Commune-level administrative unit code(s) (2025, 5 digits), comma-separated."),
        frozenset({LIST, STATS, VISITORS}),
        example=["22333"],
    ),
    Param(
        "former_district",
        _codes(FORMER_DISTRICTS),
        N_("District code(s) before 1 July 2025 (3 digits), comma-separated."),
        frozenset({LIST, STATS, VISITORS}),
    ),
    Param(
        "operating_status",
        _codes(OPERATING_STATUS),
        N_("Operating status(es), comma-separated."),
        frozenset({LIST, STATS}),
    ),
    Param(
        "quality_band",
        _codes(QUALITY_BANDS),
        N_(
            "Metadata quality band(s), comma-separated: `good` (score ≥ 80), `fair` (≥ 50), "
            "`poor` (docs/quality.md)."
        ),
        frozenset({LIST}),
    ),
    Param(
        "bbox",
        {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
        N_(
            "Bounding box `min_lon,min_lat,max_lon,max_lat` (WGS84): records whose location "
            "intersects it."
        ),
        frozenset({LIST}),
        example=[109.0, 12.0, 109.5, 12.5],
    ),
    Param(
        "lat",
        {"type": "number", "minimum": -90, "maximum": 90},
        N_("Latitude of the centre of a radius search (with `lon` and `radius`)."),
        frozenset({LIST}),
    ),
    Param(
        "lon",
        {"type": "number", "minimum": -180, "maximum": 180},
        N_("Longitude of the centre of a radius search (with `lat` and `radius`)."),
        frozenset({LIST}),
    ),
    Param(
        "radius",
        {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_M},
        N_(
            "Radius in metres (great-circle). Results are sorted by distance and carry `distance_m`."
        ),
        frozenset({LIST}),
    ),
    Param(
        "polygon",
        {
            "type": "string",
            "format": POLYGON_FORMAT,
            "minLength": 1,
            "maxLength": MAX_POLYGON_LENGTH,
        },
        N_(
            "A polygon (GeoJSON Polygon/MultiPolygon geometry or WKT, WGS84; valid: closed, "
            "not self-intersecting): records whose location intersects it."
        ),
        frozenset({LIST}),
    ),
    Param(
        "updated_since",
        dict(DATE_TIME),
        N_(
            "Only records modified at or after this instant (RFC 3339, e.g. `2026-01-01T00:00:00Z`)."
        ),
        frozenset({LIST}),
    ),
    Param(
        "include_unpublished",
        {"type": "boolean"},
        N_(
            "Also return records that are not published (drafts, submitted, rejected). Needs "
            "an API token; only records the token's user may see are returned."
        ),
        frozenset({LIST, LOOKUP, STATS}),
    ),
    Param(
        "sort",
        {
            "type": "string",
            "enum": [
                prefix + key
                for key in SORT_KEYS
                for prefix in ("", "-")
                if not (key in ("relevance", "distance") and prefix == "-")
            ],
        },
        N_(
            "Sort order: a key, `-` for descending. `relevance` needs `q`, `distance` needs a "
            "radius search. Default: distance for radius searches, relevance with `q`, else `-updated`."
        ),
        frozenset({LIST}),
    ),
    Param(
        "fields",
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z_]+$"},
            "minItems": 1,
            "uniqueItems": True,
        },
        N_(
            "Comma-separated fields to return (see the collection's item schema); `id` is always "
            "included."
        ),
        frozenset({LIST, ITEM, LOOKUP}),
    ),
    Param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        N_("Page size (default {default}, at most {most})."),
        frozenset({LIST, CHANGES}),
        fill=(
            ("default", str(DEFAULT_LIMIT), str(DEFAULT_LIMIT)),
            ("most", str(MAX_LIMIT), str(MAX_LIMIT)),
        ),
    ),
    Param(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        N_("Page number, from 1; the response carries the total count."),
        frozenset({LIST}),
    ),
    Param(
        "since",
        dict(DATE_TIME),
        N_("Changes at or after this instant (RFC 3339). Use `cursor` to continue."),
        frozenset({CHANGES}),
    ),
    Param(
        "cursor",
        {"type": "string", "pattern": "^[0-9]{1,18}$"},
        N_("Opaque cursor from a previous response's `next_cursor`: changes after it."),
        frozenset({CHANGES}),
    ),
    Param(
        "type",
        _codes(RECORD_TYPES),
        N_("Record type(s), comma-separated."),
        frozenset({CHANGES, STATS, LOOKUP}),
    ),
    Param(
        "format",
        {"type": "string", "enum": ["json", "csv"]},
        N_("Response format: `json` (default) or `csv` (UTF-8 with BOM, one row per cell)."),
        frozenset({VISITORS}),
    ),
    Param(
        "from",
        {"type": "string", "pattern": MONTH_PATTERN},
        N_("First month (`YYYY-MM`); default: eleven months before `to`."),
        frozenset({VISITORS}),
        example="2026-01",
    ),
    Param(
        "to",
        {"type": "string", "pattern": MONTH_PATTERN},
        N_("Last month (`YYYY-MM`); default: the last month that has ended."),
        frozenset({VISITORS}),
        example="2026-06",
    ),
    Param(
        "group_by",
        _codes(GROUPINGS),
        N_(
            "The level of the cells, comma-separated: `month` (always), `admin_unit` "
            "(commune), `former_district` (the districts before the 2025 merger, through the "
            "commune crosswalk; instead of `admin_unit`), `accommodation_type`. Default: month, "
            "admin_unit, accommodation_type."
        ),
        frozenset({VISITORS}),
        example=["month", "admin_unit"],
    ),
    Param(
        "accommodation_type",
        _codes(ACCOMMODATION_TYPES),
        N_("Accommodation type code(s), comma-separated: only the cells of these types."),
        frozenset({VISITORS}),
    ),
    Param(
        "months",
        {"type": "integer", "minimum": 1, "maximum": 60},
        N_(
            "How many calendar months (counting back from the current one) the "
            "created/updated histogram covers (default 12)."
        ),
        frozenset({STATS}),
    ),
]

for _identifier in IDENTIFIERS:
    PARAMS.append(
        Param(
            _identifier,
            {"type": "string", "minLength": 1, "maxLength": 100},
            N_("Official identifier `{name}` to look up (exactly one identifier per request)."),
            frozenset({LOOKUP}),
            fill=(("name", _identifier, _identifier),),
        )
    )

for _collection in COLLECTIONS.values():
    for _filter in _collection.filters:
        if any(p.name == _filter.name and LIST in p.endpoints for p in PARAMS):
            existing = next(p for p in PARAMS if p.name == _filter.name)
            PARAMS[PARAMS.index(existing)] = dataclasses.replace(
                existing, collections=(existing.collections or frozenset()) | {_collection.path}
            )
            continue
        if _filter.choices is not None:
            schema = _codes(_filter.choices)
        else:
            schema = {
                "type": "array",
                "items": {"type": "string", "pattern": _filter.pattern},
                "minItems": 1,
                "uniqueItems": True,
            }
        PARAMS.append(
            Param(
                _filter.name,
                schema,
                N_("Filter by {what}, comma-separated (any of them)."),
                frozenset({LIST, STATS}),
                frozenset({_collection.path}),
                fill=(
                    ("what", _filter.description, _filter.description_vi or _filter.description),
                ),
            )
        )


# Types that happen over a period (core/record_types.py: ``period``): filters by time.
PERIOD_PATHS = frozenset(c.path for c in COLLECTIONS.values() if c.period)
if PERIOD_PATHS:
    PARAMS += [
        Param(
            "from",
            dict(DATE_TIME),
            N_(
                "Only records whose period ends at or after this instant (RFC 3339, or a date "
                "`YYYY-MM-DD`: its start, UTC)."
            ),
            frozenset({LIST}),
            PERIOD_PATHS,
        ),
        Param(
            "to",
            dict(DATE_TIME),
            N_(
                "Only records whose period starts at or before this instant (RFC 3339, or a date "
                "`YYYY-MM-DD`: its start, UTC)."
            ),
            frozenset({LIST}),
            PERIOD_PATHS,
        ),
        Param(
            "happening_now",
            {"type": "boolean"},
            N_("`true`: only records happening now (started, not yet ended)."),
            frozenset({LIST}),
            PERIOD_PATHS,
        ),
    ]


def params_for(endpoint: str, collection: Collection | None = None) -> list[Param]:
    return [p for p in PARAMS if p.applies(endpoint, collection)]


# --- value parsing against the schema ------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")


def parse_datetime(name: str, raw: str) -> dt.datetime:
    text = raw.strip()
    try:
        if len(text) == 10:
            value = dt.datetime.fromisoformat(text)
        else:
            if "T" not in text.upper()[:11]:
                raise ValueError("no time")
            value = dt.datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
            if value.tzinfo is None:
                raise ValueError("no offset")
    except ValueError:
        raise invalid(
            name,
            N_("expected an RFC 3339 date-time, e.g. 2026-01-01T00:00:00Z."),
        ) from None
    # the year as written (what the published pattern checks), before the shift to UTC
    if value.year < 1900:
        raise invalid(name, N_("the year must be 1900 or later."))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _scalar(param: Param, schema: Mapping[str, Any], raw: str, name: str) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not _INTEGER.match(raw.strip()):
            raise invalid(name, N_("expected an integer."))
        value: Any = int(raw)
    elif kind == "number":
        if not _NUMBER.match(raw.strip()):
            raise invalid(name, N_("expected a number."))
        value = float(raw)
        if not math.isfinite(value):
            raise invalid(name, N_("expected a finite number."))
    elif kind == "boolean":
        lowered = raw.strip().lower()
        if lowered not in ("true", "false"):
            raise invalid(name, N_("expected 'true' or 'false'."))
        value = lowered == "true"
    else:
        value = raw
        if "minLength" in schema and len(value) < schema["minLength"]:
            raise invalid(name, N_("the value must not be empty."))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise invalid(
                name, N_("longer than {maximum} characters."), maximum=schema["maxLength"]
            )
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(schema["enum"])
            raise invalid(
                name, N_("'{value}' is not one of: {allowed}."), value=value, allowed=allowed
            )
        # a date-time's pattern (its year) is checked by parse_datetime, with a clearer message
        is_date_time = schema.get("format") == "date-time"
        if "pattern" in schema and not is_date_time and not re.search(schema["pattern"], value):
            raise invalid(
                name,
                N_("'{value}' does not match {pattern}."),
                value=value,
                pattern=schema["pattern"],
            )
        if is_date_time:
            value = parse_datetime(name, value)
        return value
    if "minimum" in schema and value < schema["minimum"]:
        raise invalid(name, N_("must be ≥ {minimum}."), minimum=schema["minimum"])
    if "maximum" in schema and value > schema["maximum"]:
        raise invalid(name, N_("must be ≤ {maximum}."), maximum=schema["maximum"])
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        raise invalid(name, N_("must be > {minimum}."), minimum=schema["exclusiveMinimum"])
    return value


def parse_value(param: Param, raw: str) -> Any:
    """One raw query-string value -> a Python value, or ApiError naming the parameter."""
    if "\x00" in raw:
        raise invalid(param.name, N_("contains a NUL character."))
    schema = param.schema
    if schema.get("type") != "array":
        return _scalar(param, schema, raw, param.name)
    parts = raw.split(",")
    if len(parts) < schema.get("minItems", 0) or raw == "":
        raise invalid(
            param.name,
            N_("expected at least {count} value(s)."),
            count=schema.get("minItems", 1),
        )
    if "maxItems" in schema and len(parts) > schema["maxItems"]:
        raise invalid(param.name, N_("at most {count} value(s)."), count=schema["maxItems"])
    values = [_scalar(param, schema["items"], part, param.name) for part in parts]
    if schema.get("uniqueItems") and len(set(values)) != len(values):
        raise invalid(param.name, N_("contains repeated values."))
    return values


def parse(args: MultiDict, endpoint: str, collection: Collection | None = None) -> dict[str, Any]:
    """Validate the query string of one request; the parsed values by name."""
    allowed = {p.name: p for p in params_for(endpoint, collection)}
    parsed: dict[str, Any] = {}
    for name in args:
        if name not in allowed:
            raise ApiError("unknown_parameter", name)
        values = args.getlist(name)
        if len(values) != 1:
            raise ApiError("repeated_parameter", name)
        parsed[name] = parse_value(allowed[name], values[0])
    _check_rules(parsed, endpoint, collection)
    return parsed


# --- rules between parameters ----------------------------------------------
#
# What a JSON schema per parameter cannot say. Each rule is published in the OpenAPI
# document (``x-parameter-rules`` of every operation whose parameters it names, see
# api/openapi.py) and enforced here (:func:`_check_rules`), from this one table.

TOGETHER, EXCLUSIVE, EXACTLY_ONE, REQUIRES, ORDERED, BBOX, MONTH_RANGE = (
    "together",
    "mutually-exclusive",
    "exactly-one",
    "requires",
    "ordered",
    "bbox",
    "month-range",
)


@dataclass(frozen=True)
class Rule:
    """A rule between parameters.

    ``together``: all of ``groups[0]`` or none. ``mutually-exclusive``: parameters of at
    most one of ``groups``. ``exactly-one``: exactly one of ``groups[0]``. ``requires``:
    ``when`` (parameter, value) needs every parameter of ``groups[0]``. ``ordered``:
    ``groups[0][0]`` ≤ ``groups[0][1]`` when both are given. ``bbox``: the box's minimum
    first, longitudes within [-180, 180], latitudes within [-90, 90]. ``month-range``:
    ``from`` ≤ ``to`` and at most ``maximum`` months, with their defaults (``to``: the last
    month that has ended, Asia/Ho_Chi_Minh; ``from``: eleven months before ``to``)."""

    kind: str
    groups: tuple[tuple[str, ...], ...]
    description: str
    endpoints: frozenset[str]
    when: tuple[str, str] | None = None
    maximum: int | None = None

    @property
    def parameters(self) -> tuple[str, ...]:
        names = tuple(name for group in self.groups for name in group)
        return (self.when[0], *names) if self.when else names

    def document(self) -> dict[str, Any]:
        """The rule as published in ``x-parameter-rules``."""
        spec: dict[str, Any] = {"rule": self.kind}
        if self.kind == EXCLUSIVE:
            spec["groups"] = [list(group) for group in self.groups]
        else:
            spec["parameters"] = list(self.groups[0])
        if self.when:
            spec["when"] = {self.when[0]: self.when[1]}
        if self.maximum is not None:
            spec["maximum"] = self.maximum
        spec["description"] = self.description.format(
            identifiers=", ".join(self.groups[0]), count=self.maximum
        )
        return spec


RADIUS_SEARCH = ("lat", "lon", "radius")
MAX_VISITOR_MONTHS = 120

RULES: tuple[Rule, ...] = (
    Rule(
        TOGETHER,
        (RADIUS_SEARCH,),
        N_("a radius search needs lat, lon and radius together."),
        frozenset({LIST}),
    ),
    Rule(
        EXCLUSIVE,
        (("bbox",), RADIUS_SEARCH, ("polygon",)),
        N_("use only one of bbox, lat/lon/radius, polygon."),
        frozenset({LIST}),
    ),
    Rule(
        BBOX,
        (("bbox",),),
        N_("expected min_lon,min_lat,max_lon,max_lat with the minimum first."),
        frozenset({LIST}),
    ),
    Rule(
        REQUIRES,
        (("q",),),
        N_("sort=relevance needs q."),
        frozenset({LIST}),
        when=("sort", "relevance"),
    ),
    Rule(
        REQUIRES,
        (RADIUS_SEARCH,),
        N_("sort=distance needs lat, lon and radius."),
        frozenset({LIST}),
        when=("sort", "distance"),
    ),
    Rule(
        ORDERED,
        (("from", "to"),),
        N_("the start of the period (from) is after its end (to)."),
        frozenset({LIST}),
    ),
    Rule(
        EXCLUSIVE,
        (("since",), ("cursor",)),
        N_("use since or cursor, not both."),
        frozenset({CHANGES}),
    ),
    Rule(
        EXACTLY_ONE,
        (tuple(IDENTIFIERS),),
        N_("exactly one identifier is needed: {identifiers}."),
        frozenset({LOOKUP}),
    ),
    Rule(
        MONTH_RANGE,
        (("from", "to"),),
        N_(
            "from must not be after to (to: by default the last month that has ended; from: "
            "eleven months before to); at most {count} months per request."
        ),
        frozenset({VISITORS}),
        maximum=MAX_VISITOR_MONTHS,
    ),
)


def rules_for(endpoint: str, collection: Collection | None = None) -> list[Rule]:
    """The rules that bind the parameters of ``endpoint`` (for ``collection``)."""
    names = {p.name for p in params_for(endpoint, collection)}
    return [
        rule
        for rule in RULES
        if endpoint in rule.endpoints and all(name in names for name in rule.parameters)
    ]


def _check_rule(rule: Rule, parsed: dict[str, Any]) -> None:
    if rule.kind == TOGETHER:
        given = [name for name in rule.groups[0] if name in parsed]
        if given and len(given) != len(rule.groups[0]):
            missing = next(name for name in rule.groups[0] if name not in parsed)
            raise conflict(missing, rule.description)
    elif rule.kind == EXCLUSIVE:
        used = [group for group in rule.groups if any(name in parsed for name in group)]
        if len(used) > 1:
            # the second group's last given name: ``radius`` for a radius search
            raise conflict([n for n in used[1] if n in parsed][-1], rule.description)
    elif rule.kind == EXACTLY_ONE:
        given = [name for name in rule.groups[0] if name in parsed]
        if len(given) != 1:
            raise conflict(
                given[1] if len(given) > 1 else rule.groups[0][0],
                rule.description,
                identifiers=", ".join(rule.groups[0]),
            )
    elif rule.kind == REQUIRES:
        assert rule.when is not None
        name, value = rule.when
        if parsed.get(name) == value and not all(n in parsed for n in rule.groups[0]):
            raise conflict(name, rule.description)
    elif rule.kind == ORDERED:
        first, second = rule.groups[0]
        if first in parsed and second in parsed and parsed[first] > parsed[second]:
            raise conflict(first, rule.description)
    elif rule.kind == BBOX and "bbox" in parsed:
        parsed["bbox"] = _check_bbox(parsed["bbox"])
    # MONTH_RANGE depends on the current month: api/visitors.py build() checks it


def _check_rules(parsed: dict[str, Any], endpoint: str, collection: Collection | None) -> None:
    for rule in rules_for(endpoint, collection):
        _check_rule(rule, parsed)
    if "polygon" in parsed:
        parsed["polygon"] = parse_polygon(parsed["polygon"])
    if "fields" in parsed and collection is not None:
        known = set(collection.all_fields)
        for name in parsed["fields"]:
            if name not in known:
                raise invalid(
                    "fields",
                    N_("field '{name}' does not exist in {path}."),
                    name=name,
                    path=collection.path,
                )


def _check_bbox(values: list[float]) -> tuple[float, float, float, float]:
    min_lon, min_lat, max_lon, max_lat = values
    for value in (min_lon, max_lon):
        if not -180 <= value <= 180:
            raise invalid("bbox", N_("longitudes must be within [-180, 180]."))
    for value in (min_lat, max_lat):
        if not -90 <= value <= 90:
            raise invalid("bbox", N_("latitudes must be within [-90, 90]."))
    if min_lon > max_lon or min_lat > max_lat:
        raise invalid(
            "bbox", N_("expected min_lon,min_lat,max_lon,max_lat with the minimum first.")
        )
    return min_lon, min_lat, max_lon, max_lat


def parse_polygon(text: str) -> dict[str, Any]:
    """A GeoJSON or WKT polygon -> a valid GeoJSON (Multi)Polygon geometry within WGS84."""
    import shapely
    from shapely.geometry import mapping, shape

    error = invalid(
        "polygon", N_("expected a valid polygon (GeoJSON Polygon/MultiPolygon or WKT).")
    )
    stripped = text.strip()
    try:
        if stripped.startswith("{"):
            data = json.loads(stripped)
            if isinstance(data, dict) and data.get("type") == "Feature":
                data = data.get("geometry")
            if not isinstance(data, dict):
                raise error
            geometry = shape(data)
        else:
            geometry = shapely.from_wkt(stripped)
    except ApiError:
        raise
    except Exception:  # shapely and json raise many kinds of errors for bad input
        raise error from None
    if (
        geometry is None
        or geometry.is_empty
        or geometry.geom_type not in ("Polygon", "MultiPolygon")
    ):
        raise error
    if not geometry.is_valid:
        raise invalid("polygon", N_("the polygon is self-intersecting or not closed."))
    min_x, min_y, max_x, max_y = geometry.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise invalid("polygon", N_("coordinates must be WGS84 (lon, lat)."))
    return mapping(geometry)


def request_lang(args: Mapping[str, str], accept_languages: Any) -> str:
    """``lang=`` if valid, else the best of Accept-Language, else Vietnamese."""
    lang = args.get("lang")
    if lang in LANGS:
        return lang
    best = accept_languages.best_match(list(LANGS)) if accept_languages else None
    return best or "vi"
