"""Every declared record type is served by every room (docs/architecture.md, "Record types:
one declaration each" and "How to add a record type").

A record type is its schema file plus one line in ``core/record_types.SCHEMA_FILES``; the
tests below iterate over the declared types, so a new type is checked by them without a
change here: the rooms' tables derive it from the declaration, and a record of the type
(``tests/record_fixtures.VALID``) is created, published and read back through the API and
DCAT.
"""

from __future__ import annotations

import csv
import io
from collections import OrderedDict

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, SKOS

import ckan.plugins.toolkit as tk

from ckanext.khtourism.api import params
from ckanext.khtourism.api.collections import BY_DATASET_TYPE, COLLECTIONS
from ckanext.khtourism.core import record_types, roles
from ckanext.khtourism.core.record_types import (
    RECORD_TYPES,
    DeclarationError,
    declaration,
    declarations,
    load_schema,
)
from ckanext.khtourism.dcat import vocabulary as V
from ckanext.khtourism.harvesters import access
from ckanext.khtourism.harvesters.mapping import DEFAULT_KEY_FIELD, Mapping, fields_of
from ckanext.khtourism.local import config_file
from ckanext.khtourism.portal.record_types import TYPE_ICONS
from ckanext.khtourism.records import facets, privacy, type_names
from ckanext.khtourism.records.schema_choices import choice_codes, dataset_fields
from ckanext.khtourism.records.schema_choices import record_types as schema_types
from ckanext.khtourism.records.schema_fields import type_field_names
from tests.dcat.dcat_fixtures import publish
from tests.record_fixtures import VALID, world  # noqa: F401  (the records fixture)

BASE = "/api/tourism/v1"
TYPES = list(RECORD_TYPES)


def test_the_registered_types_are_the_schemas_and_their_collections_are_distinct():
    assert set(RECORD_TYPES) == set(schema_types())
    assert len(RECORD_TYPES) == len(set(RECORD_TYPES))
    assert len({rt.collection for rt in declarations().values()}) == len(RECORD_TYPES)
    # the order of the registration is the portal's order (menus, API index, SKOS scheme)
    assert tuple(BY_DATASET_TYPE) == RECORD_TYPES == tuple(V.RECORD_TYPES)


@pytest.mark.parametrize("record_type", TYPES)
def test_every_room_derives_the_type_from_its_declaration(record_type):
    declared = record_types.get(record_type)
    fields = {field["field_name"] for field in dataset_fields(record_type)}
    # the declaration names only fields of its schema
    assert set(declared.facets) <= fields
    assert set(declared.identifiers) <= fields
    assert set(declared.private_fields) <= fields
    assert {f.field for f in declared.api_filters} <= fields
    assert declared.harvest_key is None or declared.harvest_key in fields
    assert declared.area_field is None or declared.area_field in fields
    # API: the collection, its filters with the schema's code lists, the type parameter
    collection = COLLECTIONS[declared.collection]
    assert collection.dataset_type == record_type
    assert collection.schema_org_type == declared.schema_org[0]
    assert (collection.title_vi, collection.title_en) == (
        declared.collection_title["vi"],
        declared.collection_title["en"],
    )
    assert collection.identifiers == declared.identifiers
    for api_filter in collection.filters:
        if api_filter.name != "languages":
            assert api_filter.choices == choice_codes(record_type, api_filter.name)
    assert not set(declared.private_fields) & set(collection.fields)
    type_param = next(p for p in params.PARAMS if p.name == "type")
    assert record_type in type_param.schema["items"]["enum"]
    # privacy: the personal data is stripped wherever the records room strips it
    assert privacy.private_fields(record_type) == declared.private_fields
    # names in both languages (pages, menus, facets, maps, CKAN's texts)
    for lang in ("vi", "en"):
        assert type_names.name(record_type, lang=lang) == declared.names["in_sentence"][lang]
        assert (
            type_names.name(record_type, plural=True, in_sentence=False, lang=lang)
            == declared.names["plural"][lang]
        )
    # search facets and the portal's icon
    assert facets.FACETS[record_type] == declared.facets
    assert TYPE_ICONS[record_type] == declared.icon
    # DCAT: the SKOS concept and the schema.org classes
    concept = V.RECORD_TYPES[record_type]
    assert concept.schema_classes == declared.schema_org
    assert (concept.label_vi, concept.label_en) == (
        declared.concept_label["vi"],
        declared.concept_label["en"],
    )
    assert declared.eu_theme in V.EU_THEME_LABELS
    # harvesters: the mapping, its default key, every field of the type mappable
    assert DEFAULT_KEY_FIELD[record_type] == declared.harvest_key
    mapping = Mapping.from_config({"record_type": record_type})
    assert mapping.key_field == declared.harvest_key
    assert set(type_field_names(record_type, geometries=True)) <= fields_of(record_type)
    # who may create it: the Department alone, or businesses too (and their harvests)
    assert (record_type in roles.CURATOR_ONLY_TYPES) == declared.curator_only
    assert (record_type in access.business_record_types()) == (not declared.curator_only)
    # CKAN loads its schema; the parametrised tests have an example of it
    assert declared.scheming_schema in config_file.DATASET_SCHEMAS
    assert record_type in VALID


