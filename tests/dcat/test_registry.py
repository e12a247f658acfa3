"""Registry datasets: CSV and GeoJSON exports of the published records, the
DataService of the tourism API, refresh by CLI and on record changes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from ckan.tests import helpers

from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.dcat import registry
from ckanext.khtourism.dcat.cli import registry_group
from tests.dcat.dcat_shacl import violations


def test_csv_export_lists_published_records_with_public_fields(app, published):
    response = app.get("/registry/tour-guide.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    assert [row["id"] for row in rows] == [published["tour-guide"]["id"]]
    assert rows[0]["card_number"] == published["tour-guide"]["card_number"]
    assert "id_number" not in rows[0] and "date_of_birth" not in rows[0]


def test_geojson_export_is_a_feature_collection(app, published):
    response = app.get("/registry/accommodation.geojson")
    assert response.status_code == 200
    collection = json.loads(response.body)
    assert collection["type"] == "FeatureCollection"
    ids = [feature["id"] for feature in collection["features"]]
    assert ids == [published["accommodation"]["id"]]  # the draft is not there
    feature = collection["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["star_rating"] == "4"
    assert app.get("/registry/nothing.csv").status_code == 404
    assert app.get("/registry/accommodation.xls").status_code == 404


def test_cli_refresh_creates_registry_datasets_with_data_service(app, cli, published, dcat_shapes):
    result = cli.invoke(registry_group, ["refresh"])
    assert result.exit_code == 0, result.output
    dataset = helpers.call_action("package_show", id="registry-accommodation")
    assert dataset["private"] is False
    assert {r["format"] for r in dataset["resources"]} == {"CSV", "GeoJSON"}
    assert "1" in dataset["notes"]
    # Refreshing again updates in place (stable resource ids).
    again = registry.refresh_registry("accommodation")
    assert sorted(r["id"] for r in again["resources"]) == sorted(
        r["id"] for r in dataset["resources"]
    )

    graph = Graph().parse(data=app.get(f"/dataset/{dataset['id']}.ttl").body, format="turtle")
    services = set(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    service = services.pop()
    endpoint = graph.value(service, DCAT.endpointURL)
    assert str(endpoint).endswith("/api/tourism/v1")
    assert str(graph.value(service, DCAT.endpointDescription)).endswith("/openapi.json")
    assert (
        service,
        DCAT.servesDataset,
        URIRef(str(next(graph.subjects(RDF.type, DCAT.Dataset)))),
    ) in graph
    found = violations(graph, dcat_shapes)
    assert found == [], "\n".join(map(str, found))


@pytest.mark.ckan_config("ckanext.khtourism.api_base_url", "https://api.example.vn/tourism/v1")
def test_data_service_urls_come_from_configuration(app):
    graph = Graph().parse(data=app.get("/dcat/service/tourism-api.ttl").body, format="turtle")
    service = next(graph.subjects(RDF.type, DCAT.DataService))
    assert str(graph.value(service, DCAT.endpointURL)) == "https://api.example.vn/tourism/v1"
    assert (
        str(graph.value(service, DCAT.endpointDescription))
        == "https://api.example.vn/tourism/v1/openapi.json"
    )


def _queued(queue) -> list[tuple[str, tuple]]:
    return [(job.func_name.rsplit(".", 1)[-1], tuple(job.args)) for job in queue.jobs]


@pytest.mark.usefixtures("with_plugins")
def test_record_changes_queue_one_waiting_refresh_and_description(world):
    """Every change queues the registry refresh and the record's description, but a job
    that waits is not queued again: it reads the state when it runs (the demo load once
    queued 89 refreshes of one registry). A job that has started is queued again."""
    from rq import Queue
    from rq.job import JobStatus

    from ckan.lib import jobs

    queue = jobs.get_queue()
    queue.empty()
    # another portal on the same Redis (its own site id): its waiting job of the same id
    # does not stand for ours
    other_site = Queue("ckan:another-site:default", connection=queue.connection)
    other_site.enqueue_call(
        func=registry.refresh_registry_job,
        args=["tour-operator"],
        job_id="khtourism-registry-tour-operator",
    )
    try:
        record = world.create("member_a", "tour-operator", owner="a")
        refresh, description = (
            ("refresh_registry_job", ("tour-operator",)),
            (
                "warm_record_job",
                (record["id"],),
            ),
        )
        assert {refresh, description} <= set(_queued(queue))
        for title in ("Lữ hành mới", "Lữ hành mới hơn"):
            world.call("member_a", "package_patch", id=record["id"], title=title)
        assert _queued(queue).count(refresh) == 1
        assert _queued(queue).count(description) == 1

        # what a worker does when it takes the job: off the queue, started
        job = queue.fetch_job("khtourism-registry-tour-operator")
        queue.remove(job)
        job.set_status(JobStatus.STARTED)
        world.call("member_a", "package_patch", id=record["id"], title="Lữ hành đổi tên")
        assert _queued(queue).count(refresh) == 1

        queue.empty()
        registry.refresh_registry("tour-operator")  # the registry dataset itself: no loop
        assert _queued(queue) == []
    finally:
        queue.empty()
        other_site.empty()


@pytest.mark.usefixtures("with_plugins")
def test_warm_record_job_caches_public_records_only(published):
    from ckanext.khtourism.dcat import fragments

    fragments.flush()
    registry.warm_record_job(published["draft"]["id"])
    assert fragments.flush() == 0
    registry.warm_record_job(published["tour-guide"]["id"])
    assert fragments.flush() == len(fragments.FORMATS)  # one graph build, every format


def test_cli_warm_caches_the_public_records_in_the_formats_asked(app, cli, published):
    from ckanext.khtourism.dcat import fragments
    from ckanext.khtourism.dcat.cli import dcat_group

    fragments.flush()
    result = cli.invoke(dcat_group, ["warm", "--format", "jsonld"])
    assert result.exit_code == 0, result.output
    # one public record of each type; the draft is not public
    assert f"{len(RECORD_TYPES)} record descriptions cached" in result.output
    assert fragments.flush() == len(RECORD_TYPES)
    result = cli.invoke(dcat_group, ["warm"])
    assert result.exit_code == 0, result.output
    assert fragments.flush() == len(RECORD_TYPES) * len(fragments.FORMATS)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_first_refresh_on_a_fresh_install_creates_the_publisher_organization():
    """No demo data: the Department's organization does not exist yet (issue 13: the
    context of the `organization_show` that raised NotFound was reused, and the job failed
    with "organization_show did not call its auth function")."""
    from ckanext.khtourism.dcat import settings

    assert helpers.call_action("organization_list") == []
    dataset = registry.refresh_registry("tour-operator")
    assert dataset["name"] == "registry-tour-operator"
    organization = helpers.call_action("organization_show", id=settings.curator_organization())
    assert dataset["owner_org"] == organization["id"]


def test_registry_datasets_are_not_typed_as_records(app, cli, published):
    """A register is *about* a record type (dcat:theme), it is not a record (dct:type):
    a harvesting portal must not turn it into a record of that type."""
    from rdflib.namespace import DCTERMS

    from ckanext.dcat.processors import RDFParser

    from ckanext.khtourism.dcat import vocabulary

    result = cli.invoke(registry_group, ["refresh"])
    assert result.exit_code == 0, result.output
    for record_type in ("accommodation", "tour-operator", "tour-guide", "heritage-site"):
        body = app.get(f"/dataset/registry-{record_type}.ttl").body
        graph = Graph().parse(data=body, format="turtle")
        dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
        concept = vocabulary.concept_uri(record_type)
        assert (dataset, DCAT.theme, concept) in graph
        assert (dataset, DCTERMS.type, concept) not in graph
        parser = RDFParser()
        parser.parse(body, _format="turtle")
        (parsed,) = list(parser.datasets())
        assert parsed.get("type", "dataset") == "dataset", record_type
