"""Benchmark of the DCAT catalogue: every page of ``/catalog.<fmt>`` with N published records.

    .venv/bin/python bench/dcat_catalog.py --records 10000 [--format ttl|rdf|xml|jsonld]
        [--profile FILE]

What it does:

1. starts its own embedded PostgreSQL and Redis under ``var/bench-dcat/`` (never the
   portal's or the tests' data), writes ``var/bench-dcat/bench.ini``, migrates;
2. creates one record of each of the four types through the real action API
   and curation workflow (validated, submitted, approved: published);
3. clones them in SQL up to ``--records`` published records (package rows,
   extras, tags and search-index documents, with new ids, names and
   modification times) — building 10,000 records through the API would take
   most of an hour on the 2-core machine and measure the write path, not the
   catalogue;
4. walks the catalogue page by page (Hydra ``next`` links, 100 datasets per
   page) in-process through CKAN's WSGI app, timing each page, then prints
   p50/p95/max per page and the full walk, and checks that every record was
   seen exactly once. The first walk starts with an empty per-record cache
   (``ckanext.khtourism.dcat.cache_ttl``), the following ones find it warm.
   ``--format`` picks the catalogue format (every walk parses its pages back
   with rdflib); ``--profile FILE`` writes a cProfile of the first (cold) walk's
   server side to FILE (read it with ``python -m pstats FILE``). Besides wall
   time, each walk reports the CPU time of the portal's process (the WSGI app
   runs in-process; PostgreSQL's and Redis's CPU are not in it): steadier than
   wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POINT = json.dumps({"type": "Point", "coordinates": [109.1953, 12.2654]})

SEEDS = {
    "accommodation": {
        "title": "Khách sạn Đo Hiệu Năng",
        "title_en": "Benchmark Hotel",
        "notes": "Khách sạn dùng cho phép đo hiệu năng.",
        "notes_en": "Benchmark hotel.",
        "accommodation_type": "khach_san",
        "hotel_subtype": "city",
        "star_rating": "4",
        "rooms": "120",
        "beds": "200",
        "max_guests": "300",
        "price_min_vnd": "500000",
        "price_max_vnd": "3000000",
        "amenities": ["wifi", "swimming_pool"],
        "checkin_time": "14:00",
        "checkout_time": "12:00",
        "languages": ["vi", "en"],
        "enterprise_code": "4201234567",
        "admin_unit": "22366",
        "former_district": "568",
        "street_address": "1 Trần Phú",
        "spatial": POINT,
        "phone": "0258 3800 000",
        "email": "info@example.vn",
        "website": "https://example.vn",
        "last_verified": "2026-01-15",
        "tag_string": "biển,Nha Trang",
    },
    "tour-operator": {
        "title": "Công ty Lữ hành Đo Hiệu Năng",
        "title_en": "Benchmark Travel",
        "licence_number": "56-173/2022/CDLQGVN-GP LHQT",
        "licence_type": "quoc_te_inbound",
        "licence_issue_date": "2022-05-10",
        "licence_issuer": "Cục Du lịch Quốc gia Việt Nam",
        "enterprise_code": "4201234567-001",
        "services": ["inbound_tours"],
        "languages": ["vi", "en"],
        "office_address": "Nha Trang",
        "admin_unit": "22366",
        "spatial": POINT,
    },
    "tour-guide": {
        "title": "Nguyễn Văn Đo",
        "full_name": "Nguyễn Văn Đo",
        "card_number": "156100001",
        "card_type": "quoc_te",
        "card_issue_date": "2023-01-01",
        "card_expiry_date": "2028-01-01",
        "issuing_province": "56",
        "languages": ["vi", "en"],
        "experience_years": "5",
    },
    "heritage-site": {
        "title": "Di tích Đo Hiệu Năng",
        "title_en": "Benchmark Relic",
        "ranking": "quoc_gia",
        "heritage_type": "kien_truc_nghe_thuat",
        "ranking_decision_number": "152/QĐ-TTg",
        "ranking_decision_date": "2025-01-17",
        "unesco_status": "none",
        "admin_unit": "22333",
        "spatial": POINT,
    },
}


def start_stack(var_dir: Path):
    from ckanext.khtourism.local import config_file, services, stack

    running = services.start(var_dir, database="ckan_bench", redis_db=2)
    config = config_file.write_config(
        var_dir / "bench.ini",
        var_dir=var_dir,
        sqlalchemy_url=running.sqlalchemy_url,
        redis_url=running.redis_url,
        port=5000,
        log_level="WARNING",
        extra={"ckanext.khtourism.registry.refresh_on_change": "false"},
    )
    stack.prepare_database(config)
    return running, config


def seed(call) -> dict[str, dict]:
    """One published record per type, through the action API and the workflow."""
    from ckan import model

    admin = model.User.get("bench-admin")
    if admin is None:
        call(
            "user_create",
            name="bench-admin",
            email="bench@localhost.invalid",
            password="bench-password-123",
        )
        admin = model.User.get("bench-admin")
        admin.sysadmin = True
        model.Session.commit()
    context = {"user": "bench-admin"}
    org = model.Group.get("so-vhttdl-khanh-hoa")
    org_id = (
        org.id
        if org
        else call(
            "organization_create",
            context=context,
            name="so-vhttdl-khanh-hoa",
            title="Sở Văn hóa, Thể thao và Du lịch",
        )["id"]
    )
    seeds = {}
    for record_type, fields in SEEDS.items():
        name = f"bench-{record_type}"
        existing = model.Package.get(name)
        if existing is None:
            record = call(
                "package_create",
                context=context,
                type=record_type,
                name=name,
                owner_org=org_id,
                **fields,
            )
            call("khtourism_record_submit", context=context, id=record["id"])
            call("khtourism_record_approve", context=context, id=record["id"])
            existing = model.Package.get(name)
        seeds[record_type] = {"id": existing.id, "name": existing.name}
    return seeds


def _columns(session, table: str) -> list[str]:
    from sqlalchemy import text

    rows = session.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
            "ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [row[0] for row in rows]


def clone(seeds: dict[str, dict], total: int) -> int:
    """Clone the seed records in SQL until ``total`` published records exist."""
    from sqlalchemy import text

    from ckan import model

    session = model.Session
    existing = session.execute(
        text(
            "SELECT count(*) FROM package WHERE state = 'active' AND private = false "
            "AND type <> 'dataset'"
        )
    ).scalar()
    missing = total - existing
    if missing <= 0:
        return existing
    per_seed = -(-missing // len(seeds))
    package_cols = _columns(session, "package")
    extra_cols = _columns(session, "package_extra")
    tag_cols = _columns(session, "package_tag")
    doc_cols = [c for c in _columns(session, "khtourism_search_doc") if c != "doc_key"]
    session.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS bench_clone "
            "(seed_id text, seed_name text, new_id text, new_name text, n int)"
        )
    )
    session.execute(text("TRUNCATE bench_clone"))
    for seed_dict in seeds.values():
        session.execute(
            text(
                "INSERT INTO bench_clone SELECT :id, :name, gen_random_uuid()::text, "
                ":name || '-' || lpad(g::text, 6, '0'), g "
                "FROM generate_series((SELECT count(*) FROM package WHERE name LIKE :like) + 1, "
                "(SELECT count(*) FROM package WHERE name LIKE :like) + :n) AS g"
            ),
            {
                "id": seed_dict["id"],
                "name": seed_dict["name"],
                "n": per_seed,
                "like": seed_dict["name"] + "-%",
            },
        )

    def select(cols: list[str], replaced: dict[str, str]) -> str:
        return ", ".join(replaced.get(c, f"t.{c}") for c in cols)

    modified = "t.metadata_modified - (c.n * interval '1 second')"
    session.execute(
        text(
            f"INSERT INTO package ({', '.join(package_cols)}) SELECT "
            + select(
                package_cols,
                {"id": "c.new_id", "name": "c.new_name", "metadata_modified": modified},
            )
            + " FROM package t JOIN bench_clone c ON t.id = c.seed_id"
        )
    )
    session.execute(
        text(
            f"INSERT INTO package_extra ({', '.join(extra_cols)}) SELECT "
            + select(extra_cols, {"id": "gen_random_uuid()::text", "package_id": "c.new_id"})
            + " FROM package_extra t JOIN bench_clone c ON t.package_id = c.seed_id"
        )
    )
    session.execute(
        text(
            f"INSERT INTO package_tag ({', '.join(tag_cols)}) SELECT "
            + select(tag_cols, {"id": "gen_random_uuid()::text", "package_id": "c.new_id"})
            + " FROM package_tag t JOIN bench_clone c ON t.package_id = c.seed_id"
        )
    )

    def patched(column: str, cast: str) -> str:
        return (
            f"replace(replace(t.{column}::text, c.seed_id, c.new_id), "
            f"'\"' || c.seed_name || '\"', '\"' || c.new_name || '\"'){cast}"
        )

    replaced = {
        "id": "c.new_id",
        "name": "c.new_name",
        "metadata_modified": modified,
        "doc": patched("doc", "::jsonb"),
        "terms": patched("terms", "::jsonb"),
        "validated_data_dict": patched("validated_data_dict", ""),
        "data_dict": patched("data_dict", ""),
    }
    session.execute(
        text(
            f"INSERT INTO khtourism_search_doc ({', '.join(doc_cols)}) SELECT "
            + select(doc_cols, replaced)
            + " FROM khtourism_search_doc t JOIN bench_clone c ON t.id = c.seed_id"
        )
    )
    session.commit()
    return session.execute(
        text(
            "SELECT count(*) FROM package WHERE state = 'active' AND private = false "
            "AND type <> 'dataset'"
        )
    ).scalar()


RDFLIB_FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}


def walk(
    client, path: str, rdflib_format: str = "turtle", profiler=None, cpu: list[float] | None = None
) -> tuple[list[float], set[str], int]:
    from rdflib import Graph, Namespace
    from rdflib.namespace import DCAT, RDF

    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    timings: list[float] = []
    seen: set[str] = set()
    duplicates = 0
    while path:
        started = time.perf_counter()
        cpu_started = time.process_time()
        if profiler is not None:
            profiler.enable()
        response = client.get(path)
        body = response.get_data(as_text=True)
        if profiler is not None:
            profiler.disable()
        timings.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - cpu_started)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}\n{body[:2000]}")
        graph = Graph().parse(data=body, format=rdflib_format)
        for dataset in graph.subjects(RDF.type, DCAT.Dataset):
            duplicates += dataset in seen
            seen.add(str(dataset))
        following = [str(o) for o in graph.objects(None, hydra.next)]
        path = "/" + following[0].split("://", 1)[1].split("/", 1)[1] if following else None
    return timings, seen, duplicates


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def seeded_app(config: Path, records: int):
    """CKAN's WSGI app on ``config``, with one record per type seeded through the workflow
    and cloned to ``records``: (app, seeds, published count). Shared with
    ``bench/portal_pages.py``."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.plugins import toolkit as tk

    app = make_app(load_config(str(config)))
    with app._wsgi_app.test_request_context():

        def call(action, context=None, **data):
            return tk.get_action(action)(dict(context or {"ignore_auth": True}), data)

        seeds = seed(call)
        count = clone(seeds, records)
    return app, seeds, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--walks", type=int, default=2, help="full walks to time")
    parser.add_argument(
        "--format",
        default="ttl",
        choices=sorted(RDFLIB_FORMATS),
        help="catalogue format (/catalog.<format>)",
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the cold walk's requests to FILE"
    )
    args = parser.parse_args()
    running, config = start_stack(ROOT / "var" / "bench-dcat")
    try:
        app, seeds, count = seeded_app(config, args.records)
        flask_app = app._wsgi_app
        print(f"published records: {count}")
        from ckanext.khtourism.dcat import fragments

        with flask_app.test_request_context():
            fragments.flush()
        client = flask_app.test_client()
        summary = {
            "records": count,
            "format": args.format,
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        }
        for run in range(1, args.walks + 1):
            label = "cold" if run == 1 else f"warm{run - 1}"
            profiler = None
            if args.profile and run == 1:
                import cProfile

                profiler = cProfile.Profile()
            started = time.perf_counter()
            cpu: list[float] = []
            timings, seen, duplicates = walk(
                client, f"/catalog.{args.format}", RDFLIB_FORMATS[args.format], profiler, cpu
            )
            total = time.perf_counter() - started
            if profiler is not None:
                profiler.dump_stats(args.profile)
            print(
                f"walk {run} ({label} cache): {len(timings)} pages, {len(seen)} datasets, "
                f"{duplicates} duplicates, server time {sum(timings):.1f} s, "
                f"wall time incl. parsing {total:.1f} s, "
                f"p50 {percentile(timings, 0.5) * 1000:.0f} ms, "
                f"p95 {percentile(timings, 0.95) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms, "
                f"{sum(timings) * 1000 / max(1, len(seen)):.2f} ms per record; "
                f"portal process CPU {sum(cpu):.1f} s, p50 {percentile(cpu, 0.5) * 1000:.0f} ms"
                f" / page, {sum(cpu) * 1000 / max(1, len(seen)):.2f} ms per record"
            )
            if len(seen) < count or duplicates:
                print(f"  WRONG WALK: {count - len(seen)} missing, {duplicates} duplicates")
            summary[label] = {
                "pages": len(timings),
                "p50_ms": round(statistics.median(timings) * 1000),
                "p95_ms": round(percentile(timings, 0.95) * 1000),
                "max_ms": round(max(timings) * 1000),
                "walk_server_s": round(sum(timings), 1),
                "walk_wall_s": round(total, 1),
                "cpu_s": round(sum(cpu), 2),
                "cpu_p50_ms": round(statistics.median(cpu) * 1000),
                "cpu_ms_per_record": round(sum(cpu) * 1000 / max(1, len(seen)), 2),
            }
        summary["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
        print(json.dumps(summary))
    finally:
        running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
