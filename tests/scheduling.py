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

# Seconds per file as a worker of a 2-worker run on a quiet machine takes them (setup, call
# and teardown summed from ``--durations``: the idle 2-worker run of 20:43 UTC, and
# one-process runs of single directories scaled to it; docs/performance.md, "Test suite —
# the order of the files"). Only the proportions matter. Only files well above
# SECONDS_PER_TEST × their test count need a figure.
FILE_SECONDS: dict[str, float] = {
    # real processes: the local stack started and stopped three times, consumers killed;
    # since 2026-12-05 the kill drill starts on the first drill's data root (its fresh
    # root's set-up, ~6 CKAN processes, gone) and each start runs one migration process
    # (docs/performance.md "Test suite — the third round": CPU 148 s -> 114 s)
    "tests/test_local_stack.py": 75,
    # every read action x 19 parameter sets x 4 roles, and every page x 2 roles (~75 s on
    # the lead's last idle run; its signed-in pages about half as costly since the header's
    # badge count, docs/performance.md "Test suite — the header's badge")
    "tests/records/test_privacy_registry.py": 58,
    "tests/harvesters/test_gather_consumers.py": 30,
    # canonical schemas remembered since 2026-12-05 (~25 % less CPU)
    "tests/api/test_schemathesis.py": 24,
    "tests/browser/test_portal_in_chromium.py": 30,
    "tests/harvesters/test_dead_consumer.py": 25,
    "tests/workflow/test_authorization_matrix.py": 17,
    "tests/workflow/test_published_record_changes.py": 10,
    # tests/harvesters, measured at load ~5 (x 0.7)
    "tests/harvesters/test_harvest_authorization.py": 40,
    "tests/harvesters/test_identity.py": 31,
    "tests/harvesters/test_third_party_catalogues.py": 27,
    "tests/harvesters/test_catalogue_harvest.py": 17,
    "tests/harvesters/test_outbound.py": 16,
    "tests/harvesters/test_fault_containment.py": 14.5,
    "tests/harvesters/test_spreadsheet_harvest.py": 14.5,
    "tests/harvesters/test_batch_import.py": 10,
    "tests/harvesters/test_jobs.py": 8.5,
    "tests/harvesters/test_gis_harvest.py": 7,
    "tests/dcat/test_harvest_roundtrip.py": 14,
    "tests/records/test_privacy.py": 12.5,
    "tests/api/test_endpoints.py": 10.5,
    "tests/records/test_demo.py": 9,
    "tests/records/test_pages.py": 8,
    "tests/api/test_merged_records.py": 4,
}

# What a file that is not listed is counted per test.
SECONDS_PER_TEST = 0.5


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