def _bilingual_texts(node, path=""):
    if isinstance(node, dict):
        if "vi" in node and "en" in node:
            yield path, node
        for key, value in node.items():
            yield from _bilingual_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _bilingual_texts(value, f"{path}[{index}]")


@pytest.mark.parametrize("record_type", TYPES)
def test_every_bilingual_text_of_the_schema_is_whole(record_type):
    """``{vi: Khu, điểm du lịch, en: …}`` is three keys in YAML: a comma needs quotes."""
    schema = load_schema(record_types.get(record_type).schema_file)
    split = [path for path, text in _bilingual_texts(schema) if set(text) != {"vi", "en"}]
    assert split == []


def test_a_declaration_that_lacks_something_is_refused_with_the_key_named():
    schema = load_schema(declarations()["accommodation"].schema_file)
    del schema["khtourism"]["collection"]
    with pytest.raises(DeclarationError, match="missing collection"):
        declaration("broken.yaml", schema)
    schema = load_schema(declarations()["accommodation"].schema_file)
    schema["khtourism"]["owner"] = "nobody"
    with pytest.raises(DeclarationError, match="owner"):
        declaration("broken.yaml", schema)
    schema = load_schema(declarations()["accommodation"].schema_file)
    schema["khtourism"]["names"]["plural"] = {"en": "Things"}
    with pytest.raises(DeclarationError, match="names.plural"):
        declaration("broken.yaml", schema)
    with pytest.raises(DeclarationError, match="no khtourism: block"):
        declaration("plain.yaml", {"dataset_type": "plain", "dataset_fields": []})


def test_a_new_declaration_is_read_whole():
    """A throwaway type declared like the real ones: every key reaches the object."""
    schema = load_schema(declarations()["heritage-site"].schema_file)
    schema["dataset_type"] = "test-type"
    schema["khtourism"].update(
        collection="test-things", owner="business", kind="event", happening="start_end"
    )
    declared = declaration("test_type.yaml", schema)
    assert declared.name == "test-type" and declared.collection == "test-things"
    assert not declared.curator_only and not declared.is_place and not declared.is_person
    assert declared.option("happening") == "start_end"
    assert declared.scheming_schema == "ckanext.khtourism.schemas:test_type.yaml"


