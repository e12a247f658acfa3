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


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", ["accommodation", "heritage-site"])
def test_stock_parser_reads_the_location(record_type, sample_records):
    """ckanext-dcat alone (the national harvester's profile, without ours) reads the
    point back from dcat:centroid and the extent from dcat:bbox."""
    import json

    import shapely.geometry

    record = sample_records[record_type]
    turtle = RDFSerializer().serialize_dataset(record, _format="turtle")
    assert "locn:geometry" not in turtle and "locn#geometry" not in turtle
    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    parser.parse(turtle, _format="turtle")
    (parsed,) = list(parser.datasets())
    # ckanext-dcat gives the location as extras (spatial_centroid, spatial_bbox) or, with a
    # scheming dataset schema, as the first spatial_coverage entry (centroid, bbox)
    extras = {extra["key"]: extra["value"] for extra in parsed.get("extras", [])}
    coverage = (parsed.get("spatial_coverage") or [{}])[0]
    extras.setdefault("spatial_centroid", coverage.get("centroid"))
    extras.setdefault("spatial_bbox", coverage.get("bbox"))
    assert "spatial" not in extras and not coverage.get("geom")  # no locn:geometry
    point = json.loads(record["spatial"])
    assert extras["spatial_centroid"], parsed
    centroid = json.loads(extras["spatial_centroid"])
    assert centroid["type"] == "Point"
    assert centroid["coordinates"] == pytest.approx(point["coordinates"], abs=1e-9)
    extent = shapely.geometry.shape(json.loads(record.get("area") or record["spatial"]))
    bbox = shapely.geometry.shape(json.loads(extras["spatial_bbox"]))
    assert bbox.bounds == pytest.approx(extent.bounds, abs=1e-9)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_earlier_literal_geometry_still_parses(sample_records):
    """A catalogue of an earlier release (locn:geometry GeoJSON + WKT literals, no
    centroid) still gives the point back."""
    from rdflib import Graph, Literal
    from rdflib.namespace import DCAT

    from ckanext.dcat.profiles.base import GEOJSON_IMT, GSP, LOCN

    record = sample_records["accommodation"]
    graph = Graph().parse(
        data=RDFSerializer().serialize_dataset(record, _format="turtle"), format="turtle"
    )
    (location,) = set(graph.subjects(DCAT.centroid, None))
    graph.remove((location, DCAT.centroid, None))
    graph.add(
        (location, LOCN.geometry, Literal("POINT (109.1967 12.2388)", datatype=GSP.wktLiteral))
    )
    graph.add((location, LOCN.geometry, Literal(record["spatial"], datatype=GEOJSON_IMT)))
    parsed = _parsed(graph.serialize(format="turtle"))
    assert parsed["spatial"] == record["spatial"]
