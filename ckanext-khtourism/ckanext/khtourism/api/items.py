"""A CKAN package dict -> one API item (the shape every serializer starts from).

Private fields (a tour guide's personal data) are removed here unless the requesting user may see
them; nothing else in the API reads package dicts.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.records import quality as record_quality
from ckanext.khtourism.records import schema_fields
from ckanext.khtourism.records.privacy import ALL_PRIVATE_FIELDS, private_fields
from ckanext.khtourism.records.schema_fields import PLACE_FIELDS

from .collections import BY_DATASET_TYPE, Collection

EARTH_RADIUS_M = 6_371_008.8


def point_of(pkg: dict[str, Any]) -> tuple[float, float] | None:
    """(lon, lat) of the record's ``spatial`` point (or its geometry's centroid)."""
    spatial = pkg.get("spatial")
    if not spatial:
        return None
    try:
        geometry = json.loads(spatial) if isinstance(spatial, str) else spatial
        if geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
            return float(lon), float(lat)
        from shapely.geometry import shape

        centroid = shape(geometry).centroid
        return centroid.x, centroid.y
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def may_see_private_fields(user_name: str | None, pkg: dict[str, Any]) -> bool:
    """Curators, sysadmins and members of the record's own organization (the
    records room's rule, ``records.privacy``)."""
    if not user_name:
        return False
    from ckanext.khtourism.records.privacy import may_see_private_fields as records_rule

    return records_rule(user_name, pkg.get("owner_org"))


def load_private_fields(user_name: str | None, packages: list[dict[str, Any]]) -> None:
    """Add the private fields (personal data), in place, to the packages the user may see them on.

    Search results never hold them (the index is stripped); one query over
    ``package_extra`` brings them for a whole page, never one ``package_show``
    per result.
    """
    if not user_name:
        return
    allowed = {
        pkg["id"]: pkg
        for pkg in packages
        if private_fields(pkg.get("type")) and may_see_private_fields(user_name, pkg)
    }
    if not allowed:
        return
    import ckan.model as model

    rows = (
        model.Session.query(
            model.PackageExtra.package_id, model.PackageExtra.key, model.PackageExtra.value
        )
        .filter(model.PackageExtra.package_id.in_(list(allowed)))
        .filter(model.PackageExtra.key.in_(sorted(ALL_PRIVATE_FIELDS)))
        .filter(model.PackageExtra.state == "active")
        .all()
    )
    for package_id, key, value in rows:
        allowed[package_id][key] = value
    # records room: who read whose personal data (docs/privacy.md)
    from ckanext.khtourism.records import personal_data

    user = model.User.get(user_name)
    shown = {package_id for package_id, _key, _value in rows}
    if user is not None and shown:
        personal_data.log_accesses(
            user, [(i, allowed[i].get("name")) for i in sorted(shown)], personal_data.API
        )


@lru_cache(maxsize=8)
def _choice_labels(dataset_type: str) -> dict[str, dict[str, dict[str, str]]]:
    """field -> code -> {lang: label}, from the scheming schema when it is loaded."""
    try:
        from ckanext.scheming.helpers import scheming_field_choices, scheming_get_dataset_schema
    except ImportError:
        return {}

    schema = scheming_get_dataset_schema(dataset_type) or {}
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for field in schema.get("dataset_fields", []):
        # fixed choices, or a choices_helper's (administrative units, former districts)
        try:
            choices = scheming_field_choices(field)
        except AttributeError:  # a helper that is not registered (CKAN not loaded)
            choices = None
        if not choices:
            continue
        by_code = {}
        for choice in choices:
            label = choice.get("label", choice.get("value"))
            if not isinstance(label, dict):
                label = {"vi": str(label), "en": str(label)}
            by_code[str(choice.get("value"))] = label
        labels[field["field_name"]] = by_code
    return labels


@lru_cache(maxsize=16)
def _field_labels(dataset_type: str) -> dict[str, Any]:
    """field -> its scheming label (``{vi, en}`` or a text), presets resolved."""
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return {}
    schema = scheming_get_dataset_schema(dataset_type) or {}
    return {
        field["field_name"]: field["label"]
        for field in schema.get("dataset_fields", [])
        if field.get("label")
    }


def field_label(dataset_type: str, field: str, lang: str) -> str | None:
    """A field's label in ``lang`` (``None`` for an item field that no schema declares)."""
    label = _field_labels(dataset_type).get(field)
    if label is None:
        return None
    if isinstance(label, dict):
        return label.get(lang) or label.get("vi") or label.get("en")
    return str(label)


def label_for(dataset_type: str, field: str, code: str, lang: str) -> str | None:
    return _label_in(_choice_labels(dataset_type).get(field, {}), code, lang)


def _label_in(by_code: dict[str, dict[str, str]], code: str, lang: str) -> str | None:
    label = by_code.get(str(code))
    if not label:
        return None
    return label.get(lang) or label.get("vi") or label.get("en") or str(code)


