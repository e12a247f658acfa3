"""The compat room: every patch or re-implementation of upstream code, listed and checked.

- :mod:`.registry` lists them all (the one place): upstream definition, what we do, the
  release it was written against, the fingerprint of its source, our module;
- :mod:`.patching` applies a listed patch (the only code that assigns to upstream
  modules and classes); the rooms call it with their replacement;
- :mod:`.check` compares the fingerprints with the installed source at start-up (the
  plugin's ``update_config``) and for ``ckan khtourism doctor``.

This room imports no other room of ours.
"""

from __future__ import annotations

from .check import CompatMismatch, check_at_startup, statuses
from .patching import applied, original, replace, replace_everywhere, setdefault, wrap
from .registry import ENTRIES, Entry

__all__ = [
    "ENTRIES",
    "CompatMismatch",
    "Entry",
    "applied",
    "check_at_startup",
    "original",
    "replace",
    "replace_everywhere",
    "setdefault",
    "statuses",
    "wrap",
]
