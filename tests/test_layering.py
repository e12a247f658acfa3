"""The rooms of the package import each other in the allowed directions only, without a loop.

Every module of the installed package is read (``ast``: module-level and function-local
imports, absolute and relative); each import of another room is an edge between rooms. The
edges must be the ones listed in ``ALLOWED`` (the same graph as docs/architecture.md
"Rooms and the directions between them"), point down or sideways through ``TIERS`` and make
no loop. A new room goes into ``TIERS``; a new direction into ``ALLOWED`` and the docs.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = "ckanext.khtourism"
# top-level folders of the repository installed as packages of ROOT (setup.py)
MAPPED = ("harvesters", "schemas", "theme")

# 0: the base room; 1: the rooms of the records and what they rest on; 2: the rooms on top
# (entry points: CKAN's plugin, actions, pages, API, harvesters, commands).
TIERS: dict[str, int] = {
    "core": 0,
    "schemas": 0,  # data (scheming YAML), no code
    "theme": 0,  # data (templates, assets, translations); core.i18n names its package
    "compat": 0,
    "records": 1,
    "changelog": 1,
    "maps": 1,
    "security": 1,
    "workflow": 1,
    "search": 1,
    "outbound": 1,
    "unavailable": 1,
    "logic": 2,
    "api": 2,
    "dcat": 2,
    "harvesters": 2,
    "portal": 2,
    "views": 2,
    "plugin": 2,
    "helpers": 2,
    "cli": 2,
    "doctor": 2,
    "migration": 2,
    "local": 2,
    "ogc": 2,
    "reporting": 2,  # monthly visitor reports and their open aggregates
    "clients": 1,
}

# room -> the rooms it imports (exactly the graph of the code; docs/architecture.md)
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset({"theme"}),
    "schemas": frozenset(),
    "theme": frozenset(),
    "compat": frozenset(),
    "records": frozenset({"core"}),
    "changelog": frozenset({"core"}),
    "maps": frozenset({"core", "records"}),
    "security": frozenset({"core", "maps"}),
    "workflow": frozenset({"changelog", "compat", "core", "records", "security"}),
    "search": frozenset({"compat", "security", "unavailable"}),
    "outbound": frozenset(),
    "unavailable": frozenset({"core"}),
    "logic": frozenset(
        {
            "changelog",
            "compat",
            "clients",
            "core",
            "dcat",
            "harvesters",
            "outbound",
            "records",
            "reporting",
            "security",
            "workflow",
        }
    ),
    "api": frozenset(
        {
            "changelog",
            "clients",
            "compat",
            "core",
            "records",
            "reporting",
            "security",
            "unavailable",
        }
    ),
    "dcat": frozenset({"compat", "core", "records", "search", "security"}),
    "harvesters": frozenset(
        {"compat", "core", "dcat", "outbound", "records", "search", "security", "workflow"}
    ),
    "portal": frozenset({"api", "core", "dcat", "records", "reporting"}),
    "views": frozenset(
        {"clients", "dcat", "portal", "records", "reporting", "security", "workflow"}
    ),
    "plugin": frozenset(
        {
            "api",
            "changelog",
            "clients",
            "compat",
            "core",
            "dcat",
            "doctor",
            "harvesters",
            "logic",
            "ogc",
            "records",
            "search",
            "theme",
            "unavailable",
            "views",
            "workflow",
        }
    ),
    "helpers": frozenset({"harvesters", "maps", "portal", "records", "workflow"}),
    "cli": frozenset(
        {"api", "clients", "dcat", "doctor", "harvesters", "records", "reporting", "search"}
    ),
    "doctor": frozenset({"compat", "search"}),
    "migration": frozenset({"search"}),
    "local": frozenset({"core"}),
    "ogc": frozenset({"api", "core", "harvesters"}),
    "reporting": frozenset({"core", "dcat", "harvesters", "records", "security"}),
    "clients": frozenset({"changelog", "core", "outbound"}),
}

# Module imports against the directions, each with the change that removes it. The test
# fails once one is gone: then delete its line.
PENDING: dict[tuple[str, str], str] = {}


# --- reading the imports ----------------------------------------------------------------------
def package_modules(root: str = ROOT, mapped: Iterable[str] = MAPPED) -> dict[str, Path]:
    """Every module of the installed package ``root``: dotted name -> file."""
    spec = importlib.util.find_spec(root)
    assert spec is not None and spec.submodule_search_locations, root
    folders = {root: [Path(p) for p in spec.submodule_search_locations]}
    for name in mapped:
        sub = importlib.util.find_spec(f"{root}.{name}")
        if sub is not None and sub.submodule_search_locations:
            folders[f"{root}.{name}"] = [Path(p) for p in sub.submodule_search_locations]
    modules: dict[str, Path] = {}
    for package, paths in folders.items():
        for folder in paths:
            for path in folder.rglob("*.py"):
                relative = path.relative_to(folder).with_suffix("").parts
                if "__pycache__" in relative:
                    continue
                if relative[-1] == "__init__":
                    relative = relative[:-1]
                modules.setdefault(".".join((package, *relative)), path)
    return modules


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The package's modules ``module`` imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                names.append(submodule if submodule in modules else base)
        else:
            continue
        for name in names:
            target = _known(name, modules)
            if target is not None and target != module:
                found.add(target)
    return found


def room_of(module: str, root: str = ROOT) -> str | None:
    """The room of a module: the first name below ``root`` (None: ``root`` itself)."""
    if module == root:
        return None
    return module[len(root) + 1 :].split(".")[0]


def room_edges(
    modules: Mapping[str, Path],
    root: str = ROOT,
    pending: Iterable[tuple[str, str]] = (),
) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(room, room it imports) -> the module imports behind it, minus ``pending``."""
    skipped = set(pending)
    edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for module, path in sorted(modules.items()):
        for target in imports_of(module, path, modules):
            if (module, target) in skipped:
                continue
            here, there = room_of(module, root), room_of(target, root)
            if here is not None and there is not None and here != there:
                edges.setdefault((here, there), set()).add((module, target))
    return edges


