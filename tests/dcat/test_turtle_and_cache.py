"""The linear-time Turtle writer and the per-record fragment cache."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ckanext.dcat.processors import RDFSerializer

from ckanext.khtourism.dcat import fragments, turtle, writers


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_turtle_writer_keeps_the_graph(sample_records):
    serializer = RDFSerializer()
    for record in sample_records.values():
        serializer.graph_from_dataset(record)
    written = turtle.serialize(serializer.g)
    parsed = Graph().parse(data=written, format="turtle")
    assert len(parsed) == len(serializer.g) > 300
    assert isomorphic(parsed, serializer.g)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(
    ("write", "rdflib_format"),
    [(writers.xml_document, "xml"), (writers.jsonld_document, "json-ld")],
)
def test_rdfxml_and_jsonld_writers_keep_the_graph(sample_records, write, rdflib_format):
    serializer = RDFSerializer()
    for record in sample_records.values():
        serializer.graph_from_dataset(record)
    written = write(serializer.g)
    parsed = Graph().parse(data=written, format=rdflib_format)
    assert len(parsed) == len(serializer.g) > 300
    assert isomorphic(parsed, serializer.g)


def test_writers_escape_what_their_syntax_needs():
    from rdflib import BNode, Literal, URIRef

    graph = Graph()
    subject = URIRef("https://example.vn/a?x=1&y='2'")
    odd = BNode()
    graph.add((subject, URIRef("https://example.vn/terms/2024#note"), Literal('a < b & "c"\n]}')))
    graph.add((subject, URIRef("https://other.example/vocab/label"), Literal("Nhà", lang="vi")))
    graph.add((subject, URIRef("https://other.example/vocab/count"), Literal(3)))
    graph.add((subject, URIRef("https://other.example/vocab/part"), odd))
    graph.add((odd, URIRef("https://other.example/vocab/flag"), Literal(True)))
    for write, rdflib_format in (
        (writers.xml_document, "xml"),
        (writers.jsonld_document, "json-ld"),
        (turtle.serialize, "turtle"),
    ):
        parsed = Graph().parse(data=write(graph), format=rdflib_format)
        assert isomorphic(parsed, graph), rdflib_format


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_one_graph_build_gives_every_format(sample_records):
    texts, ref = fragments.render(sample_records["heritage-site"])
    assert set(texts) == {"ttl", "xml", "jsonld"}
    graphs = []
    for _format, rdflib_format in (("ttl", "turtle"), ("xml", "xml"), ("jsonld", "json-ld")):
        document = fragments.page_header(_format) + texts[_format] + fragments.page_footer(_format)
        graphs.append(Graph().parse(data=document, format=rdflib_format))
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    assert len(graphs[0]) > 50


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_fragment_cache_follows_record_changes(sample_records):
    fragments.flush()
    record = sample_records["accommodation"]
    first = fragments.record_fragments([record])[0][0]
    assert fragments.record_fragments([record])[0][0] == first  # from the cache
    changed = dict(record, title="Khách sạn Đổi Tên", metadata_modified="2026-11-26T10:00:00")
    second = fragments.record_fragments([changed])[0][0]
    assert "Khách sạn Đổi Tên" in second and "Khách sạn Đổi Tên" not in first
    assert fragments.flush() == 2
    # Formats are cached separately; ``also`` writes several from one graph build.
    fragments.record_fragments([record], _format="jsonld", also=fragments.FORMATS)
    assert fragments.record_fragments([record], _format="xml")[0][0].startswith("<rdf:Description")
    assert fragments.flush() == 3


@pytest.mark.ckan_config("ckanext.khtourism.dcat.cache_ttl", "0")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_cache_can_be_disabled(sample_records):
    fragments.flush()
    fragments.record_fragments([sample_records["tour-guide"]])
    assert fragments.flush() == 0
