"""The fingerprint of an upstream function: a hash of its installed source.

``inspect.getsource`` of the upstream object (a function or method, with its decorators),
normalised before hashing: dedented, trailing spaces, blank lines and whole-line comments
dropped (a reformatted comment is not a change; a changed docstring is, and is worth a
look). The object is the upstream one even after our patch replaced it: :mod:`.patching`
keeps what it displaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import inspect
import textwrap
from types import ModuleType
from typing import Any


class UpstreamMissing(LookupError):
    """The dotted path names no module, or nothing in its module."""


def module_and_names(path: str) -> tuple[ModuleType, list[str]]:
    """The longest importable module prefix of ``path`` and the names after it."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name and (name == error.name or name.startswith(error.name + ".")):
                continue  # not a module (or a package that is not installed)
            raise
        if end == len(parts):
            raise UpstreamMissing(f"{path} is a module, not a definition in one")
        return module, parts[end:]
    raise UpstreamMissing(f"no module of {path} can be imported")


def owner_and_attribute(path: str) -> tuple[Any, str]:
    """The object holding the last name of ``path``, and that name (``UpstreamMissing``
    when a name on the way is not there)."""
    module, names = module_and_names(path)
    owner: Any = module
    for name in names[:-1]:
        if not hasattr(owner, name):
            raise UpstreamMissing(f"{path}: {owner!r} has no {name}")
        owner = getattr(owner, name)
    if not hasattr(owner, names[-1]):
        raise UpstreamMissing(f"{path}: {owner.__name__} has no {names[-1]}")
    return owner, names[-1]


def resolve(path: str) -> Any:
    owner, attribute = owner_and_attribute(path)
    return getattr(owner, attribute)


def normalised(source: str) -> str:
    kept = []
    for line in textwrap.dedent(source).splitlines():
        line = line.rstrip()
        if line and not line.lstrip().startswith("#"):
            kept.append(line)
    return "\n".join(kept)


def source_of(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError) as error:  # a builtin, a compiled module, a data object
        raise UpstreamMissing(f"no source for {obj!r}: {error}") from error


_FINGERPRINTS: dict[Any, str] = {}


def fingerprint_of(obj: Any) -> str:
    """sha256 (hex) of the normalised source of ``obj`` (computed once per process: the
    start-up check runs at every plugin load)."""
    try:
        return _FINGERPRINTS[obj]
    except (KeyError, TypeError):
        pass
    found = hashlib.sha256(normalised(source_of(obj)).encode("utf-8")).hexdigest()
    with contextlib.suppress(TypeError):  # not hashable: not kept
        _FINGERPRINTS[obj] = found
    return found
