"""The linear-time Turtle writer and the per-record fragment cache."""
from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ckanext.dcat.processors import RDFSerializer

from ckanext.khtourism.dcat import fragments, turtle


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
def test_fragment_cache_follows_record_changes(sample_records):
    fragments.flush()
    record = sample_records["accommodation"]
    first = fragments.record_fragments([record])[0][0]
    assert fragments.record_fragments([record])[0][0] == first  # from the cache
    changed = dict(record, title="Khách sạn Đổi Tên", metadata_modified="2026-11-26T10:00:00")
    second = fragments.record_fragments([changed])[0][0]
    assert "Khách sạn Đổi Tên" in second and "Khách sạn Đổi Tên" not in first
    assert fragments.flush() == 2


@pytest.mark.ckan_config("ckanext.khtourism.dcat.cache_ttl", "0")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_cache_can_be_disabled(sample_records):
    fragments.flush()
    fragments.record_fragments([sample_records["tour-guide"]])
    assert fragments.flush() == 0
