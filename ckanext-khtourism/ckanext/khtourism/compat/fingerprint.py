"""The fingerprint of an upstream definition: a hash of its source as installed.

The source is read from the upstream module's *file* (not from the live object, which
one of our patches may have replaced): the statement of the module, class or function
body that binds the last name of the dotted path — a ``def`` or ``class`` with its
decorators, an assignment, or an import. Normalised before hashing: dedented, trailing
spaces, blank lines and whole-line comments dropped (a reformatted comment is not a
change; a changed docstring is, and is worth a look).
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import textwrap
from functools import cache
from types import ModuleType


class UpstreamMissing(LookupError):
    """The dotted path names no module, or no definition in its module."""


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


def _binds(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement.name == name
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return any((alias.asname or alias.name.split(".")[0]) == name for alias in statement.names)
    return False


def _binding(body: list[ast.stmt], name: str) -> ast.stmt | None:
    """The last statement of ``body`` (or of its ``if`` / ``try`` blocks) binding ``name``."""
    found = None
    for statement in body:
        if _binds(statement, name):
            found = statement
        elif isinstance(statement, (ast.If, ast.Try)):
            blocks = [statement.body, statement.orelse]
            if isinstance(statement, ast.Try):
                blocks += [h.body for h in statement.handlers] + [statement.finalbody]
            for block in blocks:
                inner = _binding(block, name)
                if inner is not None:
                    found = inner
    return found


@cache
def _module_tree(module_name: str) -> tuple[list[str], ast.Module]:
    source = inspect.getsource(importlib.import_module(module_name))
    return source.splitlines(), ast.parse(source)


def source_of(path: str) -> str:
    """The installed source of the definition ``path`` names (``UpstreamMissing`` if none)."""
    module, names = module_and_names(path)
    try:
        lines, tree = _module_tree(module.__name__)
    except (OSError, TypeError) as error:  # no source file (a compiled module)
        raise UpstreamMissing(f"{module.__name__} has no readable source: {error}") from error
    body: list[ast.stmt] = tree.body
    node: ast.stmt | None = None
    for name in names:
        node = _binding(body, name)
        if node is None:
            raise UpstreamMissing(f"{path}: {module.__name__} defines no {'.'.join(names)}")
        body = getattr(node, "body", [])
    assert node is not None
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)])
    return "\n".join(lines[start - 1 : node.end_lineno])


def normalised(source: str) -> str:
    kept = []
    for line in textwrap.dedent(source).splitlines():
        line = line.rstrip()
        if line and not line.lstrip().startswith("#"):
            kept.append(line)
    return "\n".join(kept)


@cache
def fingerprint(path: str) -> str:
    """sha256 (hex) of the normalised installed source of ``path`` (read once per process)."""
    return hashlib.sha256(normalised(source_of(path)).encode("utf-8")).hexdigest()
