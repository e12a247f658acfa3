"""A local HTTP server on 127.0.0.1 serving the fixture files like real sources."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.serving import SHUTDOWN_POLL_SECONDS

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (timeouts)
    truncate: bool = False  # announce the full length, send half, close (cut connection)
    trickle: float = 0.0  # seconds between single bytes of the body (a slow-drip server)


Handler = Callable[[dict[str, str]], Reply]


def fixture_reply(relative: str, **kwargs) -> Reply:
    path = FIXTURES / relative
    content_type = kwargs.pop("content_type", None) or {
        ".json": "application/json; charset=utf-8",
        ".csv": "text/csv",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xml": "text/xml; charset=utf-8",
    }.get(path.suffix, "application/octet-stream")
    return Reply(body=path.read_bytes(), content_type=content_type, **kwargs)


class FixtureServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[str] = []
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                server.requests.append(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                handler = server.routes.get(parts.path)
                reply = handler(query) if handler else Reply(b'{"error":"not found"}', 404)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    if reply.trickle:
                        for index in range(len(reply.body)):
                            self.wfile.write(reply.body[index : index + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                    else:
                        self.wfile.write(
                            reply.body[: len(reply.body) // 2] if reply.truncate else reply.body
                        )
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass
                if reply.truncate:
                    self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), RequestHandler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},  # tests/serving.py
            daemon=True,
        )

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def file(self, path: str, relative: str, **kwargs) -> str:
        self.routes[path] = lambda _query: fixture_reply(relative, **kwargs)
        return self.url(path)

    def handler(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)


def arcgis_query(prefix: str = "arcgis") -> Handler:
    """An ArcGIS ``…/query`` endpoint answering from the fixture pages."""

    def handle(query: dict[str, str]) -> Reply:
        if query.get("returnIdsOnly") == "true":
            return fixture_reply(f"{prefix}/query-ids.json")
        if "objectIds" in query:
            return fixture_reply(
                f"{prefix}/query-objectids-{query['objectIds'].replace(',', '-')}.json"
            )
        return fixture_reply(f"{prefix}/query-offset-{query.get('resultOffset', '0')}.json")

    return handle


# --- running harvest jobs the way ckanext-harvest's own tests do (tests/lib.py) ---------------
def create_source(
    source_type: str,
    url: str,
    config: dict | None = None,
    *,
    owner_org: str,
    frequency: str = "MANUAL",
    name: str | None = None,
) -> dict:
    import json

    from ckan.tests import factories, helpers

    sysadmin = factories.Sysadmin()
    return helpers.call_action(
        "harvest_source_create",
        {"user": sysadmin["name"]},
        name=name or f"nguon-{source_type.replace('_', '-')}-{abs(hash(url)) % 10**8}",
        title=f"Nguồn {source_type}",
        url=url,
        source_type=source_type,
        config=json.dumps(config or {}, ensure_ascii=False),
        owner_org=owner_org,
        frequency=frequency,
    )


@dataclass
class JobResult:
    job: object
    objects: dict  # guid -> {"state", "report_status", "errors", "package_id"}
    gather_errors: list[str]

    def statuses(self) -> dict[str, str]:
        return {guid: result["report_status"] for guid, result in self.objects.items()}

    def object_errors(self) -> list[str]:
        return [error for result in self.objects.values() for error in result["errors"]]


def run_job(source: dict) -> JobResult:
    """Create a job for ``source`` and run gather, fetch and import in this process."""
    import ckan.plugins.toolkit as tk

    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
    from ckanext.harvest.tests.factories import HarvestJobObj

    harvest_source = HarvestSource.get(source["id"])
    harvester = queue.get_harvester(harvest_source.type)
    job = HarvestJobObj(source=harvest_source, run=False)
    job.status = "Running"
    job.save()
    job_id = job.id  # a stage may end the session (the job is read again below)
    ids = queue.gather_stage(harvester, job)
    for obj_id in ids if isinstance(ids, list) else []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    job = HarvestJob.get(job_id)
    objects = {
        obj.guid: {
            "state": obj.state,
            "report_status": obj.report_status,
            "errors": [e.message for e in obj.errors],
            "package_id": obj.package_id,
        }
        for obj in HarvestObject.filter(harvest_job_id=job.id).all()
    }
    return JobResult(job=job, objects=objects, gather_errors=[e.message for e in job.gather_errors])


def start_job(source: dict):
    """A running job of ``source`` after its gather stage: (harvester, job, object ids)."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestSource
    from ckanext.harvest.tests.factories import HarvestJobObj

    harvest_source = HarvestSource.get(source["id"])
    harvester = queue.get_harvester(harvest_source.type)
    job = HarvestJobObj(source=harvest_source, run=False)
    job.status = "Running"
    job.save()
    return harvester, job, queue.gather_stage(harvester, job)


def indexed_accommodations() -> set[str]:
    """Ids of the accommodation records the search index finds (drafts included)."""
    from ckan.tests import helpers

    result = helpers.call_action(
        "package_search",
        {"ignore_auth": True},
        q="*:*",
        fq="+dataset_type:accommodation",
        include_private=True,
        rows=100,
    )
    return {record["id"] for record in result["results"]}


def run_job_through_queues(source: dict) -> JobResult:
    """Run a job of ``source`` the way ``make run`` does, through the real Redis queues.

    ``harvest_job_create`` and ``harvest_jobs_run`` put the job on the gather queue; each
    queued message is handed to the callback that ``ckan harvester gather-consumer`` /
    ``fetch-consumer`` run for it (``ckanext.harvest.queue.gather_callback`` /
    ``fetch_callback``, looked up when called, as a consumer does when it starts). An
    exception escaping a callback would end the consumer process: here it fails the test.
    """
    import ckan.plugins.toolkit as tk

    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject

    queue.purge_queues()
    job = tk.get_action("harvest_job_create")({"ignore_auth": True}, {"source_id": source["id"]})
    run = tk.get_action("harvest_jobs_run")
    run({"ignore_auth": True}, {"source_id": source["id"]})
    for get_consumer, name in (
        (queue.get_gather_consumer, "gather_callback"),
        (queue.get_fetch_consumer, "fetch_callback"),
    ):
        consumer = get_consumer()
        messages = consumer.consume(None)
        while consumer.redis.llen(consumer.routing_key):
            method, channel, body = next(messages)
            getattr(queue, name)(channel, method, None, body)
    run({"ignore_auth": True}, {"source_id": source["id"]})
    job = HarvestJob.get(job["id"])
    objects = {
        obj.guid: {
            "state": obj.state,
            "report_status": obj.report_status,
            "errors": [e.message for e in obj.errors],
            "package_id": obj.package_id,
        }
        for obj in HarvestObject.filter(harvest_job_id=job.id).all()
    }
    return JobResult(job=job, objects=objects, gather_errors=[e.message for e in job.gather_errors])
