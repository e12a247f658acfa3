"""The order in which the test files are handed to the pytest-xdist workers.

``make test`` runs the suite with ``--dist loadfile --no-loadscope-reorder``
(``pyproject.toml``): a file runs whole on one worker (its module fixtures — a
browser, a fixture server, a snapshot of sample data — are built once), and the files
are handed out in collection order, each to the first worker that is free.

:func:`heaviest_files_first` makes that order "longest first": the files sorted by the
time they take (:data:`FILE_SECONDS`, measured; a file that is not listed counts
:data:`SECONDS_PER_TEST` per test), the tests of a file kept in their order. Handing
out the longest jobs first to whichever worker is free (LPT scheduling) leaves only
short files for the end, so the workers finish within seconds of each other instead
of one worker running a long drill alone at the end (collection order put the local
stack drills and the published-record role matrix last).

Only the order of the files changes, and only in worker processes (every worker must
collect the same order; ``-n 0`` keeps pytest's own). When a file becomes much slower
or faster, update its figure; a stale figure costs balance, never correctness.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Seconds per file (setup, call and teardown summed from ``--durations=0
# --durations-min=0``, teardown counted at most 0.05 s a test): the whole suite in one
# process on a quiet machine, 2026-12-05 09:42-09:54 UTC, 1,429 tests (load 1.5-3;
# docs/performance.md, "Test suite — the sixth round"); a 2-worker run on a loaded machine
# stretches them unevenly, so only the proportions of a quiet run are used. A file is
# listed when it takes over 3 s and twice SECONDS_PER_TEST x its tests.
FILE_SECONDS: dict[str, float] = {
    # real processes: the local stack started twice (the second start goes on to the kill
    # drill), consumers and the web server killed
    "tests/test_local_stack.py": 40.5,
    # every read action x 19 parameter sets x 4 roles, and every page x 2 roles
    "tests/records/test_privacy_registry.py": 38.0,
    # three catalogue formats x one harvest; 4 runs of 8 sources and 4 of 1 in Turtle, 2 each
    # in RDF/XML and JSON-LD
    "tests/dcat/test_harvest_roundtrip.py": 36.0,
    # browser walks: every search and record page of the eight types, both languages
    # (scaled by the seventh and eighth rounds' 2-worker runs: the eighth round's browser
    # cache, harvest-source query, one fetch consumer in the drills)
    "tests/browser/test_readable_values_in_chromium.py": 25.5,
    "tests/harvesters/test_harvest_authorization.py": 18.0,
    "tests/dcat/test_endpoints.py": 20.0,
    "tests/browser/test_portal_in_chromium.py": 16.0,
    "tests/browser/test_new_pages_in_chromium.py": 14.5,
    "tests/harvesters/test_identity.py": 18.5,
    "tests/browser/test_portal_pages_in_chromium.py": 15.5,
    "tests/records/test_quality_outputs.py": 14.5,
    "tests/harvesters/test_dead_consumer.py": 10.5,  # the second consumer starts at once
    "tests/harvesters/test_third_party_catalogues.py": 11.5,
    "tests/search/test_rebuild_batched.py": 11.0,
    "tests/browser/test_visitor_reports_in_chromium.py": 9.0,
    "tests/clients/test_webhooks.py": 10.0,
    "tests/api/test_schemathesis.py": 10.0,
    "tests/reporting/test_demo_figures.py": 11.0,  # the demo load, once for both files
    "tests/workflow/test_duplicates.py": 8.5,
    "tests/records/test_demo.py": 8.0,
    "tests/workflow/test_published_record_changes.py": 8.0,
    "tests/test_doctor.py": 8.0,
    "tests/harvesters/test_fault_containment.py": 7.5,
    "tests/harvesters/test_spreadsheet_harvest.py": 7.0,
    "tests/harvesters/test_jobs.py": 6.5,
    "tests/search/test_read_replicas.py": 6.5,
    "tests/harvesters/test_catalogue_harvest.py": 6.5,
    "tests/search/test_redis_outage.py": 6.5,
    "tests/workflow/test_authorization_matrix.py": 6.5,
    "tests/search/test_facet_bitmaps.py": 5.5,
    "tests/ogc/test_clients.py": 5.5,
    "tests/security/test_rate_limits.py": 5.0,
    "tests/clients/test_registry.py": 5.0,
    "tests/maps/test_map_settings_and_pages.py": 4.5,
    "tests/search/test_memory_plan.py": 4.5,
    "tests/reporting/test_aggregates.py": 4.5,
    "tests/api/test_events.py": 4.0,
    "tests/records/test_communes.py": 4.0,
    "tests/search/test_cli.py": 3.5,
    "tests/harvesters/test_run_test.py": 3.5,
    "tests/clients/test_dumps.py": 3.5,
    "tests/records/test_pages.py": 3.0,
    "tests/records/test_privacy.py": 3.0,
    "tests/search/test_engine_basics.py": 3.0,
    "tests/dcat/test_registry.py": 3.0,
    "tests/harvesters/test_gather_consumers.py": 3.0,
}

# What a file that is not listed is counted per test.
SECONDS_PER_TEST = 0.14


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def file_weights(nodeids: Sequence[str]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        path = file_of(nodeid)
        counts[path] = counts.get(path, 0) + 1
    return {
        path: FILE_SECONDS.get(path, count * SECONDS_PER_TEST) for path, count in counts.items()
    }


def heaviest_files_first(items: list[Any]) -> None:
    """Sort ``items`` (pytest items, in place): files by descending weight, ties and the
    tests of one file in their collection order."""
    weights = file_weights([item.nodeid for item in items])
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(file_of(item.nodeid), index)
    items.sort(key=lambda item: (-weights[file_of(item.nodeid)], first_seen[file_of(item.nodeid)]))


# Fixtures after which the plugins named by ``ckan.plugins`` are loaded (tests/fast_ckan.py)
PLUGIN_FIXTURES = ("with_plugins", "app", "make_app")


def settings_of(item: Any) -> tuple[bool, str]:
    """Whether the test loads the plugins, and its ``ckan_config`` marks."""
    uses_plugins = any(name in item.fixturenames for name in PLUGIN_FIXTURES)
    marks = sorted(
        repr((mark.args, sorted(mark.kwargs.items()))) for mark in item.iter_markers("ckan_config")
    )
    return uses_plugins, repr(marks)


def _parametrizes_a_wider_fixture(item: Any) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return False
    definitions = item._fixtureinfo.name2fixturedefs
    return any(
        definitions.get(name) and definitions[name][-1].scope != "function"
        for name in callspec.params
    )


def same_settings_together(items: list[Any]) -> None:
    """Within each module and class, the tests with the same settings next to each other
    (``items`` sorted in place; the files keep their order).

    The plugins are loaded, and an application built, again whenever a test's
    configuration differs from the previous test's (``tests/fast_ckan.py``: ~1.5 s each):
    a file whose tests alternate between ``ckan_config`` marks, or between tests with and
    without the plugins, paid it at every change. Sorted: the tests without plugins first,
    then those with CKAN's settings as configured, then each set of marks together, in
    their collection order within each. A file with a parametrized module- or class-scoped
    fixture keeps pytest's order (which builds each of its values once)."""
    first_of_file: dict[str, int] = {}
    first_of_parent: dict[str, int] = {}
    keep_order: set[str] = set()
    for index, item in enumerate(items):
        path = file_of(item.nodeid)
        first_of_file.setdefault(path, index)
        first_of_parent.setdefault(item.parent.nodeid, index)
        if _parametrizes_a_wider_fixture(item):
            keep_order.add(path)
    position = {id(item): index for index, item in enumerate(items)}

    def key(item: Any) -> tuple[Any, ...]:
        path = file_of(item.nodeid)
        index = position[id(item)]
        if path in keep_order:
            return (first_of_file[path], 0, False, False, "", index)
        uses_plugins, marks = settings_of(item)
        return (
            first_of_file[path],
            first_of_parent[item.parent.nodeid],
            uses_plugins,
            marks != "[]",
            marks,
            index,
        )

    items.sort(key=key)
