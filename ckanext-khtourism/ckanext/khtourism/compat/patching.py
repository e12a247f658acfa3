"""Applying the listed patches: the only code of ours that assigns to upstream objects.

Each function takes the name of an entry of :mod:`.registry` (a name that is not listed
is refused with ``KeyError``) and applies it once per process (``key`` tells apart
applications with different parameters). When the upstream object cannot be found, the
patch is skipped with a warning; the start-up check (:mod:`.check`) reports it.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from . import registry
from .fingerprint import UpstreamMissing, owner_and_attribute, resolve

log = logging.getLogger(__name__)

# (entry name, key) -> the object that was in place before our patch
_originals: dict[tuple[str, Any], Any] = {}
# upstream dotted path -> the upstream object a patch displaced from it
_displaced: dict[str, Any] = {}


def _locate(entry: registry.Entry, path: str) -> tuple[Any, str] | None:
    try:
        return owner_and_attribute(path)
    except (UpstreamMissing, ImportError) as error:
        log.warning("compat: %s not applied: %s is not there (%s)", entry.name, path, error)
        return None


def upstream_object(entry: registry.Entry) -> Any:
    """The upstream object of ``entry``: the one in place, or the one our patch displaced
    (``UpstreamMissing`` when it is not there)."""
    if entry.upstream in _displaced:
        return _displaced[entry.upstream]
    return resolve(entry.upstream)


def original(name: str, key: Any = None) -> Any:
    """What was in place of entry ``name`` before it was applied (``None`` if it was not)."""
    return _originals.get((name, key))


def applied(name: str, key: Any = None) -> bool:
    return (name, key) in _originals


def wrap(name: str, make: Callable[[Any], Any], key: Any = None) -> Any:
    """Put ``make(current)`` in place of the entry's target attribute; return ``current``.

    ``current`` is what is there now: the upstream object, or the wrapper of an entry
    applied before (entries on one attribute are applied in the order of the registry).
    """
    entry = registry.entry(name)
    if (name, key) in _originals:
        return _originals[(name, key)]
    located = _locate(entry, entry.patched_path)
    if located is None:
        return None
    owner, attribute = located
    current = getattr(owner, attribute)
    if entry.patched_path == entry.upstream:
        _displaced.setdefault(entry.upstream, current)
    setattr(owner, attribute, make(current))
    _originals[(name, key)] = current
    return current


def replace(name: str, replacement: Any) -> Any:
    """Put ``replacement`` in place of the entry's target attribute; return the original."""
    return wrap(name, lambda _current: replacement)


def replace_everywhere(name: str, replacement: Any, holders: Iterable[str] = ()) -> Any:
    """Put ``replacement`` in place of the upstream function in every loaded module that
    holds it by name (``from … import name``); return the original.

    ``holders`` are modules known to import it by name: imported first (one that is not
    installed is left out), so that none is missed.
    """
    entry = registry.entry(name)
    if (name, None) in _originals:
        return _originals[(name, None)]
    for module_name in holders:
        try:
            importlib.import_module(module_name)
        except ImportError:  # e.g. ckanext-harvest not installed: nothing to patch there
            continue
    located = _locate(entry, entry.upstream)
    if located is None:
        return None
    owner, attribute = located
    upstream = getattr(owner, attribute)
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if namespace is not None and namespace.get(attribute) is upstream:
            setattr(module, attribute, replacement)
    _originals[(name, None)] = upstream
    _displaced.setdefault(entry.upstream, upstream)
    return upstream


def setdefault(name: str, key: Any, value: Any) -> None:
    """Add ``key: value`` to the entry's upstream table unless the key is there."""
    entry = registry.entry(name)
    located = _locate(entry, entry.patched_path)
    if located is None:
        return
    owner, attribute = located
    getattr(owner, attribute).setdefault(key, value)
    _originals.setdefault((name, key), None)
