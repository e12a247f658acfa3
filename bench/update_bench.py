"""What indexing adds to one ``package_update`` (issue 20: "no more than +5 ms").

    .venv/bin/python bench/update_bench.py [--updates 200]

Uses the records of ``bench/search_bench.py`` (``var/bench``, built by a run of it).
Each record is patched twice in a row, alternating which goes first: once as the portal
does it (indexed when the transaction commits: CKAN's ``package_show`` for the index,
the document built, the engine's upsert and its change-log trigger), once with indexing
deferred in the session (``search.deferred.defer_in_session``, as the harvester's
import does; the record is indexed again afterwards so the index stays right). The
difference is what indexing costs an update; the engine's own write
(``PostgresConnection.add``) is timed on its own too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import search_bench  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    return search_bench._percentile(values, share)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    running, config, _stack = search_bench.start_services(ROOT / "var" / "bench")
    try:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app

        app = make_app(load_config(str(config)))
        import sqlalchemy as sa

        from ckan import logic, model
        from ckan.lib.search import rebuild

        from ckanext.khtourism.search import connection, deferred

        engine_writes: list[float] = []
        original_add = connection.PostgresConnection.add

        def timed_add(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return original_add(self, *args, **kwargs)
            finally:
                engine_writes.append((time.perf_counter() - started) * 1000)

        connection.PostgresConnection.add = timed_add  # measuring only
        with app._wsgi_app.test_request_context():
            ids = list(
                model.Session.execute(
                    sa.text(
                        "SELECT id FROM package WHERE state = 'active' AND type <> 'harvest'"
                        " ORDER BY id LIMIT :n"
                    ),
                    {"n": args.updates},
                ).scalars()
            )
            model.Session.remove()
            patch = logic.get_action("package_patch")
            site_user = logic.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
            context_user = {"ignore_auth": True, "user": site_user}
            timings: dict[str, list[float]] = {"indexed": [], "deferred": []}
            for number, dataset_id in enumerate(ids):
                order = ["indexed", "deferred"] if number % 2 == 0 else ["deferred", "indexed"]
                for way in order:
                    if way == "deferred":
                        deferred.defer_in_session()
                    started = time.perf_counter()
                    patch(dict(context_user), {"id": dataset_id, "notes": f"{way} {number}"})
                    timings[way].append((time.perf_counter() - started) * 1000)
                    model.Session.remove()
            rebuild(package_ids=ids)  # the deferred ones indexed again
            model.Session.commit()
        indexed, deferred_ = timings["indexed"], timings["deferred"]
        print(f"updates: {len(ids)} records, each patched both ways")
        for name, values in (("indexed (as the portal runs)", indexed), ("deferred", deferred_)):
            print(
                f"{name:32s} p50 {_percentile(values, 0.5):6.1f} ms  p95 "
                f"{_percentile(values, 0.95):6.1f} ms  mean {statistics.fmean(values):6.1f} ms"
            )
        print(
            f"indexing adds (mean difference) {statistics.fmean(indexed) - statistics.fmean(deferred_):.1f} ms"
            f" (p50 difference {_percentile(indexed, 0.5) - _percentile(deferred_, 0.5):.1f} ms)"
        )
        writes = engine_writes[: len(indexed)]
        print(
            f"the engine's write (PostgresConnection.add, upsert + change log): p50"
            f" {_percentile(writes, 0.5):.1f} ms, p95 {_percentile(writes, 0.95):.1f} ms"
        )
        print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    finally:
        running.stop()


if __name__ == "__main__":
    main()
