"""Real DCAT / DCAT-AP catalogues that other projects publish (issue 13): every
``dcat:Dataset`` of each file lands as a dataset of this portal, with ckanext-dcat's stock
``dcat_rdf`` harvester and with our ``khtourism_dcat`` — or gets a readable per-object
error naming the dataset and the field — and no consumer dies (the jobs run through the
real Redis queues, as ``make run``'s consumers run them).

The files, their sources, commits and licences: tests/fixtures/third_party_catalogues/README.md.
The expected count of each file is parsed from the file with rdflib, never written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCAT, RDF

import ckan.model as model
from ckan.tests import factories

from tests.harvesters.harvest_fixtures import Reply, create_source, run_job_through_queues

CATALOGUES = Path(__file__).resolve().parents[1] / "fixtures" / "third_party_catalogues"
MEDIA_TYPES = {
    ".ttl": ("text/turtle", "turtle"),
    ".rdf": ("application/rdf+xml", "xml"),
    ".jsonld": ("application/ld+json", "json-ld"),
}
FILES = sorted(path.name for path in CATALOGUES.iterdir() if path.suffix in MEDIA_TYPES)
HARVESTERS = {
    "dcat_rdf": {},
    "khtourism_dcat": {"record_type": "dataset", "publish": "direct"},
}


def datasets_in(path: Path) -> set[str]:
    """The dcat:Dataset nodes of a file (URIs, or blank-node ids), read with rdflib."""
    graph = rdflib.Graph()
    graph.parse(path, format=MEDIA_TYPES[path.suffix][1])
    return {str(node) for node in graph.subjects(RDF.type, DCAT.Dataset)}


def test_the_fixtures_are_at_least_ten_files_of_four_projects_in_three_formats():
    projects = {name.split("__", 1)[0] for name in FILES}
    formats = {Path(name).suffix for name in FILES}
    assert len(FILES) >= 10 and len(projects) >= 4 and formats == set(MEDIA_TYPES)
    readme = (CATALOGUES / "README.md").read_text("utf-8")
    assert all(f"`{name}`" in readme for name in FILES)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("harvester", sorted(HARVESTERS))
@pytest.mark.parametrize("file_name", FILES)
def test_every_dataset_of_a_real_catalogue_lands(fixture_server, harvester, file_name):
    path = CATALOGUES / file_name
    media_type, _rdflib_format = MEDIA_TYPES[path.suffix]
    expected = datasets_in(path)
    assert expected, f"{file_name} has no dcat:Dataset"
    url = fixture_server.handler(
        f"/{file_name}", lambda _q: Reply(path.read_bytes(), content_type=media_type)
    )
    org = factories.Organization()
    config = {**HARVESTERS[harvester], "rdf_format": media_type}
    result = run_job_through_queues(create_source(harvester, url, config, owner_org=org["id"]))

    assert result.job.status == "Finished"
    assert result.gather_errors == [], result.gather_errors
    landed = {guid for guid, obj in result.objects.items() if obj["report_status"] == "added"}
    errored = {guid: obj["errors"] for guid, obj in result.objects.items() if obj["errors"]}
    assert len(result.objects) == len(expected), (sorted(result.objects), sorted(expected))
    # a dataset that does not land says which dataset and which field
    for guid, errors in errored.items():
        assert all(guid in error or "dataset" in error.lower() for error in errors), errors
        assert all(":" in error for error in errors), errors
    assert len(landed) + len(errored) == len(expected), result.objects
    assert errored == {}, errored
    datasets = [
        model.Package.get(obj["package_id"])
        for obj in result.objects.values()
        if obj["report_status"] == "added"
    ]
    assert all(p is not None and p.state == "active" and p.title for p in datasets)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("harvester", sorted(HARVESTERS))
def test_a_dataset_without_title_or_description_lands_and_says_so(fixture_server, harvester):
    """W3C's DCAT 3 example dataset-002 has neither dct:title nor dct:description: stock
    ckanext-dcat's gather failed on it (``KeyError: 'title'``, losing the whole catalogue);
    it lands titled by the last segment of its URI, its description saying it has none."""
    from ckan.tests import helpers

    path = CATALOGUES / "dxwg__dataset-002.jsonld"
    url = fixture_server.handler(
        "/dataset-002.jsonld",
        lambda _q: Reply(path.read_bytes(), content_type="application/ld+json"),
    )
    org = factories.Organization()
    config = {**HARVESTERS[harvester], "rdf_format": "application/ld+json"}
    result = run_job_through_queues(create_source(harvester, url, config, owner_org=org["id"]))
    (obj,) = result.objects.values()
    assert obj["report_status"] == "added", (obj, result.gather_errors)
    dataset = helpers.call_action("package_show", {"ignore_auth": True}, id=obj["package_id"])
    assert dataset["title"] == "dataset-002"
    assert dataset["notes"].startswith("Danh mục nguồn không có mô tả (dct:description)")
    assert "The source catalogue gives no description (dct:description)" in dataset["notes"]
