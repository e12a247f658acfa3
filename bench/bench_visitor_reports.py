"""Monthly visitor reports: a 5,000-row upload, and the public statistics endpoint.

    make test ARGS="bench/bench_visitor_reports.py -n 0 -s -q -p no:randomly"
    (BENCH_ESTABLISHMENTS / BENCH_MONTHS / BENCH_STATS_ESTABLISHMENTS for other sizes)

Upload: BENCH_ESTABLISHMENTS (500) accommodation records (one created through
``package_create``, the others cloned in SQL with their own identifiers) × BENCH_MONTHS
(10) months in one CSV file, through ``khtourism_visitor_report_upload`` (read, check
every row, write them all in one transaction); timed, then the same file again (every
row an edit). Issue 18's target: ≤ 30 s for 5,000 rows.

Public endpoint: 36 months × BENCH_STATS_ESTABLISHMENTS (2,000) accepted reports
and 36 months × BENCH_STATS_TRAVEL (300) accepted travel-business reports (inserted in
SQL; the travel totals are part of every answer, JSON and CSV), then ``/api/tourism/v1/statistics/visitors`` requested through CKAN's
WSGI app for a six-month and a twelve-month window at each ``group_by``; p50/p95/max, and
the same requests with the aggregates' cache emptied before each (the first request after
a report changed).
Issue 18's target: p95 ≤ 100 ms. The figures go to docs/performance.md.
"""

from __future__ import annotations

import base64
import json
import os
import random
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.record_fixtures import valid  # noqa: E402

