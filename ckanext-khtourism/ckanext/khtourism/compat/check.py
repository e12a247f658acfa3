"""The start-up check and the doctor's list: each entry's fingerprint against the installed
upstream source.

A mismatch (or an upstream definition that is gone) stops start-up with an error naming
the entry, unless ``ckanext.khtourism.compat.on_mismatch = warn``: then it is logged and
the patch applied as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from ckan.common import config as ckan_config

from . import registry
from .fingerprint import UpstreamMissing, fingerprint_of
from .patching import upstream_object

log = logging.getLogger(__name__)

OPTION = "ckanext.khtourism.compat.on_mismatch"
MODES = ("error", "warn")
OK, MISMATCH, MISSING = "ok", "mismatch", "upstream missing"


class CompatMismatch(RuntimeError):
    """An upstream definition we patch or re-implement is not the one our code was written for."""


@dataclass(frozen=True)
class Status:
    entry: registry.Entry
    state: str  # OK, MISMATCH or MISSING
    detail: str = ""

    @property
    def installed(self) -> str:
        try:
            return metadata.version(self.entry.package)
        except metadata.PackageNotFoundError:
            return "not installed"

    def describe(self) -> str:
        entry = self.entry
        head = (
            f"compat entry {entry.name!r}: {entry.upstream} ({entry.package} {self.installed}, "
            f"written against {entry.written_against}; we {entry.action} it in {entry.by})"
        )
        if self.state == OK:
            return f"{head}: ok"
        return (
            f"{head}: {self.state}: {self.detail}. Review {entry.by} against the installed "
            f"source, then update the entry in compat/registry.py (docs/architecture.md, "
            f"'Upgrading CKAN or an extension'); {OPTION} = warn starts anyway"
        )


def status_of(entry: registry.Entry) -> Status:
    try:
        found = fingerprint_of(upstream_object(entry))
    except (UpstreamMissing, ImportError) as error:
        return Status(entry, MISSING, str(error))
    if found != entry.fingerprint:
        return Status(
            entry,
            MISMATCH,
            f"the installed source hashes to {found}, the entry lists {entry.fingerprint}",
        )
    return Status(entry, OK)


def statuses(entries: tuple[registry.Entry, ...] = registry.ENTRIES) -> list[Status]:
    return [status_of(entry) for entry in entries]


def on_mismatch(config: Any = None) -> str:
    if config is None:
        config = ckan_config
    value = str(config.get(OPTION) or "error").strip().lower()
    if value not in MODES:
        raise CompatMismatch(f"{OPTION} must be one of {', '.join(MODES)}, got {value!r}")
    return value


def check_at_startup(
    config: Any = None,
    entries: tuple[registry.Entry, ...] = registry.ENTRIES,
    fail: bool = True,
) -> list[Status]:
    """Compare every entry with the installed upstream; return the entries that differ.

    With ``on_mismatch = error`` (default) and ``fail``, any of them raises
    :class:`CompatMismatch` naming each; otherwise each is logged as a warning (``fail``
    is False for ``ckan khtourism doctor``, which lists them itself).
    """
    problems = [status for status in statuses(entries) if status.state != OK]
    if not problems:
        return []
    if fail and on_mismatch(config) == "error":
        raise CompatMismatch("\n".join(status.describe() for status in problems))
    for status in problems:
        log.warning("%s", status.describe())
    return problems
