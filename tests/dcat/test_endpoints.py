"""The catalogue and record endpoints on real records (action API + workflow)."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.dcat import registry
from tests.dcat.dcat_shacl import violations
from tests.record_fixtures import PRIVATE_VALUES

HYDRA = "http://www.w3.org/ns/hydra/core#"
FORMATS = {"ttl": "turtle", "rdf": "xml", "xml": "xml", "jsonld": "json-ld"}


def fetch_graph(app, url: str, headers=None, fmt: str = "turtle") -> Graph:
    response = app.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    graph = Graph()
    graph.parse(data=response.body, format=fmt)
    return graph


def dataset_ids(graph: Graph) -> set[str]:
    return {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, DCAT.Dataset)}


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_catalog_lists_published_records_only(app, published, extension):
    graph = fetch_graph(app, f"/catalog.{extension}", fmt=FORMATS[extension])
    ids = dataset_ids(graph)
    for record_type in RECORD_TYPES:
        assert published[record_type]["id"] in ids
    assert published["draft"]["id"] not in ids
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    titles = {
        (str(t), t.language)
        for t in graph.objects(catalog, URIRef("http://purl.org/dc/terms/title"))
    }
    assert {lang for _t, lang in titles} == {"vi", "en"}


def test_no_private_data_in_any_rdf_output(app, world, published):
    sysadmin = world.person("sysadmin").headers
    guide = published["tour-guide"]
    # A pending revision of a published record stays out of RDF too.
    world.call(
        "member_a",
        "package_patch",
        id=published["accommodation"]["id"],
        title="Tiêu đề chờ duyệt bí mật",
    )
    urls = [f"/catalog.{ext}" for ext in FORMATS]
    urls += [f"/dataset/{guide['id']}.{ext}" for ext in ("ttl", "rdf", "jsonld")]
    urls += [
        f"/tour-guide/{guide['name']}.ttl",
        "/catalog/tour-guide.ttl",
        "/registry/tour-guide.csv",
        "/registry/tour-guide.geojson",
        f"/dataset/{published['accommodation']['id']}.ttl",
    ]
    for url in urls:
        for headers in ({}, sysadmin):
            response = app.get(url, headers=headers)
            assert response.status_code == 200, url
            for value in PRIVATE_VALUES + ("Tiêu đề chờ duyệt bí mật", "Khách sạn Nháp Bí Mật"):
                assert value not in response.body, f"{value!r} leaked in {url}"
    assert guide["card_number"] in app.get(f"/dataset/{guide['id']}.ttl").body


def test_draft_record_rdf_is_not_found_even_for_sysadmin(app, world, published):
    draft = published["draft"]
    for headers in ({}, world.person("sysadmin").headers, world.person("member_a").headers):
        for url in (f"/dataset/{draft['id']}.ttl", f"/accommodation/{draft['name']}.ttl"):
            assert app.get(url, headers=headers).status_code == 404, url


def test_record_type_filter(app, published):
    graph = fetch_graph(app, "/catalog/heritage-site.ttl")
    assert dataset_ids(graph) == {published["heritage-site"]["id"]}
    graph = fetch_graph(app, "/catalog.ttl?fq=dataset_type:tour-guide")
    assert dataset_ids(graph) == {published["tour-guide"]["id"]}
    assert app.get("/catalog/not-a-type.ttl").status_code == 404


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_hydra_paging_walks_every_record(app, published):
    seen: set[str] = set()
    url = "/catalog.ttl"
    pages = 0
    while url:
        graph = fetch_graph(app, url)
        seen |= dataset_ids(graph)
        pages += 1
        following = list(graph.objects(None, URIRef(HYDRA + "next")))
        url = str(following[0]).split("//", 1)[-1].split("/", 1)[-1] if following else None
        url = "/" + url if url else None
        assert pages <= 10
    assert pages == -(-len(RECORD_TYPES) // 2)  # one public record of each type, 2 a page
    assert {published[t]["id"] for t in RECORD_TYPES} <= seen


def test_modified_since(app, published):
    graph = fetch_graph(app, "/catalog.ttl?modified_since=2999-01-01")
    assert dataset_ids(graph) == set()
    graph = fetch_graph(app, "/catalog.ttl?modified_since=2000-01-01")
    assert published["tour-guide"]["id"] in dataset_ids(graph)


NEGOTIATED = {
    "text/turtle": ("turtle", "text/turtle"),
    "application/rdf+xml": ("xml", "application/rdf+xml"),
    "application/ld+json": ("json-ld", "application/ld+json"),
}


@pytest.mark.parametrize("accept", sorted(NEGOTIATED))
def test_content_negotiation_on_the_records_own_pages(app, world, published, accept):
    """/<record_type>/<name> and /dataset/<id>: RDF for an RDF Accept header, else HTML."""
    rdflib_format, content_type = NEGOTIATED[accept]
    sysadmin = world.person("sysadmin").headers
    for record_type in RECORD_TYPES:
        record = published[record_type]
        for url in (f"/{record_type}/{record['name']}", f"/dataset/{record['id']}"):
            for headers in ({}, sysadmin):
                response = app.get(url, headers={**headers, "Accept": accept})
                assert response.status_code == 200, (url, accept)
                assert content_type in response.headers["Content-Type"], url
                assert "Accept" in response.headers.get("Vary", ""), url
                graph = Graph().parse(data=response.body, format=rdflib_format)
                assert dataset_ids(graph) == {record["id"]}, url
                for value in PRIVATE_VALUES:
                    assert value not in response.body, f"{value!r} leaked in {url}"
    # A draft's page is HTML for its owner, never RDF; a record under another
    # type's URL is not found.
    draft = published["draft"]
    for headers in ({}, sysadmin, world.person("member_a").headers):
        for url in (f"/accommodation/{draft['name']}", f"/dataset/{draft['id']}"):
            response = app.get(url, headers={**headers, "Accept": accept})
            assert response.status_code == 404, (url, headers)
            assert "Khách sạn Nháp Bí Mật" not in response.body
    # An explicit extension wins over the Accept header.
    record = published["accommodation"]
    for url in (f"/dataset/{record['id']}.ttl", f"/accommodation/{record['name']}.ttl"):
        response = app.get(url, headers={"Accept": accept})
        assert "text/turtle" in response.headers["Content-Type"], url
    wrong_type = f"/accommodation/{published['tour-guide']['name']}"
    assert app.get(wrong_type, headers={"Accept": accept}).status_code == 404
    assert app.get(wrong_type + ".ttl").status_code == 404


def test_record_pages_are_html_for_browsers_and_without_an_accept_header(app, published):
    """The other side of the negotiation above (once, not per RDF type): a browser's Accept
    header, or none, gets the HTML page, which varies by Accept too."""
    for record_type in RECORD_TYPES:
        record = published[record_type]
        for url in (f"/{record_type}/{record['name']}", f"/dataset/{record['id']}"):
            html = app.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
            assert html.status_code == 200 and "text/html" in html.headers["Content-Type"], url
            assert "Accept" in html.headers.get("Vary", ""), url
            assert "text/html" in app.get(url).headers["Content-Type"], url


def test_content_negotiation_on_the_vocabulary(app):
    response = app.get("/dcat/record-types", headers={"Accept": "application/ld+json"})
    assert "application/ld+json" in response.headers["Content-Type"]
    Graph().parse(data=response.body, format="json-ld")


def test_record_types_scheme_is_published(app):
    graph = fetch_graph(app, "/dcat/record-types.ttl")
    concepts = {
        str(c).rsplit("#", 1)[-1]
        for c in graph.subjects(URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), None)
    }
    assert concepts == set(RECORD_TYPES)  # every declared type (core/record_types.py)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "3")
@pytest.mark.parametrize("extension", ["ttl", "rdf", "jsonld"])
def test_catalog_graph_against_dcat_ap_3_shapes(app, published, dcat_shapes, extension):
    """Every catalogue page (3 datasets a page: records, registry datasets and the
    DataService spread over several pages) has no violation of the base + range shapes."""
    registry.refresh_all()  # registry datasets and the DataService are in the catalogue too
    url, pages, seen, located = f"/catalog.{extension}", 0, set(), 0
    while url:
        graph = fetch_graph(app, url, fmt=FORMATS[extension])
        pages += 1
        seen |= dataset_ids(graph)
        located += len(set(graph.subjects(RDF.type, URIRef("http://purl.org/dc/terms/Location"))))
        found = violations(graph, dcat_shapes)
        assert found == [], f"{url}:\n" + "\n".join(map(str, found))
        following = [str(o) for o in graph.objects(None, URIRef(HYDRA + "next"))]
        url = "/" + following[0].split("//", 1)[-1].split("/", 1)[-1] if following else ""
    assert pages >= 3
    for record_type in ("accommodation", "tour-operator", "tour-guide", "heritage-site"):
        assert published[record_type]["id"] in seen
    assert located >= 3  # the located records' dct:Location nodes were validated


@pytest.mark.parametrize(
    "record_type", ["accommodation", "tour-operator", "tour-guide", "heritage-site"]
)
def test_record_pages_against_dcat_ap_3_shapes(app, published, dcat_shapes, record_type):
    graph = fetch_graph(app, f"/dataset/{published[record_type]['id']}.ttl")
    found = violations(graph, dcat_shapes)
    assert found == [], "\n".join(map(str, found))


def _diff(ours: Graph, reference: Graph) -> str:
    from rdflib.compare import graph_diff, to_isomorphic

    _both, only_ours, only_reference = graph_diff(to_isomorphic(ours), to_isomorphic(reference))
    return (
        "only in ours:\n"
        + "\n".join(sorted(map(str, only_ours)))[:3000]
        + "\nonly in the reference:\n"
        + "\n".join(sorted(map(str, only_reference)))[:3000]
    )


def test_catalog_formats_carry_the_same_graph(app, published):
    """Turtle, RDF/XML (both URLs) and JSON-LD pages: one graph, cold cache or warm,
    and the same as rdflib's own serialization through ckanext-dcat (N3)."""
    from rdflib.compare import isomorphic

    from ckanext.khtourism.dcat import fragments

    fragments.flush()
    graphs = {ext: fetch_graph(app, f"/catalog.{ext}", fmt=fmt) for ext, fmt in FORMATS.items()}
    warm = {ext: fetch_graph(app, f"/catalog.{ext}", fmt=fmt) for ext, fmt in FORMATS.items()}
    reference = fetch_graph(app, "/catalog.n3", fmt="n3")  # ckanext-dcat + rdflib

    def without_paging(graph: Graph) -> Graph:
        """The Hydra paging node is named after the page's own URL (format included)."""
        (page,) = set(graph.subjects(RDF.type, URIRef(HYDRA + "PagedCollection")))
        graph.remove((page, None, None))
        return graph

    reference = without_paging(reference)
    assert len(reference) > 300
    for ext in FORMATS:
        without_paging(graphs[ext])
        without_paging(warm[ext])
        assert len(graphs[ext]) == len(reference), ext
        assert isomorphic(graphs[ext], reference), _diff(graphs[ext], reference)
        assert isomorphic(warm[ext], reference), ext
