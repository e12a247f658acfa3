"""Round trip: our catalogue (Turtle, RDF/XML, JSON-LD), harvested by
ckanext-dcat's own ``dcat_rdf`` harvester into a clean CKAN with our schemas,
gives every public field back — the publisher (organization) included.

The catalogue pages are taken from the running test app, then served by a
fixture server on 127.0.0.1 (the app itself cannot serve the harvester from
inside the same process); the database is then reset, and the harvester runs
its real gather/fetch/import stages against the fixture server.
"""

from __future__ import annotations

import contextlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rdflib import Graph, Namespace

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job

from ckanext.khtourism.core.record_types import RECORD_TYPES
from tests.dcat.dcat_compare import comparable, public_view, restricted_to
from tests.serving import serve_in_thread

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


# Catalogue formats a harvester may read: URL extension -> (rdflib format, media type).
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}


class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}
    content_type = "text/turtle"

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        path = self.path
        if path.startswith("/source-"):  # /source-<n>/catalog.ttl: one URL per harvest source
            path = "/" + path.split("/", 2)[2]
        body = self.pages.get(path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", f"{self.content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fixture_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "3")
@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_dcat_rdf_harvester_gets_every_public_field_back(
    app, published, fixture_server, reset_db, migrate_db_for, extension
):
    media_type = FORMATS[extension][1]
    local = f"http://127.0.0.1:{fixture_server.server_address[1]}"
    # 1. Our catalogue, page by page (Hydra paging), as any harvester sees it.
    pages = _catalogue_pages(app, extension, local)
    assert len(pages) == -(-len(RECORD_TYPES) // 3)  # a record of each type, 3 per page
    _Pages.pages = pages
    _Pages.content_type = media_type
    source_records = {
        record_type: tk.get_action("package_show")(
            {"user": "", "ignore_auth": False}, {"id": published[record_type]["id"]}
        )
        for record_type in RECORD_TYPES
    }

    # 2. A clean CKAN with our schemas; it knows the publishers (organizations
    #    of the same names, other ids, other titles) and harvests into another one.
    harvesting_org = _clean_harvesting_portal(reset_db, migrate_db_for, source_records)
    source = HarvestSourceObj(
        url=f"{local}/catalog.{extension}", source_type="dcat_rdf", owner_org=harvesting_org["id"]
    )
    job = HarvestJobObj(source=source)

    # 3. ckanext-dcat's own harvester, real stages.
    results = run_harvest_job(job, DCATRDFHarvester())
    errors = {guid: r["errors"] for guid, r in results.items() if r["errors"]}
    assert errors == {}
    assert len(results) == len(RECORD_TYPES)

    # 4. Every public field of every record is back, its publisher included.
    for record_type, record in source_records.items():
        harvested = tk.get_action("package_show")({"ignore_auth": True}, {"id": record["name"]})
        assert harvested["organization"]["name"] == record["organization"]["name"]
        assert comparable(restricted_to(harvested, record)) == comparable(record), record_type
        assert public_view(record_type, harvested) == public_view(record_type, record)


# --- three runs, records edited and withdrawn between them (issue 13) ------------------------
PROVENANCE = ("source_name", "source_record_id", "source_url", "harvested_at")


def _catalogue_pages(app, extension: str, local: str) -> dict[str, bytes]:
    """Our catalogue, page by page, with its paging links pointing at ``local``."""
    rdflib_format = FORMATS[extension][0]
    site = tk.config["ckan.site_url"].rstrip("/")
    pages: dict[str, bytes] = {}
    path = f"/catalog.{extension}"
    while path:
        response = app.get(path)
        assert response.status_code == 200, response.body
        body = response.body.replace(f"{site}/catalog.{extension}", f"{local}/catalog.{extension}")
        pages[path] = body.encode("utf-8")
        graph = Graph().parse(data=body, format=rdflib_format)
        following = [str(o) for o in graph.objects(None, HYDRA.next)]
        path = following[0][len(local) :] if following else None
        assert len(pages) < 10
    return pages


def _public(record_type: str, record: dict) -> dict:
    view = public_view(record_type, record)
    for key in PROVENANCE:
        view.pop(key, None)
    return view


def _three_states(
    app, world, published, extension: str, local: str, with_changes: bool = True
) -> list[tuple]:
    """The catalogue and the anonymous ``package_show`` of each record, four times: as
    published; after edits (multi-valued fields included); after one record is withdrawn
    (deleted: gone from the catalogue); then nothing changed (the catalogue taken again).
    Without ``with_changes``: as published, then nothing changed."""
    anonymous = {"user": "", "ignore_auth": False}

    def snapshot() -> tuple[dict[str, bytes], dict[str, dict]]:
        records = {}
        for record_type in RECORD_TYPES:
            # a deleted record is gone from the catalogue
            with contextlib.suppress(tk.ObjectNotFound, tk.NotAuthorized):
                records[record_type] = tk.get_action("package_show")(
                    dict(anonymous), {"id": published[record_type]["id"]}
                )
        return _catalogue_pages(app, extension, local), records

    states = [snapshot()]
    if not with_changes:
        return [*states, snapshot()]
    world.call(
        "sysadmin",
        "package_patch",
        id=published["accommodation"]["id"],
        title="Khách sạn Hải Âu (đổi tên)",
        rooms=95,
        amenities=["wifi", "restaurant"],
    )
    world.call(
        "sysadmin", "package_patch", id=published["tour-guide"]["id"], languages=["en", "ja"]
    )
    states.append(snapshot())
    world.call("sysadmin", "package_delete", id=published["tour-operator"]["id"])
    states.append(snapshot())
    # nothing changes: the catalogue is served again, freshly written (an unchanged run
    # must be "not modified" even if the output differed in form)
    states.append(snapshot())
    return states


def _clean_harvesting_portal(reset_db, migrate_db_for, records: dict[str, dict]) -> dict:
    """A clean CKAN with our schemas that knows the publishers of ``records`` (organizations
    of the same names, other ids, other titles); returns the organization that will own the
    harvest sources."""
    organizations = {
        r["organization"]["name"]: r["organization"]["title"] for r in records.values()
    }
    reset_db()
    for plugin in ("activity", "harvest", "khtourism"):
        migrate_db_for(plugin)
    for name, title in organizations.items():
        factories.Organization(name=name, title=f"{title} (cổng thu hoạch)")
    return factories.Organization(name="cong-thu-hoach")


def _run(harvester, source, run: int, unchanged: bool) -> list:
    """One harvest job of ``source``; its objects, after checking no error and, on the
    unchanged run (the last), that every object is "not modified"."""
    from ckanext.harvest.model import HarvestObject

    job = HarvestJobObj(source=source)
    run_harvest_job(job, harvester)
    objects = HarvestObject.filter(harvest_job_id=job.id).all()
    errors = [e.message for obj in objects for e in obj.errors]
    errors += [e.message for e in job.gather_errors]
    assert errors == [], (run, source.url, errors)
    statuses = {obj.report_status for obj in objects}
    if unchanged:
        assert statuses <= {"not modified"}, (run, source.url, statuses)
    return objects


def _check_record(run: int, record_type: str, harvested: dict, record: dict, obj) -> None:
    """Every public field equal, the publisher back, ckanext-harvest's extras present."""
    assert harvested["organization"]["name"] == record["organization"]["name"]
    assert _public(record_type, harvested) == _public(record_type, record), (run, record_type)
    extras = {e["key"]: e["value"] for e in harvested.get("extras") or []}
    assert {k: extras.get(k) for k in HARVEST_PROVENANCE} == {
        "harvest_object_id": obj.id,
        "harvest_source_id": obj.harvest_source_id,
        "harvest_source_title": obj.source.title,
    }, (run, record_type)


HARVEST_PROVENANCE = ("harvest_object_id", "harvest_source_id", "harvest_source_title")


def _current_object(package_id: str):
    from ckanext.harvest.model import HarvestObject

    return (
        HarvestObject.filter(package_id=package_id, current=True)
        .order_by(HarvestObject.import_finished.desc())
        .first()
    )


# The edits and the withdrawal reach the harvester as parsed records, the same for every
# format: the four runs in Turtle; in RDF/XML and JSON-LD the catalogue as published, then
# unchanged (every public field parsed back from that format, and nothing "modified" by a
# catalogue written again).
RUNS_BY_FORMAT = [("jsonld", False), ("rdf", False), ("ttl", True)]


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "3")
@pytest.mark.parametrize(("extension", "with_changes"), RUNS_BY_FORMAT)
def test_khtourism_dcat_three_runs_keep_every_public_field(
    app, published, world, fixture_server, reset_db, migrate_db_for, extension, with_changes
):
    """A second portal harvests this portal's catalogue with ``khtourism_dcat`` (one source
    per record type) three times (edits, then a withdrawal between runs), then once more
    unchanged; every record carries ckanext-harvest's extras (tour guides included)."""
    from ckanext.khtourism.harvesters.catalogue import DCATCatalogueHarvester

    media_type = FORMATS[extension][1]
    local = f"http://127.0.0.1:{fixture_server.server_address[1]}"
    states = _three_states(app, world, published, extension, local, with_changes)
    names = {record_type: record["name"] for record_type, record in states[0][1].items()}
    harvesting_org = _clean_harvesting_portal(reset_db, migrate_db_for, states[0][1])
    sources = {
        # one URL per source (a harvest source's URL is unique)
        record_type: HarvestSourceObj(
            url=f"{local}/source-{record_type}/catalog.{extension}",
            source_type="khtourism_dcat",
            owner_org=harvesting_org["id"],
            config=(
                f'{{"record_type": "{record_type}", "publish": "direct", '
                f'"rdf_format": "{media_type}"}}'
            ),
        )
        for record_type in RECORD_TYPES
    }
    for run, (pages, records) in enumerate(states, start=1):
        _Pages.pages = pages
        _Pages.content_type = media_type
        for record_type, source in sources.items():
            objects = _run(DCATCatalogueHarvester(), source, run, run == len(states))
            package_ids = {obj.package_id for obj in objects if obj.package_id}
            assert len(package_ids) == 1, (run, record_type, package_ids)
            package_id = package_ids.pop()
            harvested = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
            assert harvested["name"] == names[record_type]
            if record_type not in records:  # withdrawn at the source
                assert harvested["operating_status"] == "withdrawn", run
                assert harvested["state"] == "active"
                continue
            _check_record(
                run, record_type, harvested, records[record_type], _current_object(package_id)
            )


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "3")
@pytest.mark.parametrize(("extension", "with_changes"), RUNS_BY_FORMAT)
def test_dcat_rdf_three_runs_keep_every_public_field(
    app, published, world, fixture_server, reset_db, migrate_db_for, extension, with_changes
):
    """The same with ckanext-dcat's stock ``dcat_rdf``: one source for the whole catalogue.

    Our profile parses a record's ``dct:type`` back to its record type, so stock
    ``dcat_rdf`` lands our records as records of their types (not plain datasets): every
    public field comes back, as with ``khtourism_dcat``. What differs is upstream's
    behaviour: a record gone from the catalogue is *deleted* (``khtourism_dcat`` marks it
    withdrawn), and records are read back as the harvest user on the next runs although
    they are private drafts (harvesters/containment.py). An unchanged record is "not
    modified" (harvesters/catalogue.py ``before_update``: upstream would update it)."""
    media_type = FORMATS[extension][1]
    local = f"http://127.0.0.1:{fixture_server.server_address[1]}"
    states = _three_states(app, world, published, extension, local, with_changes)
    names = {record_type: record["name"] for record_type, record in states[0][1].items()}
    harvesting_org = _clean_harvesting_portal(reset_db, migrate_db_for, states[0][1])
    source = HarvestSourceObj(
        url=f"{local}/catalog.{extension}",
        source_type="dcat_rdf",
        owner_org=harvesting_org["id"],
        config=f'{{"rdf_format": "{media_type}"}}',
    )
    for run, (pages, records) in enumerate(states, start=1):
        _Pages.pages = pages
        _Pages.content_type = media_type
        objects = _run(DCATRDFHarvester(), source, run, run == len(states))
        assert objects, run
        for record_type in RECORD_TYPES:
            pkg = model.Package.get(names[record_type])
            assert pkg is not None, (run, record_type)
            harvested = tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg.id})
            assert harvested["type"] == record_type
            if record_type not in records:  # withdrawn at the source: upstream deletes it
                assert harvested["state"] == "deleted", run
                continue
            _check_record(
                run, record_type, harvested, records[record_type], _current_object(pkg.id)
            )