def in_language(pkg: dict[str, Any], field: str, lang: str) -> str | None:
    """``title``/``notes`` in ``lang``: the ``_en`` value for English, else (or when
    it is empty) the Vietnamese one."""
    if lang == "en" and pkg.get(f"{field}_en"):
        return pkg[f"{field}_en"]
    return pkg.get(field) or None


def item_from_package(
    pkg: dict[str, Any],
    *,
    lang: str,
    user_name: str | None,
    centre: tuple[float, float] | None = None,
    fields: list[str] | None = None,
) -> dict[str, Any]:
    """The API item for one record (private guide fields only for those allowed)."""
    collection: Collection | None = BY_DATASET_TYPE.get(pkg.get("type", ""))
    site_url = tk.config.get("ckan.site_url", "").rstrip("/")
    point = point_of(pkg)
    organization = pkg.get("organization") or {}
    item: dict[str, Any] = {
        "id": pkg.get("id"),
        "name": pkg.get("name"),
        "type": pkg.get("type"),
        # title and notes in the request's language (English falls back to
        # Vietnamese when a record has none); both languages as stored beside them
        "title": in_language(pkg, "title", lang),
        "title_vi": pkg.get("title") or None,
        "title_en": pkg.get("title_en") or None,
        "display_title": in_language(pkg, "title", lang),  # v1 alias of ``title``
        "notes": in_language(pkg, "notes", lang),
        "notes_vi": pkg.get("notes") or None,
        "notes_en": pkg.get("notes_en") or None,
        "url": f"{site_url}/{pkg.get('type') or 'dataset'}/{pkg.get('name')}",
        "organization": {"name": organization.get("name"), "title": organization.get("title")}
        if organization
        else None,
        "latitude": point[1] if point else None,
        "longitude": point[0] if point else None,
        "tags": [tag.get("name") for tag in pkg.get("tags") or [] if tag.get("name")],
        "metadata_created": _utc(pkg.get("metadata_created")),
        "metadata_modified": _utc(pkg.get("metadata_modified")),
    }
    if not fields or "quality" in fields:  # records/quality.py (~0.5 ms a record)
        quality = record_quality.assess(pkg)
        item["quality"] = quality.as_dict(lang) if quality is not None else None
    if pkg.get("private") or pkg.get("workflow_state") not in (None, "published"):
        item["workflow_state"] = pkg.get("workflow_state")
        item["published"] = not pkg.get("private")
    dataset_type = pkg.get("type") or ""
    for name in PLACE_FIELDS:
        item[name] = typed_value(dataset_type, name, pkg.get(name))
    if collection is not None:
        for name in collection.fields:
            item[name] = typed_value(dataset_type, name, pkg.get(name))
    private = private_fields(pkg.get("type"))
    if private and may_see_private_fields(user_name, pkg):
        for name in private:
            item[name] = typed_value(dataset_type, name, pkg.get(name))
    if centre is not None:
        distance = pkg.get("distance_m", pkg.get("_distance"))
        if distance is None and point is not None:
            distance = haversine_m(centre[0], centre[1], point[0], point[1])
        item["distance_m"] = round(float(distance), 1) if distance is not None else None
    labels: dict[str, str | list[str]] = {}
    choices = _choice_labels(item["type"] or "")
    for name, value in item.items():
        by_code = choices.get(name)
        if by_code is None:  # a field without a code list: no label
            continue
        if isinstance(value, str):
            label = _label_in(by_code, value, lang)
            if label:
                labels[name] = label
        elif isinstance(value, list):
            found = [_label_in(by_code, str(v), lang) for v in value]
            if any(found):
                labels[name] = [label or str(v) for label, v in zip(found, value, strict=True)]
    item["labels"] = labels
    if fields:
        keep = {"id", *fields}
        item = {key: value for key, value in item.items() if key in keep}
    return item


def field_kind(dataset_type: str, name: str) -> str:
    """The kind of an item field (``records.schema_fields``; ``text`` when no schema
    field of the type has that name)."""
    try:
        return schema_fields.field_kind(dataset_type, name)
    except KeyError:  # not a field of this type's schema
        return schema_fields.TEXT


def typed_value(dataset_type: str, name: str, value: Any) -> Any:
    """A stored field value as the JSON value its kind calls for.

    CKAN keeps scheming fields as extras, i.e. text: whole numbers become JSON
    integers, multi-valued fields lists, dates stay ISO ``YYYY-MM-DD`` strings;
    empty values are null. A stored value that does not parse is given as it is.
    """
    if value in ("", None, []):
        return None
    kind = field_kind(dataset_type, name)
    if kind == schema_fields.INT:
        if isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            return value
    if kind == schema_fields.MULTI:
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = [part.strip() for part in value.split(",") if part.strip()]
            value = parsed if isinstance(parsed, list) else [parsed]
        return [str(part) for part in value] or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # a code or a text stored as a number
    return value


def _utc(value: str | None) -> str | None:
    if not value:
        return None
    return value if value.endswith("Z") or "+" in value[10:] else value + "Z"
