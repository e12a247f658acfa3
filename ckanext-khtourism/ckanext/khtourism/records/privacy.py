"""Personal data of tour guides: stored, shown only to those entitled to it.

Entitled readers: curators (members of the curator organization and
sysadmins) and members of the guide record's own organization. Everybody
else, including the search index (and so every search result, export and
DCAT serialisation built on it) and the activity stream, gets the record
without these fields.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from ckanext.khtourism.core import record_types, roles

from . import personal_data

# the ``private_fields`` each record type declares (core/record_types.py)
PRIVATE_FIELDS: dict[str, tuple[str, ...]] = {
    rt.name: rt.private_fields for rt in record_types.declarations().values() if rt.private_fields
}


def private_fields(dataset_type: str | None) -> tuple[str, ...]:
    return PRIVATE_FIELDS.get(dataset_type or "", ())


def may_see_private_fields(user: Any, owner_org: str | None) -> bool:
    return roles.is_curator(user) or roles.is_member_of(user, owner_org)


def strip_private_fields(
    pkg_dict: dict[str, Any], dataset_type: str | None = None
) -> dict[str, Any]:
    """Remove the private fields (top level, extras, ``extras_*`` index keys) in place."""
    fields = private_fields(dataset_type or pkg_dict.get("type"))
    if not fields:
        return pkg_dict
    for name in fields:
        pkg_dict.pop(name, None)
        pkg_dict.pop(f"extras_{name}", None)
    extras = pkg_dict.get("extras")
    if isinstance(extras, list):
        pkg_dict["extras"] = [
            e for e in extras if not (isinstance(e, dict) and e.get("key") in fields)
        ]
    return pkg_dict


def after_show(context: dict[str, Any], pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if not private_fields(pkg_dict.get("type")):
        return pkg_dict
    user = roles.context_user(context)
    if not may_see_private_fields(user, pkg_dict.get("owner_org")):
        strip_private_fields(pkg_dict)
        return pkg_dict
    if any(
        pkg_dict.get(name) for name in private_fields(pkg_dict.get("type"))
    ) and personal_data.is_person(user, context):
        personal_data.log_access(user, pkg_dict["id"], pkg_dict.get("name"))
    return pkg_dict


HARVEST_EXTRAS = ("harvest_object_id", "harvest_source_id", "harvest_source_title")


def add_harvest_extras(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """ckanext-harvest's extras of a harvested record read from the database.

    ckanext-harvest adds ``harvest_object_id``, ``harvest_source_id`` and
    ``harvest_source_title`` to the *index* copy of a dataset only (its
    ``before_dataset_index``); ``package_show`` has them because it answers from that copy.
    A record type with private fields is read from the database (the index copy has no
    personal data, see ``logic.action.package_show``), so without this its harvested
    records lacked them. Same values as ckanext-harvest (the current harvest object, the
    latest import first); like ckanext-harvest, an extra already present is updated (a
    read-modify-write such as a harvest update saves what it read, these extras included).
    """
    if not pkg_dict.get("id"):
        return pkg_dict
    try:
        from ckanext.harvest.model import HarvestObject
    except ImportError:  # ckanext-harvest not installed
        return pkg_dict
    import ckan.model as model

    obj = (
        model.Session.query(HarvestObject)
        .filter(HarvestObject.package_id == pkg_dict["id"], HarvestObject.current.is_(True))
        .order_by(HarvestObject.import_finished.desc())
        .first()
    )
    if obj is None or obj.source is None:
        return pkg_dict
    extras = pkg_dict.get("extras")
    if not isinstance(extras, list):
        extras = pkg_dict["extras"] = []
    for key, value in zip(HARVEST_EXTRAS, (obj.id, obj.source.id, obj.source.title), strict=True):
        if key in pkg_dict:  # a field of the schema: its validators' business
            continue
        for extra in extras:
            if isinstance(extra, dict) and extra.get("key") == key:
                extra["value"] = value  # a copy saved by an earlier read-modify-write
                break
        else:
            extras.append({"key": key, "value": value})
    return pkg_dict


STORED_COPIES = ("data_dict", "validated_data_dict")


def _scrub_stored(value: Any, dataset_type: str) -> Any:
    """``value`` without private fields at any depth, JSON-encoded copies included.

    CKAN's indexer encodes ``validated_data_dict`` *into* ``data_dict`` (it dumps the
    whole dict after adding the validated copy), so a stored copy may itself hold
    another stored copy as a JSON string: each one is decoded, stripped and encoded
    again, however deep.
    """
    if isinstance(value, dict):
        strip_private_fields(value, dataset_type)
        for key, item in list(value.items()):
            if key in STORED_COPIES and isinstance(item, str) and item:
                try:
                    decoded = json.loads(item)
                except ValueError:
                    continue
                value[key] = json.dumps(_scrub_stored(decoded, dataset_type))
            elif isinstance(item, (dict, list)):
                value[key] = _scrub_stored(item, dataset_type)
        return value
    if isinstance(value, list):
        return [_scrub_stored(item, dataset_type) for item in value]
    return value


def before_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Nothing private reaches the search index, not even in the stored JSON copies."""
    dataset_type = pkg_dict.get("type")
    if dataset_type is None or not private_fields(dataset_type):
        return pkg_dict
    return _scrub_stored(pkg_dict, dataset_type)


def strip_from_activity(activity_dict: dict[str, Any]) -> dict[str, Any]:
    """The activity stream keeps a copy of the record: never with personal data."""
    data = activity_dict.get("data")
    if isinstance(data, dict) and isinstance(data.get("package"), dict):
        package = data["package"]
        if private_fields(package.get("type")):
            data["package"] = strip_private_fields(dict(package))
    return activity_dict


ALL_PRIVATE_FIELDS = frozenset(f for fields in PRIVATE_FIELDS.values() for f in fields)
REDACTED = "[redacted]"
HIDDEN_VALUE = "“…”"
_QUOTED = re.compile(r"“[^”]*”|'[^']*'|\"[^\"]*\"")


def is_private_field(name: str, dataset_type: str | None = None) -> bool:
    """``name`` is a private field (of ``dataset_type``, or of any type when not given)."""
    return name in (private_fields(dataset_type) if dataset_type else ALL_PRIVATE_FIELDS)


def hide_quoted_values(message: str) -> str:
    """A message about a private field with every quoted value replaced by “…”.

    Job reports and other texts read by people not entitled to the personal
    data name the field and the problem, never the value.
    """
    return _QUOTED.sub(HIDDEN_VALUE, message)


def redact(value: Any) -> Any:
    """A copy of ``value`` with every private field's value replaced (dicts, extras lists)."""
    if isinstance(value, dict):
        if value.get("key") in ALL_PRIVATE_FIELDS and "value" in value:
            return dict(value, value=REDACTED)
        return {k: REDACTED if k in ALL_PRIVATE_FIELDS else redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v) for v in value)
    return value


class RedactPersonalData(logging.Filter):
    """CKAN core logs submitted dataset dicts at DEBUG level: never with personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, (tuple, dict)):
            record.args = redact(record.args)
        return True


# Loggers of CKAN core that write whole dataset dicts (package_create/package_update).
LOGGERS_WITH_DATASET_DICTS = ("ckan.logic.action.create", "ckan.logic.action.update")


def install_log_filter() -> None:
    for name in LOGGERS_WITH_DATASET_DICTS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPersonalData) for f in logger.filters):
            logger.addFilter(RedactPersonalData())
