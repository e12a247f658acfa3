"""Cost of the per-record metadata quality (records/quality.py) in pure Python.

    .venv/bin/python bench/quality_bench.py [--records 2000]

Scores ``--records`` synthetic accommodation records (random points in the province,
half with a commune that is not the nearest centre, a few fixes each) and reports the
microseconds per record of ``assess`` alone and of ``assess(...).as_dict("en")`` (what
one API item adds, its fixes translated), median and slowest of five rounds. No database: the
score reads only the record dict.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from ckanext.khtourism.records import communes, quality


def records(n: int) -> list[dict]:
    rng = random.Random(20261204)
    codes = sorted(communes.centres())
    out = []
    for i in range(n):
        lon, lat = rng.uniform(108.9, 109.3), rng.uniform(11.9, 12.6)
        out.append(
            {
                "type": "accommodation",
                "name": f"bench-{i}",
                "title_en": "Hotel" if i % 2 else "",
                "spatial": json.dumps({"type": "Point", "coordinates": [lon, lat]}),
                "admin_unit": rng.choice(codes),
                "email": "info@example.vn" if i % 3 else "bad",
                "website": "https://example.vn",
                "last_verified": "2026-01-15" if i % 4 else "2024-01-01",
                "license_id": "cc-by-4.0",
                "resources": [{"format": "JPEG", "url": "https://x.vn/a.jpg"}] if i % 5 else [],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    data = records(args.records)
    for label, work in (
        ("assess", lambda r: quality.assess(r)),
        ("assess+as_dict(en)", lambda r: quality.assess(r).as_dict("en")),  # type: ignore[union-attr]
    ):
        rounds = []
        for _ in range(5):
            start = time.perf_counter()
            for record in data:
                work(record)
            rounds.append((time.perf_counter() - start) / len(data) * 1e6)
        rounds.sort()
        print(
            f"{label}: p50 {statistics.median(rounds):.0f} µs/record, max {rounds[-1]:.0f} µs/record"
        )


if __name__ == "__main__":
    main()
