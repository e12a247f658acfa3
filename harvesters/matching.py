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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point
from sqlalchemy import func as sa_func

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages, record_types, slugs
from ckanext.khtourism.records import duplicates, privacy
from ckanext.khtourism.records.geo import distance_m, point_of

from . import geometry
from .config import SourceConfig
from .mapping import MATCH_FIELDS, PLAIN_DATASET, PORTAL_ID_FIELD, MappingError, fold
from .sources.base import SourceRecord, clean_id

# Harvest bookkeeping: a change of these alone is "not modified", never an update or a
# revision (the register's URL or the time of the run say nothing new about the place).
IGNORED_IN_COMPARISON = {"harvested_at", "source_url"}
# What the content comparison of two runs leaves out: where the record sits in the listing.
# Types whose official identifier names one person (a guide's card): matched on it alone.
PERSON_TYPES = frozenset(record_types.PERSON_TYPES)  # the types declared ``kind: person``
# The defaults of ckanext.khtourism.matching.point_tolerance_m (an official identifier + a
# point this close: the same establishment) and ckanext.khtourism.duplicates.name_radius_m
# (the same name this close: a duplicate candidate; records.duplicates reads it).
SAME_PLACE_M = 50.0
POINT_TOLERANCE_SETTING = "ckanext.khtourism.matching.point_tolerance_m"


def point_tolerance_m() -> float:
    """Metres within which an official identifier + a point is the same establishment."""
    value = tk.config.get(POINT_TOLERANCE_SETTING)
    return SAME_PLACE_M if value in (None, "") else float(value)


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
        area_field = _area_field(config.record_type)
        if area_field and shp.geom_type in ("Polygon", "MultiPolygon"):
            fields[area_field] = json.dumps(geometry.geojson(shp))
    if not fields.get("title") and fields.get("full_name"):
        fields["title"] = fields["full_name"]  # tour guides are listed by name
    if not fields.get("title"):
        raise RecordError("no title: map a column to 'title' (e.g. 'Tên cơ sở')")
    if config.record_type != PLAIN_DATASET:
        fields.setdefault("operating_status", "operating")
    return BuiltRecord(fields=fields, unmapped=unmapped)


def _area_field(record_type: str) -> str | None:
    """The polygon field the type keeps besides its point (declared ``area_field``)."""
    declared = record_types.declarations().get(record_type)
    return declared.area_field if declared else None


def _geometry_of(content: dict[str, Any], fields: dict[str, Any], config: SourceConfig):
    # only a type that declares an ``area_field`` (a heritage site) keeps the shape itself:
    # other records keep a point of it, so an invalid shape (a self-intersecting ring) is
    # repaired, not refused
    repair = _area_field(config.record_type) is None
    try:
        if content.get("geometry"):
            crs = geometry.resolve_crs(config.crs or content.get("crs"))
            return geometry.to_wgs84(content["geometry"], crs, repair=repair)
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
    # what matched (official identifiers, e.g. "enterprise_code=4209876543"), for messages
    by: str = ""


def both(message: str, /, **values: Any) -> str:
    """A decision-log or report message (core/messages.py): Vietnamese / English. A value
    given as a (vi, en) pair is put in each language's sentence."""

    def text(lang: str) -> str:
        local = {
            k: (v[0 if lang == "vi" else 1] if isinstance(v, tuple) else v)
            for k, v in values.items()
        }
        return messages.text(message, lang, **local)

    return f"{text('vi')} / {text('en')}"


def _pair(key: str, **values: Any) -> tuple[str, str]:
    return messages.text(key, "vi", **values), messages.text(key, "en", **values)


def _joined(parts: list[tuple[str, str]], separator: str = ", ") -> tuple[str, str]:
    return separator.join(p[0] for p in parts), separator.join(p[1] for p in parts)


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


