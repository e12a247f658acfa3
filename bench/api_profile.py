"""In-process profile of the tourism API's benchmark requests (no HTTP server).

Uses the data set of ``bench/api_bench.py`` (``--var``; prepare it first with
``api_bench.py --count 3000 --setup-only --var bench-api-3k``), starts its
embedded PostgreSQL and Redis, builds the CKAN app in this process and sends
each scenario's requests through the WSGI app (werkzeug's test client): the time
is what the portal adds per request, without gunicorn and the network. For
each scenario it prints ms per request (median and mean of ``--requests``
after ``--warmup``), the Python process's CPU ms per request (PostgreSQL's
and Redis's work excluded; less sensitive to the machine's load than the
wall clock), SQL statements and Redis round trips per request, and with
``--profile`` the top functions of a cProfile run by cumulative time.

    .venv/bin/python bench/api_profile.py --var bench-api-3k --requests 200 [--profile 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
from pathlib import Path

from api_bench import BOX_AT_2000_PLACES, FILTERED, RADIUS_AT_2000_POINTS, RADIUS_ONE_POINT
from ckanext.khtourism.local import config_file, services, stack

ROOT = Path(__file__).resolve().parent.parent
BASE = "/api/tourism/v1"
SCENARIOS = {
    "radius": RADIUS_ONE_POINT,
    "filtered": FILTERED,
    # a new point on every request (what the search result cache cannot answer)
    "radius-varied": RADIUS_AT_2000_POINTS,
    # a new map box on every request
    "box-varied": BOX_AT_2000_PLACES,
    "item": [],  # filled with four accommodations of the data set
    # the API's smallest answer: what every request costs before its own work
    "index": [f"{BASE}/"],
}


class Counter:
    """Counts SQL statements (SQLAlchemy engine event) and Redis commands."""

    def __init__(self) -> None:
        self.sql = 0
        self.redis = 0
        self.statements: list[str] | None = None

    def install(self) -> None:
        import redis.client
        import sqlalchemy as sa

        import ckan.model as model

        def on_sql(_conn, _cursor, statement, *_args: object) -> None:
            self.sql += 1
            if self.statements is not None:
                self.statements.append(" ".join(statement.split())[:400])

        sa.event.listen(model.meta.engine, "before_cursor_execute", on_sql)
        counter = self
        original = redis.client.Redis.execute_command
        original_pipeline = redis.client.Pipeline.execute

        def execute_command(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            counter.redis += 1
            return original(self, *args, **kwargs)

        def pipeline_execute(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            counter.redis += 1  # one round trip for the whole pipeline
            return original_pipeline(self, *args, **kwargs)

        redis.client.Redis.execute_command = execute_command  # type: ignore[method-assign]
        redis.client.Pipeline.execute = pipeline_execute  # type: ignore[method-assign]
        # a pipeline's buffered commands go through Pipeline's own execute_command: not counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", default="bench-api-3k")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--only", help="scenario name (radius, filtered, item)")
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument("--sql", action="store_true", help="print one request's SQL statements")
    parser.add_argument(
        "--limits",
        default="10000000/minute;100000000/hour",
        help="anonymous rate limit (two windows, as the default configuration has)",
    )
    parser.add_argument("--dump", help="write the cProfile data of the last scenario here")
    parser.add_argument(
        "--search-cache-ttl", type=int, help="the search result cache TTL (0 = off)"
    )
    args = parser.parse_args()

    var_dir = ROOT / "var" / args.var
    if not any(var_dir.glob("generated-*")):
        raise SystemExit(f"no data in {var_dir}: run bench/api_bench.py --setup-only first")
    running = services.start(var_dir, database="ckan_bench", redis_db=2)
    try:
        config = config_file.write_config(
            var_dir / "ckan-profile.ini",
            var_dir=var_dir,
            sqlalchemy_url=running.sqlalchemy_url,
            redis_url=running.redis_url,
            port=5055,
            log_level="WARNING",
            extra={
                "ckanext.khtourism.api.rate_limit.anonymous": args.limits,
                **(
                    {"ckanext.khtourism.search.cache_ttl": str(args.search_cache_ttl)}
                    if args.search_cache_ttl is not None
                    else {}
                ),
            },
        )
        os.environ["CKAN_INI"] = str(config)
        stack.prepare_database(config)
        from werkzeug.test import Client

        from ckan.cli import CKANConfigLoader
        from ckan.config.middleware import make_app

        app = make_app(CKANConfigLoader(str(config)).get_config())
        import ckan.model as model

        SCENARIOS["item"] = [
            f"{BASE}/accommodations/{name}"
            for (name,) in model.Session.query(model.Package.name)
            .filter(model.Package.type == "accommodation")
            .order_by(model.Package.name)
            .limit(4)
        ]
        model.Session.remove()
        counter = Counter()
        counter.install()
        client = Client(app)  # the whole WSGI stack gunicorn would call
        headers = dict(h.split(": ", 1) for h in args.header)
        for name, paths in SCENARIOS.items():
            if args.only and args.only != name:
                continue
            for index in range(args.warmup):
                response = client.get(paths[index % len(paths)], headers=headers)
                assert response.status_code == 200, response.get_data(as_text=True)[:300]
            counter.sql = counter.redis = 0
            times = []
            cpu_started = time.process_time()
            profiler = cProfile.Profile() if args.profile else None
            for index in range(args.requests):
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(paths[index % len(paths)], headers=headers)
                if profiler:
                    profiler.disable()
                times.append(time.perf_counter() - started)
                assert response.status_code == 200
            cpu = time.process_time() - cpu_started
            body = response.get_data()
            if args.sql:
                counter.statements = []
                client.get(paths[0], headers=headers)
                print("\n".join(counter.statements), flush=True)
                counter.statements = None
            result = {
                "scenario": name,
                "requests": args.requests,
                "median_ms": round(statistics.median(times) * 1000, 2),
                "mean_ms": round(statistics.mean(times) * 1000, 2),
                "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 2),
                # this process's CPU (not PostgreSQL's or Redis's): less sensitive to load
                "python_cpu_ms": round(cpu * 1000 / args.requests, 2),
                "sql_per_request": round(counter.sql / args.requests, 2),
                "redis_round_trips_per_request": round(counter.redis / args.requests, 2),
                "last_body_bytes": len(body),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
            print(json.dumps(result), flush=True)
            if profiler and args.dump:
                profiler.dump_stats(args.dump)
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
                    args.profile
                )
                print(out.getvalue(), flush=True)
    finally:
        running.stop()


if __name__ == "__main__":
    main()
