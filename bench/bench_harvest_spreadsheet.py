"""A 10,000-row spreadsheet register harvested end to end, timed, peak memory measured.

    make test ARGS="bench/bench_harvest_spreadsheet.py -n 0 -s -q -p no:randomly"
    (BENCH_ROWS=1000 for a quick run)

Gather (download, decode, key every row, one harvest object each), then every
object's message through ckanext-harvest's ``fetch_callback``, as the fetch
consumers of ``make run`` receive them (BENCH_WORKERS consumers sharing one
queue): new records are imported in batches (validation, workflow, activity,
search indexing, change feed — harvesters/bulk.py).
The figures go to docs/performance.md.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from ckanext.harvest.tests.factories import HarvestJobObj

sys.path.insert(0, str(Path(__file__).parent))
import generate_register  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
# Fetch consumers importing side by side (make run starts 2); 1 = in this process, like
# `ckan harvester run-test`. SQL counts are only measured with 1.
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _use_pooled_engine() -> None:
    """Put the model back on a pooled engine, as the portal's processes run.

    CKAN's migration environment, which ``clean_db`` runs, re-initialises the model on a
    NullPool engine: every checkout then opens a new PostgreSQL connection (~5 ms each on
    the shared machine, five or six per harvest object). CKAN's processes run on a QueuePool
    with ``pool_pre_ping`` (``ckan/config/environment.py``); so does this benchmark.
    """
    if isinstance(model.meta.engine.pool, sa.pool.NullPool):
        model.init_model(sa.create_engine(tk.config["sqlalchemy.url"], pool_pre_ping=True))


class _Channel:
    """The queue channel ckanext-harvest's consumer acknowledges messages on."""

    def basic_ack(self, _delivery_tag) -> None:
        pass


class _Method:
    delivery_tag = None


def _consume(messages) -> None:
    """A fetch consumer: each message through ckanext-harvest's own ``fetch_callback``
    (object lookup, ``retry_times`` update, job check, fetch + import stages)."""
    channel, method = _Channel(), _Method()
    while True:
        obj_id = messages.get()
        if obj_id is None:
            return
        queue.fetch_callback(channel, method, None, json.dumps({"harvest_object_id": obj_id}))


def _import_in_processes(ids: list[str], workers: int) -> None:
    """``workers`` forked fetch consumers taking the messages, in the gather's order, from
    one shared queue (as ``make run``'s consumers share the fetch queue)."""
    import multiprocessing

    model.Session.remove()
    model.meta.engine.dispose()
    context = multiprocessing.get_context("fork")
    messages = context.Queue()
    for obj_id in ids:
        messages.put(obj_id)
    for _ in range(workers):
        messages.put(None)

    def consume() -> None:
        model.meta.engine.dispose(close=False)  # the parent's connections are not ours
        _consume(messages)

    processes = [context.Process(target=consume) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        assert process.exitcode == 0, f"import worker failed: exit code {process.exitcode}"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_harvest_10000_row_register(tmp_path):
    _use_pooled_engine()
    generate_register.write(tmp_path / "register.csv", ROWS)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/register.csv"
    org = factories.Organization()
    sysadmin = factories.Sysadmin()
    source = helpers.call_action(
        "harvest_source_create",
        {"user": sysadmin["name"]},
        name="bench-register",
        title="Bench register",
        url=url,
        source_type="khtourism_spreadsheet",
        config=json.dumps({"record_type": "accommodation", "publish": "direct"}),
        owner_org=org["id"],
    )
    harvester = queue.get_harvester("khtourism_spreadsheet")
    rss_before = _peak_rss_mb()

    statements = {"sql": 0, "commits": 0}
    by_text: collections.Counter[str] = collections.Counter()
    log_sql = bool(os.environ.get("BENCH_SQL_LOG"))

    def count_sql(_conn, _cursor, statement, *_args) -> None:
        statements["sql"] += 1
        if log_sql:
            by_text[" ".join(statement.split())[:110]] += 1

    def count_commit(*_args) -> None:
        statements["commits"] += 1

    sa.event.listen(model.meta.engine, "before_cursor_execute", count_sql)
    sa.event.listen(model.meta.engine, "commit", count_commit)
    phases: list[dict[str, float]] = []

    def run() -> tuple[float, float, dict[str, int]]:
        job = HarvestJobObj(source=HarvestSource.get(source["id"]), run=False)
        job.status = "Running"
        job.save()
        started = time.perf_counter()
        ids = queue.gather_stage(harvester, job)
        gathered = time.perf_counter()
        before = dict(statements)
        cpu_before = _cpu_seconds()
        if WORKERS > 1:
            _import_in_processes(ids, WORKERS)
        else:
            channel, method = _Channel(), _Method()
            for obj_id in ids:
                body = json.dumps({"harvest_object_id": obj_id})
                queue.fetch_callback(channel, method, None, body)
        imported = time.perf_counter()
        cpu_import = _cpu_seconds() - cpu_before
        per_object = {k: (statements[k] - before[k]) / max(len(ids), 1) for k in statements}
        # finishes the job and indexes its records in bulk (harvesters/indexing.py)
        tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
        finished = time.perf_counter()
        phases.append(
            {
                "import_s": round(imported - gathered, 1),
                # CPU of this process (and its import workers): less sensitive to the load
                # of the shared machine than wall-clock time; PostgreSQL's own CPU excluded
                "import_cpu_ms_per_object": round(1000 * cpu_import / max(len(ids), 1), 1),
                "jobs_run_and_index_s": round(finished - imported, 1),
                "sql_per_object": round(per_object["sql"], 1),
                "commits_per_object": round(per_object["commits"], 1),
            }
        )
        counts: dict[str, int] = {}
        for (status,) in model.Session.query(HarvestObject.report_status).filter_by(
            harvest_job_id=job.id
        ):
            counts[status] = counts.get(status, 0) + 1
        assert HarvestJob.get(job.id).status == "Finished"
        return gathered - started, finished - started, counts

    profiler = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    gather_s, total_s, counts = run()
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler)
        if os.environ.get("BENCH_PROFILE_OUT"):
            stats.dump_stats(os.environ["BENCH_PROFILE_OUT"])
        stats.sort_stats("cumulative").print_stats(45)
    if log_sql:
        for text, count in by_text.most_common(60):
            print(f"{count / ROWS:6.2f}/row  {text}")
    first_rss = _peak_rss_mb()
    rerun_gather_s, rerun_total_s, rerun_counts = run()
    server.shutdown()
    report = {
        "rows": ROWS,
        "first_run": {
            "gather_s": round(gather_s, 1),
            "total_s": round(total_s, 1),
            "report": counts,
            **phases[0],
        },
        "unchanged_rerun": {
            "gather_s": round(rerun_gather_s, 1),
            "total_s": round(rerun_total_s, 1),
            "report": rerun_counts,
        },
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "load_average": os.getloadavg(),
        "workers": WORKERS,
        "rss_before_mb": round(rss_before, 1),
        "rss_after_first_run_mb": round(first_rss, 1),
    }
    print("\nBENCH " + json.dumps(report, ensure_ascii=False))
    assert counts == {"added": ROWS}
    assert rerun_counts == {"not modified": ROWS}
