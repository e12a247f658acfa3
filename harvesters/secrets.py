"""Secrets in harvest source configurations are write-only.

A source's configuration (JSON) may hold credentials: an ArcGIS ``token``, a
catalogue's ``api_key``, ``headers`` with ``Authorization``, a ``password``…
They are stored as given (the harvester needs them, ``harvest_source.config``
and the source dataset's ``config`` extra), but every output — the source
dataset as ``package_show``/``harvest_source_show`` return it, the search
index and so ``package_search``, ``harvest_source_list``, the activity
stream, job reports and logs — carries :data:`MASK` in their place, for
everybody, sysadmins included. An update that sends the mask back keeps the
stored value (:func:`unmask_config`): the edit form round-trips.

A key is a secret when its name (folded: lower case, ``-`` as ``_``) contains
one of :data:`SECRET_WORDS`; its value is masked at any depth of the JSON.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

MASK = "********"
SECRET_WORDS = (
    "token",
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "authorization",
    "credential",
    "private_key",
    "access_key",
    "cookie",
    "x_api_key",
)
HARVEST_DATASET_TYPE = "harvest"
STORED_COPIES = ("data_dict", "validated_data_dict")
# secret values shorter than this are not searched for in free text (too many false hits)
MIN_TEXT_SECRET = 4


def is_secret_key(name: Any) -> bool:
    folded = re.sub(r"[^a-z0-9]+", "_", str(name).lower())
    return any(word in folded for word in SECRET_WORDS)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (_masked_value(v) if is_secret_key(k) else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _masked_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return _mask(value) if isinstance(value, dict) else [_masked_value(v) for v in value]
    if value in (None, "") or isinstance(value, bool):
        return value
    return MASK


def _decode(text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def mask_config(text: Any) -> Any:
    """The configuration text with every secret value replaced by :data:`MASK`.

    A text that is not JSON is returned as it is only when no secret word
    appears in it; otherwise it is replaced by the mask as a whole.
    """
    decoded = _decode(text)
    if decoded is None:
        if isinstance(text, str) and any(is_secret_key(word) for word in re.findall(r"\w+", text)):
            return MASK
        return text
    masked = _mask(decoded)
    if masked == decoded:
        return text  # nothing secret: the text exactly as stored
    return json.dumps(masked, ensure_ascii=False)


def secret_values(text: Any) -> list[str]:
    """The secret values a configuration text holds (longest first)."""
    found: list[str] = []

    def walk(value: Any, secret: bool) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, secret or is_secret_key(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, secret)
        elif secret and value not in (None, "") and not isinstance(value, bool):
            found.append(str(value))

    walk(_decode(text), False)
    return sorted(set(found), key=len, reverse=True)


def mask_text(text: str, config_text: Any) -> str:
    """``text`` (an error message, a URL) with the configuration's secret values masked."""
    for value in secret_values(config_text):
        if len(value) >= MIN_TEXT_SECRET:
            text = text.replace(value, MASK)
            # also the forms a URL or a bearer header gives it
            for token in value.split():
                if len(token) >= MIN_TEXT_SECRET:
                    text = text.replace(token, MASK)
    return text


def unmask_config(text: Any, stored_text: Any) -> Any:
    """``text`` with each :data:`MASK` put back to the stored value at the same place.

    A mask with no stored value behind it is dropped (the key is left out).
    """
    decoded = _decode(text)
    if decoded is None or MASK not in str(text):
        return text
    stored = _decode(stored_text)

    def restore(value: Any, old: Any) -> Any:
        if isinstance(value, dict):
            result = {}
            for k, v in value.items():
                previous = old.get(k) if isinstance(old, dict) else None
                if v == MASK:
                    if previous not in (None, MASK):
                        result[k] = previous
                    continue
                result[k] = restore(v, previous)
            return result
        if isinstance(value, list):
            olds = old if isinstance(old, list) else []
            return [
                restore(v, olds[i] if i < len(olds) else None)
                for i, v in enumerate(value)
                if v != MASK or (i < len(olds) and olds[i] != MASK)
            ]
        return value

    return json.dumps(restore(decoded, stored), ensure_ascii=False)


# --- the source dataset's dicts -------------------------------------------------------------
def _mask_extras(extras: Any) -> None:
    if isinstance(extras, list):
        for extra in extras:
            if isinstance(extra, dict) and extra.get("key") == "config":
                extra["value"] = mask_config(extra.get("value"))


def mask_source_dict(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """A harvest source dataset's dict (``package_show``, index document) masked in place."""
    if pkg_dict.get("type") != HARVEST_DATASET_TYPE and "source_type" not in pkg_dict:
        return pkg_dict
    for key in ("config", "extras_config"):
        if key in pkg_dict:
            pkg_dict[key] = mask_config(pkg_dict[key])
    _mask_extras(pkg_dict.get("extras"))
    for key in STORED_COPIES:
        stored = _decode(pkg_dict.get(key))
        if isinstance(stored, dict):
            stored["type"] = stored.get("type") or HARVEST_DATASET_TYPE
            pkg_dict[key] = json.dumps(mask_source_dict(stored))
    return pkg_dict


def after_show(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if pkg_dict.get("type") == HARVEST_DATASET_TYPE:
        mask_source_dict(pkg_dict)
    return pkg_dict


def before_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if pkg_dict.get("type") == HARVEST_DATASET_TYPE:
        mask_source_dict(pkg_dict)
    return pkg_dict


def mask_source_list(sources: Any) -> Any:
    """``harvest_source_list``'s dicts (``HarvestSource.as_dict``) masked in place."""
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, dict) and "config" in source:
            source["config"] = mask_config(source["config"])
    return sources


def restore_update(data_dict: dict[str, Any], stored_config: Any) -> dict[str, Any]:
    """An update of a source dataset: masks sent back become the stored secrets."""
    if isinstance(data_dict.get("config"), str):
        data_dict["config"] = unmask_config(data_dict["config"], stored_config)
    extras = data_dict.get("extras")
    if isinstance(extras, list):
        for extra in extras:
            if isinstance(extra, dict) and extra.get("key") == "config":
                extra["value"] = unmask_config(extra.get("value"), stored_config)
    return data_dict


# --- logs -----------------------------------------------------------------------------------
def _mask_logged(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (mask_config(v) if k == "config" else _mask_logged(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_logged(v) for v in value)
    return value


class MaskSourceSecrets(logging.Filter):
    """ckanext-harvest logs whole source dicts (``config`` included) at INFO level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, (tuple, dict)):
            record.args = _mask_logged(record.args)
        return True


LOGGERS_WITH_SOURCE_DICTS = (
    "ckanext.harvest.plugin",
    "ckanext.harvest.logic.action.create",
    "ckanext.harvest.logic.action.update",
    "ckanext.harvest.logic.action.patch",
)


def install_log_filter() -> None:
    for name in LOGGERS_WITH_SOURCE_DICTS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSourceSecrets) for f in logger.filters):
            logger.addFilter(MaskSourceSecrets())
