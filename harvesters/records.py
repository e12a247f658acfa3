"""Harvested records to datasets, through the same actions as a user's submission.

Everything that writes calls ``package_create`` / ``package_update`` as the
harvest user, so the record types' validators and the curation workflow
apply exactly as they do for a business submitting a form. Lookups (which
dataset holds enterprise code X?) read the database directly: they must not
depend on the search index being up to date.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.records import privacy

from . import geometry
from .config import SourceConfig
from .mapping import MATCH_FIELDS, PLAIN_DATASET, MappingError

PROVENANCE_FIELDS = ("source_name", "source_record_id", "source_url", "harvested_at")
# Fields compared to decide whether an update changes anything (provenance time excluded).
IGNORED_IN_COMPARISON = {"harvested_at"}


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


# --- lookups --------------------------------------------------------------------------------
def find_matches(record_type: str, fields: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Active datasets of ``record_type`` sharing an identifier: [(package id, field, value)]."""
    found: list[tuple[str, str, str]] = []
    for key in MATCH_FIELDS:
        value = fields.get(key)
        if not value:
            continue
        rows = (
            model.Session.query(model.Package.id)
            .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
            .filter(
                model.Package.state == "active",
                model.Package.type == record_type,
                model.PackageExtra.key == key,
                model.PackageExtra.value == str(value),
                model.PackageExtra.state == "active",
            )
            .all()
        )
        found.extend((row.id, key, str(value)) for row in rows)
    return found


def slug(text: str, fallback: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-")
    return text if len(text) >= 2 else fallback


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
    (one statement for the batch; :func:`find_matches` per record)."""
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
