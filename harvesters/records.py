"""Harvested records to datasets, through the same actions as a user's submission.

Everything that writes calls ``package_create`` / ``package_update`` as the
harvest user, so the record types' validators and the curation workflow
apply exactly as they do for a business submitting a form. Lookups (which
datasets hold enterprise code X?) read the database directly: they must not
depend on the search index being up to date.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point
from sqlalchemy import func as sa_func

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import slugs
from ckanext.khtourism.records import privacy

from . import geometry
from .config import SourceConfig
from .mapping import MATCH_FIELDS, PLAIN_DATASET, PORTAL_ID_FIELD, MappingError, fold
from .sources.base import SourceRecord, clean_id

PROVENANCE_FIELDS = ("source_name", "source_record_id", "source_url", "harvested_at")
# Harvest bookkeeping: a change of these alone is "not modified", never an update or a
# revision (the register's URL or the time of the run say nothing new about the place).
IGNORED_IN_COMPARISON = {"harvested_at", "source_url"}
# What the content comparison of two runs leaves out: where the record sits in the listing.
# Types whose official identifier names one person (a guide's card): matched on it alone.
PERSON_TYPES = frozenset({"tour-guide"})
SAME_PLACE_M = 50.0  # an official identifier + a point this close: the same establishment
NEAR_NAME_M = 100.0  # the same name this close: a duplicate candidate


class RecordError(ValueError):
    """A record cannot be imported; the message says why (field, value)."""


@dataclass
class BuiltRecord:
    fields: dict[str, Any]
    unmapped: list[str] = field(default_factory=list)


def build_fields(content: dict[str, Any], config: SourceConfig) -> BuiltRecord:
    """Mapped, converted fields (with WGS 84 ``spatial``/``area``) for one source record."""
    if content.get("problem"):
        raise RecordError(content["problem"])
    try:
        fields, unmapped = config.mapping.map_properties(content.get("properties") or {})
    except MappingError as error:
        raise RecordError(str(error)) from error
    shp = _geometry_of(content, fields, config)
    for pseudo in ("_lon", "_lat", "_x", "_y"):
        fields.pop(pseudo, None)
    if shp is not None:
        point = shp if shp.geom_type == "Point" else shp.representative_point()
        fields["spatial"] = json.dumps(geometry.geojson(point))
        if config.record_type == "heritage-site" and shp.geom_type in ("Polygon", "MultiPolygon"):
            fields["area"] = json.dumps(geometry.geojson(shp))
    if not fields.get("title") and fields.get("full_name"):
        fields["title"] = fields["full_name"]  # tour guides are listed by name
    if not fields.get("title"):
        raise RecordError("no title: map a column to 'title' (e.g. 'Tên cơ sở')")
    if config.record_type != PLAIN_DATASET:
        fields.setdefault("operating_status", "operating")
    return BuiltRecord(fields=fields, unmapped=unmapped)


def _geometry_of(content: dict[str, Any], fields: dict[str, Any], config: SourceConfig):
    try:
        if content.get("geometry"):
            crs = geometry.resolve_crs(config.crs or content.get("crs"))
            return geometry.to_wgs84(content["geometry"], crs)
        if "_lon" in fields and "_lat" in fields:
            crs = geometry.resolve_crs(config.crs or "EPSG:4326")
            return geometry.to_wgs84(Point(fields["_lon"], fields["_lat"]).__geo_interface__, crs)
        if "_x" in fields and "_y" in fields:
            if not config.crs:
                raise RecordError('X/Y coordinates need "crs" in the source configuration')
            crs = geometry.resolve_crs(config.crs)
            return geometry.to_wgs84(Point(fields["_x"], fields["_y"]).__geo_interface__, crs)
    except (geometry.UnknownCRSError, geometry.GeometryError) as error:
        raise RecordError(f"geometry: {error}") from error
    return None


def provenance(source_name: str, guid: str, url: str | None, when: dt.datetime) -> dict[str, str]:
    return {
        "source_name": source_name,
        "source_record_id": guid,
        "source_url": url or "",
        "harvested_at": when.replace(microsecond=0).isoformat(),
    }


def workflow_fields(publish: str) -> dict[str, Any]:
    """Where a new harvested record starts: published, or waiting in the review queue."""
    if publish == "direct":
        return {"private": False, "workflow_state": "published"}
    return {"private": True, "workflow_state": "submitted"}


# --- source keys ----------------------------------------------------------------------------
def source_key(
    record: SourceRecord, config: SourceConfig, feature_ids: bool
) -> tuple[str | None, str]:
    """(the record's stable key at its source, what was looked at).

    In order: the configured ``key_field`` (or the type's default: a guide's card number, a
    travel business's licence number); the feature id of a GIS layer; for a register without
    a key column, the record's name and address. Never the row number: rows move when a
    register is edited. A missing key (None, "", "None", "null") is None.
    """
    mapping = config.mapping
    if mapping.key_field:
        key, looked_at = mapping.key_of(record.properties)
        return clean_id(key), looked_at
    if feature_ids:
        return record.feature_id, "the feature id"
    title = clean_id(mapping.value_of(record.properties, "title"))
    if title is None:
        return None, "a name column (no key_field: a register row is identified by name + address)"
    address = clean_id(mapping.value_of(record.properties, "street_address")) or ""
    return (
        f"{slug(str(title), fallback=fold(title))}|{slug(str(address), fallback=fold(address))}",
        ("name + address"),
    )


# --- matching -------------------------------------------------------------------------------
@dataclass
class Match:
    """Which existing record an incoming one is, and why (recorded on the harvest object)."""

    package_id: str | None
    decision: str
    # (package id, reason): records the new one may duplicate (the curators' duplicates view)
    candidates: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def point_of(spatial: Any) -> tuple[float, float] | None:
    """(lon, lat) of a stored or built ``spatial`` value (a GeoJSON point), else None."""
    if not spatial:
        return None
    try:
        value = json.loads(spatial) if isinstance(spatial, str) else spatial
        if value.get("type") == "Point":
            lon, lat = value["coordinates"][:2]
            return float(lon), float(lat)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return None


def _extras_of(package_ids: Iterable[str], keys: Iterable[str]) -> dict[str, dict[str, str]]:
    ids = sorted(set(package_ids))
    found: dict[str, dict[str, str]] = {pid: {} for pid in ids}
    if not ids:
        return found
    rows = model.Session.query(
        model.PackageExtra.package_id, model.PackageExtra.key, model.PackageExtra.value
    ).filter(
        model.PackageExtra.package_id.in_(ids),
        model.PackageExtra.key.in_(sorted(set(keys))),
        model.PackageExtra.state == "active",
    )
    for package_id, key, value in rows:
        found[package_id][key] = value
    return found


def _same_place(existing: dict[str, str], fields: dict[str, Any]) -> str | None:
    """How an existing record is at the same place as ``fields`` ("address", "point 12 m"),
    or None."""
    address = fold(fields.get("street_address") or "")
    if address and fold(existing.get("street_address") or "") == address:
        return "the same address"
    here, there = point_of(fields.get("spatial")), point_of(existing.get("spatial"))
    if here and there:
        metres = distance_m(here, there)
        if metres <= SAME_PLACE_M:
            return f"a point {metres:.0f} m away"
    return None


def _active_ids(record_type: str, key: str, value: str) -> list[str]:
    rows = (
        model.Session.query(model.Package.id)
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .filter(
            model.Package.state == "active",
            model.Package.type == record_type,
            model.PackageExtra.key == key,
            model.PackageExtra.value == value,
            model.PackageExtra.state == "active",
        )
        .order_by(model.Package.metadata_created)
    )
    return [row.id for row in rows]


def match_existing(record_type: str, fields: dict[str, Any]) -> Match:
    """The existing record an incoming record (with no record under its source key yet) is.

    In order: the portal identifier carried by the record; an official identifier together
    with the same address or a point within 50 m (a guide's card number alone); otherwise
    a new record — a duplicate candidate of the records with the same name within 100 m.
    Several candidates never overwrite: the record is new and every candidate is listed.
    """
    portal_id = fields.get(PORTAL_ID_FIELD)
    note = ""
    if portal_id:
        ids = _active_ids(record_type, PORTAL_ID_FIELD, str(portal_id))
        if ids:
            return Match(ids[0], f"matched by portal identifier {portal_id} to {_label(ids[0])}")
        # another portal's identifier (a harvested catalogue), or a withdrawn record's
        note = f"portal identifier {portal_id} is not one of this portal's records; "
    sharing: dict[str, list[str]] = {}
    for key, value in match_keys(fields):
        for package_id in _active_ids(record_type, key, value):
            sharing.setdefault(package_id, []).append(f"{key}={value}")
    if sharing:
        if record_type in PERSON_TYPES:
            confirmed = {pid: "" for pid in sharing}
        else:
            extras = _extras_of(sharing, ("street_address", "spatial"))
            confirmed = {
                pid: how for pid in sharing if (how := _same_place(extras[pid], fields)) is not None
            }
        if len(confirmed) == 1:
            ((package_id, how),) = confirmed.items()
            by = " + ".join(sharing[package_id]) + (f" + {how}" if how else "")
            return Match(package_id, f"{note}matched by {by} to {_label(package_id)}")
        if len(confirmed) > 1:
            return Match(
                None,
                f"{note}new record kept apart: several existing records have "
                + "; ".join(f"{_label(pid)} ({' + '.join(sharing[pid])})" for pid in confirmed)
                + " — duplicate candidates for the curators",
                candidates=[
                    (pid, " + ".join(sharing[pid]) + " + " + (how or "same place"))
                    for pid, how in confirmed.items()
                ],
            )
    near = same_name_nearby(record_type, fields)
    if near:
        return Match(
            None,
            f"{note}new record; duplicate candidate of "
            + ", ".join(f"{_label(pid)} ({why})" for pid, why in near),
            candidates=near,
        )
    if sharing:
        return Match(
            None,
            f"{note}new record: "
            + ", ".join(f"{_label(pid)} shares {' + '.join(sharing[pid])}" for pid in sharing)
            + " but not the address or the point (another establishment of the same business)",
        )
    return Match(
        None,
        f"{note}new record (no record with its portal identifier, source key, or an "
        "official identifier at the same place)",
    )


def same_name_nearby(record_type: str, fields: dict[str, Any]) -> list[tuple[str, str]]:
    """Active records of the type with the same name (folded) within 100 m, or at the same
    address when a point is missing: [(package id, reason)]."""
    title = fields.get("title") or ""
    if not title:
        return []
    rows = model.Session.query(model.Package.id, model.Package.title).filter(
        model.Package.state == "active",
        model.Package.type == record_type,
        sa_func.lower(model.Package.title) == str(title).lower(),
    )
    same = [row.id for row in rows if fold(row.title) == fold(title)]
    if not same:
        return []
    extras = _extras_of(same, ("street_address", "spatial"))
    found = []
    here = point_of(fields.get("spatial"))
    for package_id in same:
        there = point_of(extras[package_id].get("spatial"))
        if here and there and distance_m(here, there) <= NEAR_NAME_M:
            found.append((package_id, f"same name, {distance_m(here, there):.0f} m away"))
        elif fields.get("street_address") and fold(fields["street_address"]) == fold(
            extras[package_id].get("street_address") or ""
        ):
            found.append((package_id, "same name and address"))
    return found


def titles_in_use(record_type: str, titles: Iterable[str]) -> set[str]:
    """Which of ``titles`` (lower-cased) active records of the type have (one statement)."""
    wanted = sorted({str(t).lower() for t in titles if t})
    if not wanted:
        return set()
    rows = model.Session.query(sa_func.lower(model.Package.title)).filter(
        model.Package.state == "active",
        model.Package.type == record_type,
        sa_func.lower(model.Package.title).in_(wanted),
    )
    return {row[0] for row in rows}


def _label(package_id: str) -> str:
    package = model.Package.get(package_id)
    if package is None:
        return package_id
    portal_id = package.extras.get(PORTAL_ID_FIELD)
    return f"{package.name} [{portal_id}]" if portal_id else package.name


def provenances(package_id: str) -> list[dict[str, Any]]:
    """Every harvest source that currently holds the record: [{source_name, source_record_id,
    source_url, harvested_at}], the record's first source first."""
    from ckanext.harvest.model import HarvestObject

    objects = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.package_id == package_id, HarvestObject.current.is_(True))
        .order_by(HarvestObject.gathered)
        .all()
    )
    found = []
    for obj in objects:
        source = model.Package.get(obj.harvest_source_id)
        try:
            url = json.loads(obj.content).get("url") if obj.content else None
        except ValueError:
            url = None
        found.append(
            {
                "source_name": source.name if source else obj.harvest_source_id,
                "source_record_id": obj.guid,
                "source_url": url or "",
                "harvested_at": (obj.import_finished or obj.gathered).isoformat()
                if (obj.import_finished or obj.gathered)
                else "",
            }
        )
    return found


# --- lookups --------------------------------------------------------------------------------
# the URL slug of a harvested record: the same folding as the forms' (core/slugs.py)
slug = slugs.slug


def unique_name(
    base: str,
    taken: set[str] | frozenset[str] = frozenset(),
    free: set[str] | frozenset[str] = frozenset(),
) -> str:
    """``base``, or ``base-2``, ``base-3`` …: the first name no dataset has (nor ``taken``).

    ``free``: names already known to be unused by any dataset (not looked up again).
    """
    name, counter = base, 1
    while name in taken or (
        name not in free
        and model.Session.query(model.Package.id).filter(model.Package.name == name).first()
    ):
        counter += 1
        name = f"{base[:90]}-{counter}"
    return name


def names_in_use(names: Iterable[str]) -> set[str]:
    """Which of ``names`` datasets have (one statement)."""
    wanted = sorted({name for name in names if name})
    if not wanted:
        return set()
    rows = model.Session.query(model.Package.name).filter(model.Package.name.in_(wanted))
    return {row.name for row in rows}


def match_keys(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """The record's identifiers that match it to the same business: [(field, value)]."""
    return [(key, str(fields[key])) for key in MATCH_FIELDS if fields.get(key)]


def matched_values(record_type: str, batch: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Which of the batch's identifiers an active dataset of ``record_type`` already has
    (one statement for the batch; :func:`match_existing` decides per record)."""
    wanted = {pair for fields in batch for pair in match_keys(fields)}
    if not wanted:
        return set()
    rows = (
        model.Session.query(model.PackageExtra.key, model.PackageExtra.value)
        .join(model.Package, model.PackageExtra.package_id == model.Package.id)
        .filter(
            model.Package.state == "active",
            model.Package.type == record_type,
            model.PackageExtra.key.in_(sorted({key for key, _value in wanted})),
            model.PackageExtra.value.in_(sorted({value for _key, value in wanted})),
            model.PackageExtra.state == "active",
        )
    )
    return {(key, value) for key, value in rows} & wanted


# --- comparison -----------------------------------------------------------------------------
def _comparable(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return str(value)


def differences(existing: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields whose wanted value differs from the dataset's: {field: (current, wanted)}."""
    return {
        key: (existing.get(key), value)
        for key, value in wanted.items()
        if key not in IGNORED_IN_COMPARISON and _comparable(existing.get(key)) != _comparable(value)
    }


def describe_validation_error(error: tk.ValidationError) -> str:
    parts = []
    for key, messages in (error.error_dict or {}).items():
        if isinstance(messages, list):
            text = "; ".join(
                str(m) if not isinstance(m, dict) else json.dumps(m, ensure_ascii=False)
                for m in messages
            )
        else:
            text = json.dumps(messages, ensure_ascii=False)
        if privacy.is_private_field(str(key)):  # personal data: the problem, not the value
            text = privacy.hide_quoted_values(text)
        parts.append(f"{key}: {text}")
    return "invalid record: " + (", ".join(parts) or str(error))


# --- writes ---------------------------------------------------------------------------------
def context_for(user: str) -> dict[str, Any]:
    # defer_commit: the record, its activity and its harvest object are committed together by
    # ckanext-harvest's save right after the import stage (nothing half-written, one commit).
    return {"model": model, "session": model.Session, "user": user, "defer_commit": True}


def create(user: str, data: dict[str, Any]) -> str:
    """The new dataset's id (no package_show of the result: nothing here needs it)."""
    return tk.get_action("package_create")(dict(context_for(user), return_id_only=True), data)


def update(
    user: str, package_id: str, changes: dict[str, Any], *, review: bool = False
) -> dict[str, Any]:
    """Apply ``changes``; from a review-queue source, a published record gets a pending
    revision instead (the public keeps the approved version until a curator approves)."""
    current = tk.get_action("package_show")(context_for(user), {"id": package_id})
    current.update(changes)
    if review and current.get("workflow_state") == "published":
        from ckanext.khtourism.workflow import revisions

        return revisions.propose(context_for(user), current)
    return tk.get_action("package_update")(context_for(user), current)


def show(user: str, package_id: str) -> dict[str, Any] | None:
    try:
        return tk.get_action("package_show")(context_for(user), {"id": package_id})
    except tk.ObjectNotFound:
        return None
