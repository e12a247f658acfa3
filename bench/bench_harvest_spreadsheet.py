"""A 10,000-row spreadsheet register harvested end to end, timed, peak memory measured.

    make test ARGS="bench/bench_harvest_spreadsheet.py -s -q -p no:randomly"
    (BENCH_ROWS=1000 for a quick run)

Gather (download, decode, key every row, one harvest object each), then fetch
and import of every object through package_create — validation, workflow,
search indexing, activity — exactly as ``ckan harvester run-test`` does.
The figures go to docs/performance.md.
"""
from __future__ import annotations

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

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
from ckanext.harvest.tests.factories import HarvestJobObj

sys.path.insert(0, str(Path(__file__).parent))
import generate_register  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_harvest_10000_row_register(tmp_path):
    generate_register.write(tmp_path / "register.csv", ROWS)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/register.csv"
    org = factories.Organization()
    sysadmin = factories.Sysadmin()
    source = helpers.call_action(
        "harvest_source_create", {"user": sysadmin["name"]}, name="bench-register",
        title="Bench register", url=url, source_type="khtourism_spreadsheet",
        config=json.dumps({"record_type": "accommodation", "publish": "direct"}),
        owner_org=org["id"])
    harvester = queue.get_harvester("khtourism_spreadsheet")
    rss_before = _peak_rss_mb()

    def run() -> tuple[float, float, dict[str, int]]:
        job = HarvestJobObj(source=HarvestSource.get(source["id"]), run=False)
        job.status = "Running"
        job.save()
        started = time.perf_counter()
        ids = queue.gather_stage(harvester, job)
        gathered = time.perf_counter()
        for obj_id in ids:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
            model.Session.remove()
        tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
        finished = time.perf_counter()
        counts: dict[str, int] = {}
        for (status,) in model.Session.query(HarvestObject.report_status).filter_by(
                harvest_job_id=job.id):
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
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    first_rss = _peak_rss_mb()
    rerun_gather_s, rerun_total_s, rerun_counts = run()
    server.shutdown()
    report = {
        "rows": ROWS, "first_run": {"gather_s": round(gather_s, 1), "total_s": round(total_s, 1),
                                    "report": counts},
        "unchanged_rerun": {"gather_s": round(rerun_gather_s, 1),
                            "total_s": round(rerun_total_s, 1), "report": rerun_counts},
        "peak_rss_mb": round(_peak_rss_mb(), 1), "rss_before_mb": round(rss_before, 1),
        "rss_after_first_run_mb": round(first_rss, 1),
    }
    print("\nBENCH " + json.dumps(report, ensure_ascii=False))
    assert counts == {"added": ROWS}
    assert rerun_counts == {"not modified": ROWS}