ESTABLISHMENTS = int(os.environ.get("BENCH_ESTABLISHMENTS", "500"))
MONTHS = int(os.environ.get("BENCH_MONTHS", "10"))
STATS_ESTABLISHMENTS = int(os.environ.get("BENCH_STATS_ESTABLISHMENTS", "2000"))
STATS_TRAVEL = int(os.environ.get("BENCH_STATS_TRAVEL", "300"))
COMMUNES = ["22333", "22366", "22390", "22402", "22411", "22420"]
TYPES = ["khach_san", "homestay", "nha_nghi_du_lich", "can_ho_du_lich"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _clone_establishments(seed_id: str, count: int) -> list[str]:
    """``count`` copies of the record ``seed_id`` (package row and extras), each with its
    own name and establishment identifier."""
    identifiers = []
    for n in range(count):
        new_id = f"bench-{n:06d}"
        identifier = f"KH-LT-9{n:05d}"
        model.Session.execute(
            sa.text(
                """
                INSERT INTO package (id, name, title, type, owner_org, state, private,
                                     metadata_created, metadata_modified, license_id)
                SELECT :new_id, :new_id, title, type, owner_org, state, private,
                       metadata_created, metadata_modified, license_id
                FROM package WHERE id = :seed
                """
            ),
            {"new_id": new_id, "seed": seed_id},
        )
        model.Session.execute(
            sa.text(
                """
                INSERT INTO package_extra (id, package_id, key, value, state)
                SELECT md5(random()::text || key), :new_id, key,
                       CASE key WHEN 'establishment_id' THEN :identifier
                                WHEN 'admin_unit' THEN :commune ELSE value END, state
                FROM package_extra WHERE package_id = :seed
                """
            ),
            {
                "new_id": new_id,
                "seed": seed_id,
                "identifier": identifier,
                "commune": COMMUNES[n % len(COMMUNES)],
            },
        )
        identifiers.append(identifier)
    model.Session.commit()
    return identifiers


def _csv(identifiers: list[str], months: int) -> bytes:
    rng = random.Random(18)
    lines = [
        "establishment_id,period,overnight_international,overnight_domestic,"
        "sameday_domestic,guest_nights_international,guest_nights_domestic,room_nights_sold,"
        "revenue_domestic,nationality_KR,nationality_CN"
    ]
    for identifier in identifiers:
        for month in range(1, months + 1):
            intl, dom = rng.randint(10, 300), rng.randint(50, 900)
            lines.append(
                f"{identifier},2025-{month:02d},{intl},{dom},{rng.randint(0, 50)},"
                f"{intl * 2},{dom * 2},{rng.randint(100, 3000)},{rng.randint(10**7, 10**9)},"
                f"{intl // 2},{intl // 4}"
            )
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_upload_5000_rows():
    org = factories.Organization()
    user = factories.Sysadmin()
    seed = helpers.call_action(
        "package_create",
        context={"user": user["name"]},
        **valid("accommodation", owner_org=org["id"], name="bench-seed", rooms="120"),
    )
    identifiers = _clone_establishments(seed["id"], ESTABLISHMENTS)
    content = _csv(identifiers, MONTHS)
    rows = ESTABLISHMENTS * MONTHS
    timings = {}
    for label in ("first upload (all new)", "same file again (all edits)"):
        started = time.perf_counter()
        result = helpers.call_action(
            "khtourism_visitor_report_upload",
            context={"user": user["name"]},
            content=base64.b64encode(content).decode(),
            name="bench.csv",
        )
        timings[label] = round(time.perf_counter() - started, 2)
        assert result["rows"] == rows, result
    stored = model.Session.execute(
        sa.text("SELECT count(*) FROM khtourism_visitor_report")
    ).scalar()
    assert stored == rows
    print(
        "\nBENCH upload",
        json.dumps(
            {
                "rows": rows,
                "bytes": len(content),
                "seconds": timings,
                "load_average": [round(v, 2) for v in os.getloadavg()],
            }
        ),
    )


def _insert_accepted_reports(establishments: int, months: list[str]) -> None:
    model.Session.execute(
        sa.text(
            """
            INSERT INTO khtourism_visitor_report (
                id, establishment_id, period, kind, package_id, owner_org, admin_unit,
                accommodation_type, state, overnight_international, overnight_domestic,
                sameday_international, sameday_domestic, guest_nights_international,
                guest_nights_domestic, room_nights_sold, rooms_available,
                revenue_international, revenue_domestic, demo, created, modified)
            SELECT md5(e::text || '-' || m), 'KH-LT-' || lpad(e::text, 6, '0'), m,
                   'accommodation', 'pkg-' || e, 'org', (:communes)[1 + e % 6],
                   (:types)[1 + e % 4], 'accepted', 10 + e % 90, 100 + e % 400, e % 7,
                   e % 30, 20 + e % 180, 150 + e % 600, 300 + e % 900, 40 + e % 60,
                   1000000, 2000000, false, now(), now()
            FROM generate_series(1, :establishments) e, unnest(CAST(:months AS text[])) m
            """
        ),
        {
            "establishments": establishments,
            "months": months,
            "communes": COMMUNES,
            "types": TYPES,
        },
    )
    model.Session.execute(sa.text("ANALYZE khtourism_visitor_report"))
    model.Session.commit()


def _insert_accepted_travel_reports(businesses: int, months: list[str]) -> None:
    model.Session.execute(
        sa.text(
            """
            INSERT INTO khtourism_visitor_report (
                id, establishment_id, period, kind, package_id, owner_org, admin_unit,
                state, tours_inbound, tours_outbound, tours_domestic, guests_inbound,
                guests_outbound, guests_domestic, demo, created, modified)
            SELECT md5('travel-' || e::text || '-' || m), 'KH-LH-' || lpad(e::text, 6, '0'),
                   m, 'travel', 'pkg-lh-' || e, 'org', (:communes)[1 + e % 6], 'accepted',
                   e % 40, e % 9, e % 25, 10 * (e % 40), 8 * (e % 9), 12 * (e % 25),
                   false, now(), now()
            FROM generate_series(1, :businesses) e, unnest(CAST(:months AS text[])) m
            """
        ),
        {"businesses": businesses, "months": months, "communes": COMMUNES},
    )
    model.Session.execute(sa.text("ANALYZE khtourism_visitor_report"))
    model.Session.commit()


# the limiter stays on (its Redis round trip is part of the cost), with limits no run reaches
@pytest.mark.ckan_config(
    "ckanext.khtourism.api.rate_limit.anonymous", "10000000/minute;100000000/hour"
)
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_public_statistics_p95(app):
    months = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)]
    _insert_accepted_reports(STATS_ESTABLISHMENTS, months)
    _insert_accepted_travel_reports(STATS_TRAVEL, months)
    queries = [
        "from=2025-01&to=2025-06&group_by=month,admin_unit,accommodation_type",
        "from=2025-01&to=2025-06&group_by=month,admin_unit",
        "from=2024-01&to=2024-12&group_by=month",
        "from=2024-01&to=2024-12&group_by=month,accommodation_type&admin_unit=22366",
        "from=2025-01&to=2025-06&group_by=month,admin_unit&format=csv",
    ]
    timings: dict[str, list[float]] = {}
    for query in queries:
        url = f"/api/tourism/v1/statistics/visitors?{query}"
        app.get(url, status=200)  # warm-up
        timings[query] = []
        for _ in range(20):
            started = time.perf_counter()
            app.get(url, status=200)
            timings[query].append(time.perf_counter() - started)
    every = [t for values in timings.values() for t in values]
    # the first request after a report changed: the cache of the GROUP BY is empty
    from ckanext.khtourism.reporting import aggregates as cold_aggregates

    cold = []
    for query in queries:
        for _ in range(4):
            cold_aggregates._CACHE.clear()
            started = time.perf_counter()
            app.get(f"/api/tourism/v1/statistics/visitors?{query}", status=200)
            cold.append(time.perf_counter() - started)
    # where the time goes: the one GROUP BY, and the suppression of a year's tables
    from ckanext.khtourism.reporting import aggregates

    sql, whole = [], []
    for _ in range(20):
        started = time.perf_counter()
        aggregates._rows("2024-01", "2024-12")
        sql.append(time.perf_counter() - started)
        started = time.perf_counter()
        aggregates.visitors("2024-01", "2024-12", group_by=("month",))
        whole.append(time.perf_counter() - started)
    summary = {
        "reports": STATS_ESTABLISHMENTS * len(months),
        "travel_reports": STATS_TRAVEL * len(months),
        "requests": len(every),
        "p50_ms": round(_percentile(every, 0.5) * 1000, 1),
        "p95_ms": round(_percentile(every, 0.95) * 1000, 1),
        "max_ms": round(max(every) * 1000, 1),
        "per_query_p95_ms": {q: round(_percentile(v, 0.95) * 1000, 1) for q, v in timings.items()},
        "uncached_requests": len(cold),
        "uncached_p50_ms": round(_percentile(cold, 0.5) * 1000, 1),
        "uncached_p95_ms": round(_percentile(cold, 0.95) * 1000, 1),
        "twelve_months_sql_p50_ms": round(_percentile(sql, 0.5) * 1000, 1),
        "twelve_months_aggregates_p50_ms": round(_percentile(whole, 0.5) * 1000, 1),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    print("\nBENCH statistics", json.dumps(summary))
    # the answers carry the travel businesses' province totals (JSON and CSV)
    answer = app.get("/api/tourism/v1/statistics/visitors?from=2025-01&to=2025-06").json
    assert [t["businesses"] for t in answer["travel"]] == [STATS_TRAVEL] * 6
    csv_answer = app.get(f"/api/tourism/v1/statistics/visitors?{queries[-1]}").body
    assert csv_answer.count("\r\ntravel,") == 6
