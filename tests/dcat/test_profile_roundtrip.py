"""Graphs built from record dicts parse back to the same public fields."""

from __future__ import annotations

import pytest

from ckanext.dcat.processors import RDFParser, RDFSerializer

from ckanext.khtourism.core.record_types import RECORD_TYPES
from tests.dcat.dcat_compare import public_view
from tests.dcat.dcat_fixtures import PRIVATE_GUIDE_VALUES


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_serialized_record_parses_back(record_type, sample_records):
    record = sample_records[record_type]
    turtle = RDFSerializer().serialize_dataset(record, _format="turtle")
    parser = RDFParser()
    parser.parse(turtle, _format="turtle")
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    assert public_view(record_type, parsed[0]) == public_view(record_type, record)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("fmt", ["turtle", "xml", "json-ld"])
def test_private_guide_fields_never_serialized(fmt, sample_records):
    record = sample_records["tour-guide"]
    record["workflow_state"] = "published-secret-marker"
    output = RDFSerializer().serialize_dataset(record, _format=fmt)
    assert record["card_number"] in output  # the public part is there
    for field, value in PRIVATE_GUIDE_VALUES.items():
        assert value not in output, f"{field} leaked into {fmt}"
    assert "published-secret-marker" not in output


def _parsed(graph_text: str) -> dict:
    parser = RDFParser()
    parser.parse(graph_text, _format="turtle")
    (parsed,) = list(parser.datasets())
    return parsed


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_publisher_maps_to_a_local_organization(sample_records):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS, FOAF

    from ckan.tests import factories, helpers

    publisher = factories.Organization(name="khach-san-bien-xanh", title="Khách sạn Biển Xanh")
    record = sample_records["accommodation"]
    record.update(owner_org=publisher["id"], organization=publisher)
    turtle = RDFSerializer().serialize_dataset(record, _format="turtle")
    # Same portal (a restore): by identifier (the name) or by the URI's id.
    assert _parsed(turtle)["owner_org"] == publisher["id"]
    admin = {"user": factories.Sysadmin()["name"]}
    helpers.call_action(
        "organization_patch", context=dict(admin), id=publisher["id"], name="da-doi-ten"
    )
    assert _parsed(turtle)["owner_org"] == publisher["id"]

    # Another portal: ids differ; the name written as dct:identifier matches.
    helpers.call_action("organization_delete", context=dict(admin), id=publisher["id"])
    same_name = factories.Organization(name="khach-san-bien-xanh", title="Tên khác")
    assert _parsed(turtle)["owner_org"] == same_name["id"]

    # A stock ckanext-dcat publisher (no identifier, foreign URI): by exact title.
    graph = Graph().parse(data=turtle, format="turtle")
    (agent,) = set(graph.objects(None, DCTERMS.publisher))
    graph.remove((agent, DCTERMS.identifier, None))
    foreign = URIRef("https://other-portal.example/organization/0000")
    for p, o in list(graph.predicate_objects(agent)):
        graph.add((foreign, p, o))
    graph.remove((agent, None, None))
    for s, p in list(graph.subject_predicates(agent)):
        graph.remove((s, p, agent))
        graph.add((s, p, foreign))
    stock = graph.serialize(format="turtle")
    assert "owner_org" not in _parsed(stock)  # "Khách sạn Biển Xanh" is not known here
    graph.set((foreign, FOAF.name, Literal("Tên khác")))
    assert _parsed(graph.serialize(format="turtle"))["owner_org"] == same_name["id"]


@pytest.mark.ckan_config("ckanext.khtourism.dcat.publisher_as_owner", "false")
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_publisher_mapping_can_be_turned_off(sample_records):
    from ckan.tests import factories

    publisher = factories.Organization()
    record = sample_records["accommodation"]
    record.update(owner_org=publisher["id"], organization=publisher)
    turtle = RDFSerializer().serialize_dataset(record, _format="turtle")
    assert "owner_org" not in _parsed(turtle)