@pytest.mark.parametrize("record_type", TYPES)
def test_a_published_record_of_each_type_is_served_everywhere(app, world, record_type):  # noqa: F811
    declared = record_types.get(record_type)
    role, owner = ("curator", "curator") if declared.curator_only else ("member_a", "a")
    record = publish(world, role, record_type, owner)
    assert record["workflow_state"] == "published"
    path = f"{BASE}/{declared.collection}"
    # JSON
    items = app.get(path).json["items"]
    assert [item["id"] for item in items] == [record["id"]]
    assert app.get(f"{path}/{record['name']}").json["type"] == record_type
    # GeoJSON (every example has a location)
    features = app.get(f"{path}?format=geojson").json["features"]
    assert [f["properties"]["name"] for f in features] == [record["name"]]
    # CSV
    text = app.get(f"{path}?format=csv").get_data(as_text=True).lstrip("\ufeff")
    assert [row["id"] for row in csv.DictReader(io.StringIO(text))] == [record["id"]]
    # JSON-LD with the declared schema.org class
    thing = app.get(f"{path}/{record['name']}?format=jsonld").json
    types = thing["@type"] if isinstance(thing["@type"], list) else [thing["@type"]]
    assert set(declared.schema_org[1:]) <= set(types)
    # the change feed, the statistics, the lookup by the portal's identifier
    changes = app.get(f"{BASE}/changes?type={record_type}").json["changes"]
    assert record["name"] in {change["name"] for change in changes}
    stats = app.get(f"{BASE}/stats?type={record_type}").json
    assert stats["types"][record_type]["count"] == 1
    if "establishment_id" in declared.identifiers:
        identifier = record["establishment_id"]
        found = app.get(f"{BASE}/lookup?establishment_id={identifier}").json["items"]
        assert [item["name"] for item in found] == [record["name"]]
    # the OpenAPI document describes the collection
    assert f"/{declared.collection}" in app.get(f"{BASE}/openapi.json").json["paths"]
    # DCAT: the concept in the SKOS scheme, the record as a dcat:Dataset of that concept
    scheme = Graph().parse(data=app.get("/dcat/record-types.ttl").body, format="turtle")
    concept = URIRef(V.concept_uri(record_type))
    assert (concept, RDF.type, SKOS.Concept) in scheme
    assert {str(label.language) for label in scheme.objects(concept, SKOS.prefLabel)} == {
        "vi",
        "en",
    }
    graph = Graph().parse(
        data=app.get(f"/{record_type}/{record['name']}.ttl").body, format="turtle"
    )
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    assert str(datasets[0]).endswith(record["id"])
    # the type's registry dataset (CSV and GeoJSON downloads of the whole register)
    from ckanext.khtourism.dcat import registry

    register = registry.refresh_registry(record_type)
    assert register["name"] == f"registry-{record_type}"
    assert {r["format"] for r in register["resources"]} == {"CSV", "GeoJSON"}
    # the type's search page, its own facets first; the record's page; the form
    assert app.get(f"/{record_type}/").status_code == 200
    page = app.get(f"/{record_type}/{record['name']}")
    assert page.status_code == 200 and record["title"] in page.body
    form = app.get(f"/{record_type}/new", headers=world.person("curator").headers)
    assert form.status_code == 200 and 'name="title"' in form.body
    shown = facets.dataset_facets(OrderedDict([("tags", "Tags")]), record_type)
    assert tuple(shown)[: len(declared.facets)] == declared.facets


@pytest.mark.parametrize("record_type", TYPES)
def test_who_may_create_each_type_follows_its_declared_owner(world, record_type):  # noqa: F811
    """A business's type: its own members create drafts, others may not; a Department type:
    only the curators (in the curator organization), never a business."""
    declared = record_types.get(record_type)
    if declared.curator_only:
        with pytest.raises(tk.NotAuthorized):
            world.create("member_a", record_type, owner="a", name="by-a-business")
        record = world.create("curator", record_type, owner="curator", name="by-the-department")
        assert record["type"] == record_type
    else:
        record = world.create("member_a", record_type, owner="a", name="by-its-business")
        assert record["workflow_state"] == "draft"
        with pytest.raises(tk.NotAuthorized):
            world.create("member_b", record_type, owner="a", name="by-another-business")
    with pytest.raises(tk.NotAuthorized):
        world.create("anonymous", record_type, owner="a", name="by-nobody")
