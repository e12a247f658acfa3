"""Every harvester stage is fault-contained: a broken catalogue, an exception in any stage of
any source type, or a record the import cannot read becomes a job or object error, the job
ends "Finished" with the error visible, and the consumer that ran it goes on.

Jobs run through the real Redis queues and the consumers' own callbacks
(``run_job_through_queues``): an exception escaping a callback would end a consumer process
and fails the test."""

from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import (
    FIXTURES,
    Reply,
    create_source,
    fixture_reply,
    run_job_through_queues,
)

HERITAGE = {
    "record_type": "heritage-site",
    "publish": "direct",
    "defaults": {"ranking": "quoc_gia", "heritage_type": "lich_su"},
}

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    b"<h1>502 Bad Gateway</h1><p>The proxy server received an invalid response from an "
    b"upstream server.</p><hr><address>nginx</address></body></html>"
)


def _truncated_turtle() -> bytes:
    text = (FIXTURES / "catalogue/catalog.ttl").read_bytes()
    cut = text.index(b"dct:identifier", text.index(b"hon-chong-hon-do> a dcat:Dataset"))
    return text[: cut + 8]  # '… dct:ide' and nothing more: the connection was cut


# (name, body, content type, rdf_format of the source)
BROKEN_CATALOGUES = [
    pytest.param(
        (FIXTURES / "catalogue/catalog-trailing-comma.jsonld").read_bytes(),
        "application/ld+json",
        "json-ld",
        id="jsonld-trailing-comma",
    ),
    pytest.param(_truncated_turtle(), "text/turtle", "text/turtle", id="truncated-turtle"),
    pytest.param(
        bytes(range(256)) * 40 + b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", None, id="binary"
    ),
    pytest.param(HTML_ERROR_PAGE, "text/html; charset=utf-8", None, id="html-error-page"),
]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("source_type", ["khtourism_dcat", "dcat_rdf"])
@pytest.mark.parametrize(("body", "content_type", "rdf_format"), BROKEN_CATALOGUES)
def test_broken_catalogue_is_a_gather_error_and_the_consumer_goes_on(
    fixture_server, source_type, body, content_type, rdf_format
):
    org = factories.Organization()
    url = fixture_server.handler("/catalog", lambda q: Reply(body, 200, content_type))
    config = dict(HERITAGE) if source_type == "khtourism_dcat" else {}
    if rdf_format:
        config["rdf_format"] = rdf_format
    source = create_source(source_type, url, config, owner_org=org["id"])

    result = run_job_through_queues(source)  # fails if a consumer callback raises

    assert result.job.status == "Finished"
    assert result.gather_errors, "the job must say why nothing was harvested"
    assert all(len(error) < 3000 for error in result.gather_errors)
    assert result.objects == {} or all(o["state"] == "ERROR" for o in result.objects.values())

    # The next job of a fixed catalogue runs normally: nothing was left stuck.
    fixture_server.routes["/catalog"] = lambda q: fixture_reply(
        "catalogue/catalog.ttl", content_type="text/turtle"
    )
    source = helpers.call_action(
        "harvest_source_patch",
        {"user": factories.Sysadmin()["name"]},
        id=source["id"],
        config=__import__("json").dumps(dict(config, rdf_format="text/turtle")),
    )
    fixed = run_job_through_queues(source)
    assert sorted(fixed.statuses().values()) == ["added", "added"], (
        fixed.object_errors() + fixed.gather_errors
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_malformed_jsonld_message_is_readable(fixture_server):
    org = factories.Organization()
    url = fixture_server.file(
        "/catalog.jsonld",
        "catalogue/catalog-trailing-comma.jsonld",
        content_type="application/ld+json",
    )
    source = create_source("dcat_rdf", url, {"rdf_format": "json-ld"}, owner_org=org["id"])
    result = run_job_through_queues(source)
    assert result.job.status == "Finished"
    assert any(
        "JSONDecodeError" in error and "line 23" in error for error in result.gather_errors
    ), result.gather_errors


@pytest.fixture
def failing_stage(monkeypatch):
    """Make one stage of one harvester class raise an unexpected exception."""

    def make(harvester_class, stage: str) -> None:
        def broken(self, *args, **kwargs):
            raise KeyError("a harvester bug nobody expected")

        monkeypatch.setattr(harvester_class, stage, broken)

    return make


SOURCES = {
    "khtourism_spreadsheet": (
        "/dk.csv",
        "spreadsheets/hotels-utf8.csv",
        {"record_type": "accommodation", "publish": "direct"},
    ),
    "khtourism_dcat": ("/catalog.ttl", "catalogue/catalog.ttl", HERITAGE),
    "dcat_rdf": ("/catalog.ttl", "catalogue/catalog.ttl", {}),
}


def _harvester_class(source_type: str):
    from ckanext.harvest import queue

    return type(queue.get_harvester(source_type))


@pytest.mark.usefixtures("with_plugins", "clean_db")
# new records one at a time: through fetch_stage and import_stage (not import_new_batch)
@pytest.mark.ckan_config("ckanext.khtourism.harvest.import_batch_size", "1")
@pytest.mark.parametrize("stage", ["gather_stage", "fetch_stage", "import_stage"])
@pytest.mark.parametrize("source_type", sorted(SOURCES))
def test_an_exception_in_any_stage_is_an_error_of_the_job(
    fixture_server, failing_stage, source_type, stage
):
    org = factories.Organization()
    path, fixture, config = SOURCES[source_type]
    content_type = "text/turtle" if fixture.endswith(".ttl") else None
    url = fixture_server.file(path, fixture, content_type=content_type)
    if fixture.endswith(".ttl"):
        config = dict(config, rdf_format="text/turtle")
    source = create_source(source_type, url, config, owner_org=org["id"])
    failing_stage(_harvester_class(source_type), stage)

    result = run_job_through_queues(source)

    assert result.job.status == "Finished"
    if stage == "gather_stage":
        assert any(
            "gather failed: KeyError" in e and "nobody expected" in e for e in result.gather_errors
        ), result.gather_errors
        assert result.objects == {}
    else:
        assert result.objects, "the gather stage worked: the objects are there"
        assert all(o["state"] == "ERROR" for o in result.objects.values()), result.objects
        assert all(o["report_status"] == "errored" for o in result.objects.values())
        wanted = "fetch failed" if stage == "fetch_stage" else "import failed"
        for o in result.objects.values():
            assert any(wanted in e and "KeyError" in e for e in o["errors"]), o["errors"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_stock_dcat_updates_its_private_datasets_on_the_next_run(fixture_server):
    """ckanext-dcat read the existing dataset as an anonymous user: a private harvested
    dataset raised NotAuthorized out of the import stage (both fetch consumers died, again
    after each restart, as ``harvester run`` resubmitted the objects every minute)."""
    org = factories.Organization()
    url = fixture_server.file("/catalog.ttl", "catalogue/catalog.ttl", content_type="text/turtle")
    source = create_source("dcat_rdf", url, {"rdf_format": "text/turtle"}, owner_org=org["id"])
    first = run_job_through_queues(source)
    assert sorted(first.statuses().values()) == ["added", "added"], first.object_errors()
    sysadmin = factories.Sysadmin()
    for harvested in first.objects.values():
        helpers.call_action(
            "package_patch", {"user": sysadmin["name"]}, id=harvested["package_id"], private=True
        )

    second = run_job_through_queues(source)

    assert second.job.status == "Finished"
    assert second.object_errors() == []
    assert sorted(second.statuses().values()) == ["updated", "updated"]
    for harvested in second.objects.values():
        package = model.Package.get(harvested["package_id"])
        assert package.state == "active" and package.private is True


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_an_object_that_fails_is_not_sent_again_and_again(fixture_server, failing_stage):
    """After an import exception the object is ERROR: ``harvest_jobs_run`` (every minute under
    ``harvester run``) resubmits only WAITING objects."""
    from ckanext.harvest import queue

    org = factories.Organization()
    url = fixture_server.file("/catalog.ttl", "catalogue/catalog.ttl", content_type="text/turtle")
    source = create_source("dcat_rdf", url, {"rdf_format": "text/turtle"}, owner_org=org["id"])
    failing_stage(_harvester_class("dcat_rdf"), "import_stage")
    run_job_through_queues(source)
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {})
    consumer = queue.get_fetch_consumer()
    assert consumer.redis.llen(consumer.routing_key) == 0
