"""What a record's creation costs, with its dataset indexed once by its commit (as the
portal runs) and twice (as CKAN alone does: new, then changed through its new extras).

    make test ARGS="bench/create_bench.py -n 0 -s -q -p no:randomly"

Runs on the test stack (PostgreSQL, Redis, CKAN), on the database the last test run left
(new organizations and people of its own, nothing reset). Creates ``KHTOURISM_BENCH_CREATES``
records (default 200) of the eight types through ``package_create`` as their writers,
alternating which way goes first; "twice" turns the once-per-commit rule of
``search/deferred.py`` off for the measurement only. Prints p50/mean per creation and the
index writes per creation of each way.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import pytest

import ckan.model as model
from ckan.lib.search.index import PackageSearchIndex
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.khtourism.core import record_types
from ckanext.khtourism.search import deferred

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.record_fixtures import CURATOR_ORG, valid  # noqa: E402

CREATES = int(os.environ.get("KHTOURISM_BENCH_CREATES", "200"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


@pytest.mark.usefixtures("with_plugins")
def test_create_cost_once_and_twice_indexed(monkeypatch):
    curator, member = factories.User(), factories.User()
    curator_org = model.Group.get(CURATOR_ORG)
    if curator_org is None:
        curator_org_id = factories.Organization(name=CURATOR_ORG)["id"]
    else:
        curator_org_id = curator_org.id
    call_action(
        "organization_member_create", id=curator_org_id, username=curator["name"], role="editor"
    )
    business_id = factories.Organization(users=[{"name": member["name"], "capacity": "editor"}])[
        "id"
    ]
    writes = {"n": 0}
    index_package = PackageSearchIndex.index_package

    def counted(self, pkg_dict, defer_commit=False):  # type: ignore[no-untyped-def]
        writes["n"] += 1
        return index_package(self, pkg_dict, defer_commit)

    monkeypatch.setattr(PackageSearchIndex, "index_package", counted)  # counting only
    once_rule = deferred._indexed_in_this_commit
    timings: dict[str, list[float]] = {"once": [], "twice": []}
    index_writes = {"once": 0, "twice": 0}
    types = record_types.RECORD_TYPES
    for number in range(CREATES):
        record_type = types[number % len(types)]
        declared = record_types.get(record_type)
        user, owner_org = (
            (curator, curator_org_id) if declared.curator_only else (member, business_id)
        )
        order = ["once", "twice"] if number % 2 == 0 else ["twice", "once"]
        for way in order:
            monkeypatch.setattr(
                deferred,
                "_indexed_in_this_commit",
                once_rule if way == "once" else (lambda _entity: False),
            )
            before = writes["n"]
            started = time.perf_counter()
            call_action(
                "package_create",
                context={"user": user["name"], "ignore_auth": False},
                **valid(
                    record_type, owner_org=owner_org, name=f"bench-{way}-{number}-{user['id'][:8]}"
                ),
            )
            timings[way].append((time.perf_counter() - started) * 1000)
            index_writes[way] += writes["n"] - before
    print(f"\ncreations: {CREATES} each way, the eight types in turn")
    for way, values in timings.items():
        print(
            f"indexed {way:5s}: p50 {percentile(values, 0.5):6.1f} ms  p95 "
            f"{percentile(values, 0.95):6.1f} ms  mean {statistics.fmean(values):6.1f} ms  "
            f"index writes per creation {index_writes[way] / CREATES:.2f}"
        )
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    assert index_writes["once"] == CREATES
    assert index_writes["twice"] == 2 * CREATES
