"""``pip install .`` brings what the extension imports: every third-party module imported
anywhere in the package is provided by a distribution named in ``install_requires``, or is
one the framework brings (CKAN's own requirements; the ckanext-* extensions it extends).
(numpy and pyroaring were imported by the search engine and named nowhere: 2026-12-05.)"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = [REPO / "ckanext-khtourism" / "ckanext" / "khtourism", REPO / "harvesters"]
FRAMEWORK = ("ckan", "ckanext-scheming", "ckanext-dcat", "ckanext-spatial", "ckanext-harvest")


def _name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _requires(distribution: str) -> list[str]:
    return [_name(r) for r in metadata.distribution(distribution).requires or ()]


def _imported_top_level_modules() -> dict[str, str]:
    """top-level module -> one file importing it (absolute imports only)."""
    found: dict[str, str] = {}
    for root in SOURCES:
        for path in root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def test_every_third_party_import_is_a_declared_requirement():
    declared = set(_requires("ckanext-khtourism"))
    framework = {name for dist in FRAMEWORK for name in (dist, *_requires(dist))}
    providers = metadata.packages_distributions()
    undeclared = {}
    for module, where in _imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module in ("ckanext", "__future__"):
            continue
        dists = {_name(d) for d in providers.get(module, [])}
        assert dists, f"{module} (imported in {where}) is not installed"
        if not dists & (declared | framework):
            undeclared[module] = (sorted(dists), where)
    assert not undeclared, f"imported, not in setup.py's install_requires: {undeclared}"
