"""Server time of the portal's public pages with N published records.

    .venv/bin/python bench/portal_pages.py --records 10000 [--requests 20]

Uses the DCAT benchmark's stack and data (``bench/dcat_catalog.py``: its own embedded
PostgreSQL and Redis under ``var/bench-dcat/``, one record per type published through
the workflow, cloned in SQL to ``--records``), then requests the home page ``/``, a
record type's search page ``/accommodation/`` and a record page in-process through
CKAN's WSGI app, ``--requests`` times each after one warm-up, and prints p50/p95/max
server time per page (issue 16's target: p95 ≤ 300 ms at 10,000 records).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dcat_catalog import ROOT, percentile, seeded_app, start_stack  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    running, config = start_stack(ROOT / "var" / "bench-dcat")
    try:
        app, seeds, count = seeded_app(config, args.records)
        # the whole WSGI stack (CKAN's locale middleware included), not the bare Flask app
        from werkzeug.test import Client

        client = Client(app)
        pages = {
            "home": "/",
            "search": "/accommodation/",
            "record": f"/accommodation/{seeds['accommodation']['name']}",
        }
        summary: dict = {
            "records": count,
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        }
        for label, path in pages.items():
            assert client.get(path).status_code == 200, path  # warm-up
            timings = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, path
            summary[label] = {
                "path": path,
                "p50_ms": round(percentile(timings, 0.5) * 1000),
                "p95_ms": round(percentile(timings, 0.95) * 1000),
                "max_ms": round(max(timings) * 1000),
            }
        summary["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
        print(json.dumps(summary, indent=2))
    finally:
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
