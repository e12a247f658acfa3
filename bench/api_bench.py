"""Tourism API benchmark: 100,000 records, gunicorn with 2 workers, 16 clients.

Starts embedded PostgreSQL and Redis under ``var/bench-api/`` (never the portal's
or the tests' data), writes ``var/bench-api/ckan.ini``, prepares the database,
generates the records once (``bench/api_generate.py``), serves the portal with
gunicorn (2 workers, 127.0.0.1 only), runs the load generator
(``bench/api_load.py``) as a separate process for each scenario, prints one
JSON line per scenario, then stops everything it started.

    .venv/bin/python bench/api_bench.py --count 100000 --clients 16 --requests 100

Gunicorn runs as ``deployment/gunicorn.conf.py`` deploys the portal: its gthread
worker with ``--threads 4`` (``--threads 1``: sync workers), each worker answering
up to that many requests at a time (CKAN's scoped SQLAlchemy session is per thread; the
search engine serialises its luqum parses with ``search.parse._PARSER_LOCK``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ckanext.khtourism.local import config_file, services, stack

ROOT = Path(__file__).resolve().parent.parent
BASE = "/api/tourism/v1"
# one point (Nha Trang): what the result cache answers after the first request
RADIUS_ONE_POINT = [f"{BASE}/accommodations?lat=12.2388&lon=109.1967&radius=5000&limit=20"]
# a different point for (nearly) every request: what the result cache cannot answer
RADIUS_AT_2000_POINTS = [
    f"{BASE}/accommodations?lat={12.0 + (i * 7919 % 2000) * 0.00025:.5f}"
    f"&lon={109.10 + (i * 104729 % 2000) * 0.0001:.5f}&radius=5000&limit=20"
    for i in range(2000)
]
# a new map box on (nearly) every request, as a map client pans
BOX_AT_2000_PLACES = [
    f"{BASE}/accommodations?bbox={109.08 + (i * 104729 % 2000) * 0.0001:.5f},"
    f"{11.98 + (i * 7919 % 2000) * 0.00025:.5f},"
    f"{109.12 + (i * 104729 % 2000) * 0.0001:.5f},"
    f"{12.02 + (i * 7919 % 2000) * 0.00025:.5f}&limit=20"
    for i in range(2000)
]
FILTERED = [
    f"{BASE}/accommodations?star_rating=4,5&operating_status=operating&admin_unit={unit}"
    f"&sort=title&limit=20"
    for unit in ("22333", "22366", "22390", "22402")
]
SCENARIOS = {
    "radius 5 km (Nha Trang), sorted by distance, 20 per page": RADIUS_ONE_POINT,
    "radius 5 km at 2,000 different points (Nha Trang - Cam Ranh), 20 per page": (
        RADIUS_AT_2000_POINTS
    ),
    "box of about 4 x 4 km at 2,000 different places (Nha Trang - Cam Ranh), 20 per page": (
        BOX_AT_2000_PLACES
    ),
    "filtered list (star_rating=4,5 + admin_unit + operating), sorted by title, 20 per page": (
        FILTERED
    ),
}


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"server did not answer {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=100, help="per client and scenario")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="gunicorn threads per worker (gthread if > 1; 4 as deployment/gunicorn.conf.py"
        " runs the portal; 1: sync workers)",
    )
    parser.add_argument(
        "--var", default="bench-api", help="data folder under var/ (one per data set)"
    )
    parser.add_argument(
        "--setup-only", action="store_true", help="prepare the data, measure nothing"
    )
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    parser.add_argument(
        "--search-cache-ttl",
        type=int,
        default=None,
        help="the search engine's result cache TTL (0 = off; default: the portal's setting)",
    )
    parser.add_argument(
        "--hits-in-memory",
        choices=["on", "off"],
        default=None,
        help="ckanext.khtourism.search.hits_in_memory (default: the portal's setting, on)",
    )
    args = parser.parse_args()

    var_dir = ROOT / "var" / args.var
    running = services.start(var_dir, database="ckan_bench", redis_db=2)
    server = None
    try:
        config = config_file.write_config(
            var_dir / "ckan.ini",
            var_dir=var_dir,
            sqlalchemy_url=running.sqlalchemy_url,
            redis_url=running.redis_url,
            port=args.port,
            log_level="WARNING",
            # the limiter stays on (its Redis round trip is part of the cost), with two
            # windows as in the default configuration and limits no client reaches
            extra={
                "ckanext.khtourism.api.rate_limit.anonymous": "10000000/minute;100000000/hour",
                # the generator's one full rebuild uses both cores
                "ckanext.khtourism.search.rebuild_workers": "2",
                **(
                    {"ckanext.khtourism.search.cache_ttl": str(args.search_cache_ttl)}
                    if args.search_cache_ttl is not None
                    else {}
                ),
                **(
                    {"ckanext.khtourism.search.hits_in_memory": str(args.hits_in_memory == "on")}
                    if args.hits_in_memory is not None
                    else {}
                ),
            },
        )
        env = dict(os.environ, CKAN_INI=str(config))
        stack.prepare_database(config)
        marker = var_dir / f"generated-{args.count}"
        if not marker.exists():
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "api_generate.py"),
                    "--count",
                    str(args.count),
                ],
                check=True,
                env=env,
            )
            marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))
        if args.setup_only:
            return
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--bind",
                f"127.0.0.1:{args.port}",
                "--chdir",
                str(ROOT),
                "--log-level",
                "warning",
                "bench.api_wsgi:application",
            ],
            env=env,
            start_new_session=True,
        )
        wait_for(f"http://127.0.0.1:{args.port}{BASE}/openapi.json")
        for name, paths in SCENARIOS.items():
            if args.only and args.only not in name:
                continue
            output = subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "api_load.py"),
                    "--port",
                    str(args.port),
                    "--clients",
                    str(args.clients),
                    "--requests",
                    str(args.requests),
                    *paths,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result = json.loads(output)
            result["scenario"] = name
            result["server"] = f"gunicorn {args.workers} workers x {args.threads} threads"
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        running.stop()


if __name__ == "__main__":
    main()
