"""A/B timing of the search engine's SQL on the benchmark index, robust to a busy machine.

    # 1. record the statements the engine writes for N varied queries per shape
    .venv/bin/python bench/search_sql_ab.py capture var/bench/sql-before.json --queries 40
    # (change the engine, or the table layout)
    .venv/bin/python bench/search_sql_ab.py capture var/bench/sql-after.json --queries 40
    # 2. run both sets alternately, statement by statement, in one connection
    .venv/bin/python bench/search_sql_ab.py compare var/bench/sql-before.json var/bench/sql-after.json
    # or one set against a copy of the table in another layout (set B's table renamed)
    .venv/bin/python bench/search_sql_ab.py time var/bench/sql-after.json \
        --table-b khtourism_search_doc_toast
    # index writes (the engine's upsert, batched and single-row), table A vs table B
    .venv/bin/python bench/search_sql_ab.py writes --table-b khtourism_search_doc_toast

The machine is shared (8 parallel sessions on 2 cores while this was written), so
wall-clock runs minutes apart are not comparable; alternating A and B query by query
exposes both to the same load. Also reports the shared buffers each statement touched
(``EXPLAIN (ANALYZE, BUFFERS)``, independent of load). Uses the index that
``bench/search_bench.py`` built under ``var/bench``; the queries are those of its four
shapes (same seed), sent through ``package_search`` as an anonymous visitor so that the
permission filters are CKAN's own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import search_bench  # noqa: E402

SETTINGS = (
    "SET work_mem = '32MB'; SET enable_seqscan = off; SET max_parallel_workers_per_gather = 0"
)


def capture(app, path: Path, queries: int, seed: int) -> None:
    from ckan import logic, model
    from ckan.common import config as ckan_config

    from ckanext.khtourism.search import connection

    ckan_config["ckanext.khtourism.search.cache_ttl"] = "0"
    captured: list[tuple[str, dict]] = []
    original = connection.QueryPlan.execute

    def execute(self, session):  # type: ignore[no-untyped-def]
        result = original(self, session)
        captured.append((self.statement(), dict(self.compiler.params)))
        return result

    connection.QueryPlan.execute = execute  # type: ignore[method-assign]
    shapes = search_bench.query_shapes(random.Random(seed))
    out = []
    with app._wsgi_app.test_request_context():
        search = logic.get_action("package_search")
        for label, make in shapes.items():
            for _ in range(queries):
                params = make()
                captured.clear()
                context = {"user": "", "ignore_auth": False, "model": model}
                result = search(context, dict(params, include_private=True))
                sql, bound = captured[-1]
                out.append(
                    {
                        "shape": label,
                        "sql": sql,
                        "params": {k: v for k, v in bound.items()},
                        "count": result["count"],
                    }
                )
                model.Session.remove()
    path.write_text(json.dumps(out, default=list))
    print(f"{len(out)} statements written to {path}")


def _run(session, sql: str, params: dict) -> tuple[float, int]:
    import sqlalchemy as sa

    started = time.perf_counter()
    session.execute(sa.text(sql), params).fetchall()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, 0


def _buffers(session, sql: str, params: dict) -> int:
    import sqlalchemy as sa

    plan = session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params).fetchall()
    total = 0
    for (line,) in plan[:3]:
        match = re.search(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?", line)
        if match:
            total = max(total, sum(int(g or 0) for g in match.groups()))
    return total


def _percentile(values: list[float], share: float) -> float:
    return search_bench._percentile(values, share)


def timing(sets: list[list[dict]], rounds: int) -> None:
    import sqlalchemy as sa

    from ckan import model

    session = model.Session
    session.execute(sa.text(SETTINGS))
    names = ["A", "B"][: len(sets)]
    if len(sets) == 2:  # the same answers: totals, pages and facet counts
        for a, b in zip(*sets, strict=True):
            row_a = session.execute(sa.text(a["sql"]), a["params"]).one()
            row_b = session.execute(sa.text(b["sql"]), b["params"]).one()
            assert row_a.total == row_b.total, (a["shape"], row_a.total, row_b.total)
            assert row_a.facets == row_b.facets, (a["shape"], row_a.facets, row_b.facets)
            ids_a = [d["id"] for d in row_a.docs]
            ids_b = [d["id"] for d in row_b.docs]
            assert ids_a == ids_b, (a["shape"], ids_a, ids_b)
        print(f"{len(sets[0])} statement pairs give the same totals, pages and facets")
    for statements in sets:  # warm the caches once
        for item in statements:
            _run(session, item["sql"], item["params"])
    times: dict[tuple[str, str], list[float]] = {}
    buffers: dict[tuple[str, str], list[int]] = {}
    for _ in range(rounds):
        for index in range(len(sets[0])):
            for name, statements in zip(names, sets, strict=False):
                item = statements[index]
                elapsed, _ = _run(session, item["sql"], item["params"])
                times.setdefault((item["shape"], name), []).append(elapsed)
    for index in range(len(sets[0])):
        for name, statements in zip(names, sets, strict=False):
            item = statements[index]
            buffers.setdefault((item["shape"], name), []).append(
                _buffers(session, item["sql"], item["params"])
            )
    for shape in dict.fromkeys(item["shape"] for item in sets[0]):
        for name in names:
            values = times[(shape, name)]
            print(
                f"{shape:38s} {name}  p50 {_percentile(values, 0.5):7.1f} ms  p95"
                f" {_percentile(values, 0.95):7.1f} ms  mean {statistics.fmean(values):7.1f} ms"
                f"  buffers/query {statistics.fmean(buffers[(shape, name)]):9.0f}"
            )
    print("load average", " ".join(f"{v:.2f}" for v in os.getloadavg()))


def writes(app, table_b: str, sample: int = 2000, rounds: int = 3) -> None:
    """ms per document of the engine's upsert into the search table (A) and ``table_b``
    (B), alternating, each write rolled back (no bloat between rounds)."""
    import sqlalchemy as sa

    from ckan import model

    from ckanext.khtourism.search import index

    tables = {"A": index.TABLE, "B": table_b}
    batched: dict[str, list[float]] = {"A": [], "B": []}
    single: dict[str, list[float]] = {"A": [], "B": []}
    with app._wsgi_app.test_request_context():
        session = model.Session
        rows = session.execute(
            sa.text(
                "SELECT doc, validated_data_dict, data_dict FROM khtourism_search_doc"
                " WHERE id NOT LIKE '%-%-%-%-%-%' ORDER BY doc_key LIMIT :n"
            ),
            {"n": sample},
        ).fetchall()
        built = [
            index.row_for(
                dict(r.doc, validated_data_dict=r.validated_data_dict, data_dict=r.data_dict)
            )
            for r in rows
        ]

        def run(name: str, sql: Any, params: dict, per: int) -> float:
            text = str(sql.text).replace(index.TABLE, tables[name])
            started = time.perf_counter()
            session.execute(sa.text(text), params)
            session.flush()
            elapsed = (time.perf_counter() - started) * 1000 / per
            session.rollback()
            return elapsed

        for _ in range(rounds):
            for start in range(0, len(built), index.UPSERT_CHUNK):
                chunk = built[start : start + index.UPSERT_CHUNK]
                params = {f"{k}_{n}": v for n, row in enumerate(chunk) for k, v in row.items()}
                for name in tables:
                    statement = index._multi_row_upsert(len(chunk))
                    batched[name].append(run(name, statement, params, len(chunk)))
            for row in built[:100]:
                for name in tables:
                    single[name].append(run(name, index.UPSERT_SQL, row, 1))
    for name, table in tables.items():
        per_doc = statistics.median(batched[name])
        print(
            f"{name} {table}: batched {per_doc:.2f} ms/document ({1000 / per_doc:.0f}/s);"
            f" single-row upsert median {statistics.median(single[name]):.2f} ms,"
            f" p95 {_percentile(single[name], 0.95):.2f} ms"
        )
    print("load average", " ".join(f"{v:.2f}" for v in os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["capture", "compare", "time", "writes"])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--queries", type=int, default=40, help="queries per shape (capture)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the statements")
    parser.add_argument(
        "--table-b",
        default=None,
        help="compare: run set B against this copy of khtourism_search_doc (another layout)",
    )
    args = parser.parse_args()
    running, config, _stack = search_bench.start_services(ROOT / "var" / "bench")
    try:
        os.environ["CKAN_INI"] = str(config)
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        app = make_app(load_config(str(config)))
        if args.command == "writes":
            writes(app, args.table_b or "khtourism_search_doc_toast")
            return
        if args.command == "capture":
            capture(app, args.files[0], args.queries, args.seed)
            return
        sets = [json.loads(path.read_text()) for path in args.files]
        if args.table_b:
            if len(sets) == 1:
                sets.append(json.loads(args.files[0].read_text()))
            for item in sets[1]:
                item["sql"] = re.sub(r"\bkhtourism_search_doc\b", args.table_b, item["sql"])
        if args.command == "compare":
            assert len(sets) == 2 and len(sets[0]) == len(sets[1]), "two files of one capture"
            for a, b in zip(*sets, strict=True):
                assert a["count"] == b["count"], (a["shape"], a["count"], b["count"])
        with app._wsgi_app.test_request_context():
            timing(sets, args.rounds)
    finally:
        running.stop()


if __name__ == "__main__":
    main()
