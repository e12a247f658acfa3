"""Callers outside CKAN core: ckanext-harvest, ckanext-dcat, package_autocomplete."""

from __future__ import annotations

import datetime as dt

import pytest
import rdflib
import sqlalchemy as sa

from ckan import model
from ckan.tests import helpers

from tests.search.search_helpers import search_config, titles

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


def _harvest(portal, source, dataset):
    """Record ``dataset`` as harvested by ``source`` (what an import stage leaves behind)."""
    from ckanext.harvest.model import HarvestJob, HarvestObject

    job = HarvestJob(source_id=source["id"], status="Finished")
    job.save()
    HarvestObject(
        guid=dataset["name"],
        job=job,
        source=job.source,
        package_id=dataset["id"],
        current=True,
        import_finished=dt.datetime.utcnow(),
        state="COMPLETE",
    ).save()
    from ckan.lib.search import rebuild

    rebuild(dataset["id"])


@search_config
def test_harvest_source_listing_counts_and_clear(portal, app):
    source = helpers.call_action(
        "harvest_source_create",
        context=portal.context(),
        name="so-du-lich",
        title="Sở Du lịch register",
        url="http://127.0.0.1:9/catalog",
        source_type="ckan",
        owner_org=portal.org["id"],
    )
    first = portal.create("Harvested hotel 1")
    second = portal.create("Harvested hotel 2")
    portal.create("Own hotel")
    _harvest(portal, source, first)
    _harvest(portal, source, second)

    sources = portal.search(fq="+dataset_type:harvest")
    assert [s["name"] for s in sources["results"]] == ["so-du-lich"]
    # ckanext-harvest hides sources from ordinary searches
    assert "Sở Du lịch register" not in titles(portal.search(rows=100))

    from ckanext.harvest.helpers import package_count_for_source

    assert package_count_for_source(source["id"]) == 2
    by_source = portal.search(fq=f'+harvest_source_id:"{source["id"]}"')
    assert sorted(titles(by_source)) == ["Harvested hotel 1", "Harvested hotel 2"]

    listing = helpers.call_action("harvest_source_list", context=portal.context())
    assert [s["id"] for s in listing] == [source["id"]]
    page = app.get("/harvest/", extra_environ={"REMOTE_USER": portal.sysadmin["name"]})
    assert "Sở Du lịch register" in page.body

    helpers.call_action("harvest_source_clear", context=portal.context(), id=source["id"])
    model.Session.remove()
    assert package_count_for_source(source["id"]) == 0
    assert titles(portal.search()) == ["Own hotel"]


@search_config
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_dcat_catalog_pages_with_modified_since(portal, app):
    old = portal.create("Old hotel")
    for number in range(3):
        portal.create(f"Recent hotel {number}")
    model.Session.execute(
        sa.text("UPDATE package SET metadata_modified = '2020-01-01' WHERE id = :id"),
        {"id": old["id"]},
    )
    model.Session.commit()
    model.Session.remove()
    from ckan.lib.search import rebuild

    rebuild(old["id"])

    seen = []
    for page_number in (1, 2):
        response = app.get(
            "/catalog.ttl", query_string={"modified_since": "2024-06-01", "page": page_number}
        )
        graph = rdflib.Graph().parse(data=response.body, format="turtle")
        datasets = list(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
        assert len(datasets) == (2 if page_number == 1 else 1)
        totals = [int(t) for t in graph.objects(None, HYDRA.totalItems)]
        assert totals == [3]
        seen.extend(str(t) for d in datasets for t in graph.objects(d, rdflib.DCTERMS.title))
    assert sorted(seen) == ["Recent hotel 0", "Recent hotel 1", "Recent hotel 2"]

    everything = app.get("/catalog.ttl", query_string={"q": "hotel", "page": 2})
    graph = rdflib.Graph().parse(data=everything.body, format="turtle")
    assert [int(t) for t in graph.objects(None, HYDRA.totalItems)] == [4]


@search_config
def test_autocomplete_tolerates_typos(portal, app):
    portal.create("Khách sạn Nha Trang", name="khach-san-nha-trang")
    portal.create("Tháp Bà Ponagar", name="thap-ba-ponagar")
    portal.create("Private Nha Trang villa", name="private-villa", private=True)

    def complete(q):
        return [
            r["name"]
            for r in helpers.call_action(
                "package_autocomplete", context={"user": "", "ignore_auth": False}, q=q
            )
        ]

    assert complete("nha trang") == ["khach-san-nha-trang"]
    assert complete("ponagr") == ["thap-ba-ponagar"]  # typo
    assert complete("khach sna") == ["khach-san-nha-trang"]  # typo
    assert complete("Tháp") == ["thap-ba-ponagar"]
    response = app.get("/api/2/util/dataset/autocomplete", query_string={"incomplete": "ponagr"})
    assert [r["name"] for r in response.json["ResultSet"]["Result"]] == ["thap-ba-ponagar"]
