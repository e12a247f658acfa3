"""Search benchmark of the PostgreSQL engine at a realistic scale.

    .venv/bin/python bench/search_bench.py --datasets 100000

1. starts embedded PostgreSQL and Redis under ``var/bench`` (or uses
   ``CKAN_SQLALCHEMY_URL`` / ``CKAN_REDIS_URL``), writes ``var/bench/bench.ini``
   and migrates the database;
2. loads ``--datasets`` synthetic records (bench/generate.py) straight into
   CKAN's tables, once (kept between runs);
3. times ``ckan search-index rebuild`` — CKAN's real indexer, through our
   engine — and reports datasets/s;
4. runs ``package_search`` as an anonymous visitor (permission labels and
   ``capacity:public`` filters, like the dataset page) for four query shapes and
   reports p50 / p95 / mean in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

FACETS = ["dataset_type", "tags", "organization", "res_format"]
TEXT_QUERIES = [
    "khach san nha trang",
    "homestay",
    "lặn biển",
    "hotel",
    "tháp chàm",
    "resort cam ranh",
    "du lịch",
    "spa",
    "hướng dẫn viên",
    "biet thu",
    "seafood restaurant",
    "di tích lịch sử",
]
FILTERS = [
    ["dataset_type:accommodation", "star_rating:(4 OR 5)", "operating_status:operating"],
    ["dataset_type:tour-guide", "card_status:valid", "languages:en"],
    ["dataset_type:heritage-site", "ranking:quoc_gia"],
    ["dataset_type:accommodation", "amenities:pool", "admin_unit:22333"],
    ["dataset_type:tour-operator", "licence_type:quoc_te_inbound"],
    ["tags:biển", "-operating_status:closed"],
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def start_services(var_dir: Path, rebuild_workers: int = 1):
    import yaml

    from ckanext.khtourism.core import record_types
    from ckanext.khtourism.local import config_file, services, stack

    running = services.start(var_dir, database="ckan_bench", redis_db=2)
    # the first four record types as plain scheming types with the contract's field names
    # (bench/schemas/, the scenario measured since 2026-11-26); every type declared since
    # with its own schema
    copies = sorted((ROOT / "bench" / "schemas").glob("*.yaml"))
    copied = {yaml.safe_load(p.read_text("utf-8"))["dataset_type"] for p in copies}
    config_file.DATASET_SCHEMAS = (
        ["ckanext.scheming:ckan_dataset.yaml"]
        + [p.as_uri() for p in copies]
        + [t.scheming_schema for t in record_types.declarations().values() if t.name not in copied]
    )
    config = config_file.write_config(
        var_dir / "bench.ini",
        var_dir=var_dir,
        sqlalchemy_url=running.sqlalchemy_url,
        redis_url=running.redis_url,
        port=5000,
        log_level="WARNING",
        extra={"ckanext.khtourism.search.rebuild_workers": str(rebuild_workers)},
    )
    stack.prepare_database(config)
    return running, config, stack


def load_records(config: Path, datasets: int) -> int:
    import psycopg2
    import sqlalchemy as sa

    from ckan.cli import load_config

    url = load_config(str(config))["sqlalchemy.url"]
    parsed = sa.engine.make_url(url)
    connection = psycopg2.connect(
        dbname=parsed.database,
        user=parsed.username,
        password=parsed.password,
        host=parsed.host or parsed.query.get("host"),
        port=parsed.port,
    )
    cursor = connection.cursor()
    cursor.execute("SELECT count(*) FROM package WHERE type <> 'harvest'")
    existing = cursor.fetchone()[0]
    if existing == datasets:
        print(f"{existing} datasets already loaded")
        return existing
    if existing:
        raise SystemExit(
            f"var/bench holds {existing} datasets, not {datasets}: remove var/bench to start again"
        )
    started = time.perf_counter()
    count = generate.load(connection, generate.records(datasets))
    print(f"loaded {count} datasets into CKAN's tables in {time.perf_counter() - started:.0f} s")
    connection.close()
    return count


def rebuild(stack, config: Path, datasets: int) -> float:
    """Datasets/s of ``ckan search-index rebuild --clear``, the command's start-up included.

    Also prints the rate without the start-up (CKAN's import and app creation,
    several seconds on this machine): the start-up is timed with ``rebuild
    --only-missing`` on the full index, which starts, finds nothing to do and exits.
    """
    started = time.perf_counter()
    subprocess.run(
        stack.ckan(config, "search-index", "rebuild", "--clear"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        stack.ckan(config, "search-index", "rebuild", "--only-missing"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    startup = time.perf_counter() - started
    rate = datasets / elapsed
    print(
        f"rebuild: {datasets} datasets in {elapsed:.1f} s = {rate:.0f} datasets/s"
        f" ({datasets / max(elapsed - startup, 1e-9):.0f} datasets/s without the"
        f" command's {startup:.1f} s start-up); load average"
        f" {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    return rate


def clone_index(config: Path, target: int) -> int:
    """Grow the index to ``target`` rows by copying the indexed documents in SQL.

    CKAN's per-dataset rebuild is far too slow on this machine to index 100,000
    datasets in a benchmark run, so the base records go through the real indexer
    and the index rows are then copied (new ids and names, points moved by up to
    ~3 km, metadata_modified shifted) — the copies are documents exactly as
    CKAN's indexer built them.
    """
    import sqlalchemy as sa

    from ckan.cli import load_config

    engine = sa.create_engine(load_config(str(config))["sqlalchemy.url"])
    with engine.begin() as connection:
        base = connection.execute(sa.text("SELECT count(*) FROM khtourism_search_doc")).scalar()
        if base >= target:
            return base
        copies = -(-target // base) - 1
        started = time.perf_counter()
        columns = [
            r[0]
            for r in connection.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name ="
                    " 'khtourism_search_doc' AND column_name NOT IN ('doc_key', 'id', 'name',"
                    " 'min_x', 'min_y', 'max_x', 'max_y', 'centroid_lon', 'centroid_lat',"
                    " 'metadata_modified')"
                )
            )
        ]
        connection.execute(
            sa.text(f"""
            INSERT INTO khtourism_search_doc (id, name, min_x, min_y, max_x, max_y,
                centroid_lon, centroid_lat, metadata_modified, {", ".join(columns)})
            SELECT id || '-' || g, name || '-' || g, min_x + dx, min_y + dy, max_x + dx,
                   max_y + dy, centroid_lon + dx, centroid_lat + dy,
                   metadata_modified - make_interval(days => (g * 7) % 400),
                   {", ".join(columns)}
            FROM khtourism_search_doc d, generate_series(1, :copies) g,
                 LATERAL (SELECT (random() - 0.5) * 0.05 AS dx, (random() - 0.5) * 0.05 AS dy) j
            WHERE d.id NOT LIKE '%-%-%-%-%-%'
            LIMIT :extra"""),
            {"copies": copies, "extra": target - base},
        )
        connection.execute(sa.text("ANALYZE khtourism_search_doc"))
        total = connection.execute(sa.text("SELECT count(*) FROM khtourism_search_doc")).scalar()
    # a current visibility map, as autovacuum keeps it (index-only spatial scans)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM (ANALYZE) khtourism_search_doc"))
    print(f"index grown from {base} to {total} documents in {time.perf_counter() - started:.0f} s")
    return total


def engine_write_rate(config: Path, sample: int = 5000, batch: int = 500) -> float:
    """Documents/s of the engine's own write path (``PostgresConnection.add``), in batches.

    Re-adds ``sample`` documents read back from the index (the documents CKAN's
    indexer built), without CKAN's per-dataset ``package_show``.
    """
    import sqlalchemy as sa

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(config)))
    from ckan import model

    from ckanext.khtourism.search.connection import PostgresConnection

    with app._wsgi_app.test_request_context():
        rows = model.Session.execute(
            sa.text(
                "SELECT doc, validated_data_dict, data_dict FROM khtourism_search_doc"
                " ORDER BY doc_key LIMIT :n"
            ),
            {"n": sample},
        ).fetchall()
        documents = [
            dict(r.doc, validated_data_dict=r.validated_data_dict, data_dict=r.data_dict)
            for r in rows
        ]
        connection = PostgresConnection()
        started = time.perf_counter()
        for start in range(0, len(documents), batch):
            connection.add(documents[start : start + batch], commit=False)
            model.Session.commit()
        elapsed = time.perf_counter() - started
    rate = len(documents) / elapsed
    print(f"engine bulk write: {len(documents)} documents in {elapsed:.1f} s = {rate:.0f}/s")
    return rate


def query_shapes(rng: random.Random):
    towns = generate.TOWNS

    def text_facets():
        return {"q": rng.choice(TEXT_QUERIES), "facet.field": json.dumps(FACETS)}

    def filters_sorted():
        return {
            "fq": " ".join(f"+{f}" if not f.startswith("-") else f for f in rng.choice(FILTERS)),
            "sort": "metadata_modified desc",
            "facet.field": json.dumps(FACETS),
        }

    def filters_only():
        # issue 20's "filters-only" target (p95 ≤ 20 ms): the filters of a type's list,
        # no text, no facets, the default order
        return {
            "fq": " ".join(f"+{f}" if not f.startswith("-") else f for f in rng.choice(FILTERS))
        }

    def bbox_text():
        town = rng.choice(towns)
        lon, lat = town[1] + rng.uniform(-0.03, 0.03), town[2] + rng.uniform(-0.03, 0.03)
        return {
            "q": rng.choice(TEXT_QUERIES[:8]),
            "ext_bbox": f"{lon - 0.08},{lat - 0.08},{lon + 0.08},{lat + 0.08}",
        }

    def radius():
        town = rng.choice(towns)
        return {
            "ext_lat": town[2] + rng.uniform(-0.02, 0.02),
            "ext_lon": town[1] + rng.uniform(-0.02, 0.02),
            "ext_radius": 5000,
        }

    def polygon():
        # a pentagon ≈ 11 km across around a town (the tourism API's `within`)
        import math

        town = rng.choice(towns)
        lon, lat = town[1] + rng.uniform(-0.02, 0.02), town[2] + rng.uniform(-0.02, 0.02)
        ring = [
            [lon + 0.05 * math.cos(2 * math.pi * k / 5), lat + 0.05 * math.sin(2 * math.pi * k / 5)]
            for k in range(5)
        ]
        return {"ext_polygon": json.dumps({"type": "Polygon", "coordinates": [ring + [ring[0]]]})}

    return {
        "text + 4 facets": text_facets,
        "filters + sort by metadata_modified": filters_sorted,
        "filters only": filters_only,
        "bbox + text": bbox_text,
        "radius 5 km": radius,
        "polygon": polygon,
    }


def run_queries(
    config: Path,
    iterations: int,
    warmup: int,
    cache_ttl: int | None = None,
    facet_counts: str = "bitmaps",
) -> dict[str, dict[str, float]]:
    """p50/p95/mean per query shape. ``facet_counts``: ``bitmaps`` (the portal's
    default), ``sql`` (``ckanext.khtourism.search.facet_bitmaps`` off) or ``both``:
    every query run both ways one after the other (alternating which goes first), so
    that the two columns see the same load."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(config)))
    from ckan import logic, model
    from ckan.common import config as ckan_config

    if cache_ttl is not None:
        # 0: every query goes to PostgreSQL (the engine's own speed)
        ckan_config["ckanext.khtourism.search.cache_ttl"] = str(cache_ttl)
    from ckanext.khtourism.search import cache

    cache.invalidate()  # start from an empty result cache
    print(f"result cache ttl: {cache.ttl()} s")

    ways = ["bitmaps", "sql"] if facet_counts == "both" else [facet_counts]
    rng = random.Random(7)
    results = {}
    with app._wsgi_app.test_request_context():
        search = logic.get_action("package_search")
        for label, make in query_shapes(rng).items():
            timings: dict[str, list[float]] = {way: [] for way in ways}
            hits = []
            for number in range(warmup + iterations):
                params = make()
                order = ways if number % 2 == 0 else ways[::-1]
                for way in order:
                    ckan_config["ckanext.khtourism.search.facet_bitmaps"] = way == "bitmaps"
                    context = {
                        "user": "",
                        "ignore_auth": False,
                        "model": model,
                        "session": model.Session,
                    }
                    started = time.perf_counter()
                    result = search(context, dict(params, include_private=True))
                    elapsed = (time.perf_counter() - started) * 1000
                    model.Session.remove()
                    if number >= warmup:
                        timings[way].append(elapsed)
                if number >= warmup:
                    hits.append(result["count"])
            for way in ways:
                name = label if len(ways) == 1 else f"{label} [{way}]"
                results[name] = {
                    "p50": _percentile(timings[way], 0.5),
                    "p95": _percentile(timings[way], 0.95),
                    "mean": statistics.fmean(timings[way]),
                    "mean_hits": statistics.fmean(hits),
                }
                print(
                    f"{name:50s} p50 {results[name]['p50']:6.1f} ms   p95 "
                    f"{results[name]['p95']:6.1f} ms   mean {results[name]['mean']:6.1f} ms"
                    f"   mean hits {results[name]['mean_hits']:8.0f}"
                )
    from ckanext.khtourism.search.facet_bitmaps import BITMAPS

    held = BITMAPS.memory()
    print(
        "bitmaps and arrays held by the process: "
        + ", ".join(f"{kind} {size / 1e6:.1f} MB" for kind, size in held.items())
        + f" (total {sum(held.values()) / 1e6:.1f} MB)"
    )
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--skip-rebuild",
        action="store_true",
        help="query the index as it is (after a previous run)",
    )
    parser.add_argument(
        "--rebuild-workers",
        type=int,
        default=1,
        help="ckanext.khtourism.search.rebuild_workers for the rebuild",
    )
    parser.add_argument(
        "--cache-ttl",
        type=int,
        default=None,
        help="search result cache TTL for the queries (0 = no cache; default: "
        "the portal's setting)",
    )
    parser.add_argument(
        "--index-size",
        type=int,
        default=None,
        help="copy index rows until the index holds this many documents",
    )
    parser.add_argument(
        "--facet-counts",
        choices=["bitmaps", "sql", "both"],
        default="bitmaps",
        help="how facets are counted (both: each query both ways, alternating)",
    )
    parser.add_argument(
        "--queries-only",
        action="store_true",
        help="only the queries, on the index a previous run left (no load, rebuild, writes)",
    )
    args = parser.parse_args()
    var_dir = ROOT / "var" / "bench"
    running, config, stack = start_services(var_dir, args.rebuild_workers)
    try:
        os.environ["CKAN_INI"] = str(config)
        if args.queries_only:
            run_queries(config, args.iterations, args.warmup, args.cache_ttl, args.facet_counts)
            return
        datasets = load_records(config, args.datasets)
        rate = None if args.skip_rebuild else rebuild(stack, config, datasets)
        indexed = clone_index(config, args.index_size) if args.index_size else datasets
        write_rate = engine_write_rate(config)
        results = run_queries(
            config, args.iterations, args.warmup, args.cache_ttl, args.facet_counts
        )
        (var_dir / "results.json").write_text(
            json.dumps(
                {
                    "datasets": datasets,
                    "indexed": indexed,
                    "rebuild_per_s": rate,
                    "engine_write_per_s": write_rate,
                    "queries": results,
                },
                indent=2,
            )
        )
    finally:
        running.stop()


if __name__ == "__main__":
    main()