def loops(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The loops of a directed graph: its strongly connected parts of two nodes or more
    (or a node importing itself), each sorted (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = sorted({*graph, *(t for targets in graph.values() for t in targets)})

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1 or node in graph.get(node, ()):
                found.append(sorted(part))

    for node in nodes:
        if node not in index:
            visit(node)
    return sorted(found)


def direction_faults(
    edges: Iterable[tuple[str, str]],
    allowed: Mapping[str, Iterable[str]],
    tiers: Mapping[str, int],
) -> list[str]:
    """What is wrong with these room edges: unknown rooms, directions not allowed, upward."""
    faults = []
    for here, there in sorted(edges):
        for room in (here, there):
            if room not in tiers:
                faults.append(f"{room}: a room missing from TIERS")
        if there not in allowed.get(here, ()):
            faults.append(f"{here} -> {there}: not an allowed direction")
        elif here in tiers and there in tiers and tiers[there] > tiers[here]:
            faults.append(
                f"{here} -> {there}: points up (tier {tiers[here]} -> tier {tiers[there]})"
            )
    return faults


# --- the package ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    return package_modules()


@pytest.fixture(scope="module")
def edges(modules: dict[str, Path]) -> dict[tuple[str, str], set[tuple[str, str]]]:
    return room_edges(modules, pending=PENDING)


def test_every_module_is_read(modules: dict[str, Path]) -> None:
    rooms = {room_of(name) for name in modules} - {None}
    assert {"core", "records", "workflow", "harvesters", "api", "changelog"} <= rooms
    assert f"{ROOT}.harvesters.matching" in modules  # a mapped folder is read too
    assert sorted(rooms - set(TIERS)) == [], "new rooms: place them in TIERS and ALLOWED"


def test_imports_follow_the_allowed_directions(
    edges: dict[tuple[str, str], set[tuple[str, str]]],
) -> None:
    faults = [
        f"{fault}: " + ", ".join(f"{a} imports {b}" for a, b in sorted(edges[edge]))
        for edge in sorted(edges)
        for fault in direction_faults([edge], ALLOWED, TIERS)
    ]
    assert faults == []


def test_the_allowed_graph_is_the_graph_of_the_code(
    edges: dict[tuple[str, str], set[tuple[str, str]]],
) -> None:
    unused = sorted(
        f"{here} -> {there}"
        for here, targets in ALLOWED.items()
        for there in targets
        if (here, there) not in edges
    )
    assert unused == [], "no longer imported: remove from ALLOWED and docs/architecture.md"


def test_the_allowed_directions_point_down_without_a_loop() -> None:
    allowed_edges = [(here, there) for here, targets in ALLOWED.items() for there in targets]
    assert direction_faults(allowed_edges, ALLOWED, TIERS) == []
    assert loops(ALLOWED) == []
    # the base room imports no room of code; it may name a data room (core.i18n: theme/i18n)
    assert ALLOWED["core"] <= {"schemas", "theme"}
    assert set(ALLOWED) == set(TIERS)


def test_the_rooms_of_the_code_make_no_loop(
    edges: dict[tuple[str, str], set[tuple[str, str]]],
) -> None:
    graph: dict[str, set[str]] = {}
    for here, there in edges:
        graph.setdefault(here, set()).add(there)
    assert loops(graph) == []


def test_each_pending_exception_still_exists(modules: dict[str, Path]) -> None:
    for (module, target), reason in PENDING.items():
        assert module in modules and target in imports_of(module, modules[module], modules), (
            f"{module} no longer imports {target} ({reason}): remove it from PENDING"
        )


# --- the checks themselves, on made-up graphs -------------------------------------------------
def test_a_loop_between_rooms_is_found() -> None:
    assert loops({"records": {"core"}, "workflow": {"records", "core"}}) == []
    assert loops({"records": {"workflow"}, "workflow": {"records"}}) == [["records", "workflow"]]
    assert loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert loops({"a": {"a"}}) == [["a"]]
    # the real graph with one deliberate step back: a loop, and a direction against the tiers
    broken = {**ALLOWED, "core": frozenset({"records"})}
    assert loops(broken) == [["core", "records"]]
    assert direction_faults([("core", "records")], broken, TIERS) == [
        "core -> records: points up (tier 0 -> tier 1)"
    ]
    assert direction_faults([("records", "workflow")], ALLOWED, TIERS) == [
        "records -> workflow: not an allowed direction"
    ]


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_loop_through_a_function_local_import_is_found(tmp_path: Path) -> None:
    root = tmp_path / "madeup"
    _write(
        root,
        {
            "__init__.py": "",
            "base/__init__.py": "",
            "base/names.py": "X = 1\n",
            "records/__init__.py": "from madeup.base import names\n",
            # the loop hides in a function, through a relative import
            "records/helpers.py": "def f():\n    from ..workflow import model\n    return model\n",
            "workflow/__init__.py": "",
            "workflow/model.py": "from madeup.records import helpers\nfrom . import other\n",
            "workflow/other.py": "import madeup.base.names\n",
        },
    )
    modules = {
        ".".join(("madeup", *p.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): p
        for p in root.rglob("*.py")
    }
    assert imports_of("madeup.records.helpers", modules["madeup.records.helpers"], modules) == {
        "madeup.workflow.model"
    }
    edges = room_edges(modules, root="madeup")
    assert set(edges) == {
        ("records", "base"),
        ("records", "workflow"),
        ("workflow", "records"),
        ("workflow", "base"),
    }
    graph: dict[str, set[str]] = {}
    for here, there in edges:
        graph.setdefault(here, set()).add(there)
    assert loops(graph) == [["records", "workflow"]]
    allowed = {"base": set(), "records": {"base"}, "workflow": {"base", "records"}}
    tiers = {"base": 0, "records": 1, "workflow": 1}
    assert direction_faults(edges, allowed, tiers) == [
        "records -> workflow: not an allowed direction"
    ]
    # the pending exception of that import removes the loop
    pending = [("madeup.records.helpers", "madeup.workflow.model")]
    assert set(room_edges(modules, root="madeup", pending=pending)) == {
        ("records", "base"),
        ("workflow", "records"),
        ("workflow", "base"),
    }