def _same_place(existing: dict[str, str], fields: dict[str, Any]) -> tuple[str, str] | None:
    """How an existing record is at the same place as ``fields`` (vi, en): the same address,
    or a point N m away; None."""
    address = fold(fields.get("street_address") or "")
    if address and fold(existing.get("street_address") or "") == address:
        return _pair("match_same_address")
    here, there = point_of(fields.get("spatial")), point_of(existing.get("spatial"))
    if here and there:
        metres = distance_m(here, there)
        if metres <= point_tolerance_m():
            return _pair("match_point_near", metres=f"{metres:.0f}")
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
    with the same address or a point within ``point_tolerance_m()`` (50 m by default; a
    guide's card number alone); otherwise a new record — a duplicate candidate of the
    records with the same name within ``duplicates.name_radius_m()`` (100 m by default).
    Several candidates never overwrite: the record is new and every candidate is listed.
    """
    portal_id = fields.get(PORTAL_ID_FIELD)
    note = ("", "")
    if portal_id:
        ids = _active_ids(record_type, PORTAL_ID_FIELD, str(portal_id))
        if ids:
            return Match(
                ids[0], both("match_portal_id", id=portal_id, label=_label(ids[0])), by=portal_id
            )
        # another portal's identifier (a harvested catalogue), or a withdrawn record's
        note = _pair("match_portal_id_unknown", id=portal_id)
    sharing: dict[str, list[str]] = {}
    for key, value in match_keys(fields):
        for package_id in _active_ids(record_type, key, value):
            sharing.setdefault(package_id, []).append(f"{key}={value}")
    if sharing:
        if record_type in PERSON_TYPES:
            confirmed: dict[str, tuple[str, str] | None] = {pid: None for pid in sharing}
        else:
            extras = _extras_of(sharing, ("street_address", "spatial"))
            confirmed = {
                pid: how for pid in sharing if (how := _same_place(extras[pid], fields)) is not None
            }
        if len(confirmed) == 1:
            ((package_id, how),) = confirmed.items()
            by = " + ".join(sharing[package_id])
            plus = (f" + {how[0]}", f" + {how[1]}") if how else ("", "")
            return Match(
                package_id,
                both("match_identifiers", note=note, by=by, how=plus, label=_label(package_id)),
                by=by,
            )
        if len(confirmed) > 1:
            listed = "; ".join(f"{_label(pid)} ({' + '.join(sharing[pid])})" for pid in confirmed)
            return Match(
                None,
                both("match_ambiguous", note=note, records=listed),
                candidates=[
                    (pid, " + ".join(sharing[pid]) + " + " + (how[1] if how else "same place"))
                    for pid, how in confirmed.items()
                ],
            )
    near = same_name_nearby(record_type, fields)
    if near:
        listed_pairs = [
            (f"{_label(pid)} ({why[0]})", f"{_label(pid)} ({why[1]})") for pid, why in near
        ]
        return Match(
            None,
            both("match_name_nearby", note=note, records=_joined(listed_pairs)),
            candidates=[(pid, why[1]) for pid, why in near],
        )
    if sharing:
        sharing_pairs = _joined(
            [
                _pair("match_shares", label=_label(pid), by=" + ".join(sharing[pid]))
                for pid in sharing
            ]
        )
        return Match(None, both("match_same_business", note=note, records=sharing_pairs))
    return Match(None, both("match_new", note=note))


def same_name_nearby(record_type: str, fields: dict[str, Any]) -> list[tuple[str, tuple[str, str]]]:
    """Active records of the type with the same name (folded) within
    ``duplicates.name_radius_m()`` (100 m by default), or at the same address when a point
    is missing: [(package id, (reason in Vietnamese, in English))]."""
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
    radius = duplicates.name_radius_m()
    for package_id in same:
        there = point_of(extras[package_id].get("spatial"))
        if here and there and distance_m(here, there) <= radius:
            metres = f"{distance_m(here, there):.0f}"
            found.append((package_id, _pair("match_same_name_near", metres=metres)))
        elif fields.get("street_address") and fold(fields["street_address"]) == fold(
            extras[package_id].get("street_address") or ""
        ):
            found.append((package_id, _pair("match_same_name_address")))
    return found


def commune_notes(package_ids: Iterable[str]) -> dict[str, str]:
    """For records whose commune the portal found from the point (records/communes.py), the
    note for the harvest object's decision log, Vietnamese / English (one statement)."""
    from ckanext.khtourism.records import communes

    extras = _extras_of(package_ids, ("admin_unit", "admin_unit_method", "spatial"))
    notes = {}
    for package_id, values in extras.items():
        method, code = values.get("admin_unit_method"), values.get("admin_unit")
        if method not in communes.METHODS or not code:
            continue
        distance = None
        point = communes.point_of(values.get("spatial"))
        if method == communes.NEAREST_CENTRE and point is not None:
            centre = communes.centres().get(code)
            distance = distance_m(point, centre) if centre else None
        found = communes.Assignment(code, method, distance)
        notes[package_id] = f"{found.describe('vi')} / {found.describe('en')}"
    return notes


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
    for key, problems in (error.error_dict or {}).items():
        if isinstance(problems, list):
            text = "; ".join(
                str(m) if not isinstance(m, dict) else json.dumps(m, ensure_ascii=False)
                for m in problems
            )
        else:
            text = json.dumps(problems, ensure_ascii=False)
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
) -> dict[str, Any] | str:
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
