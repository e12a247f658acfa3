"""The OpenAPI document: valid 3.1, generated from the code's own definitions."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from ckanext.khtourism.api import openapi, params
from ckanext.khtourism.api.collections import COLLECTIONS

BASE = "/api/tourism/v1"


@pytest.mark.usefixtures("with_plugins")
def test_document_validates_and_lists_every_parameter(api):
    response = api.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["openapi"] == "3.1.0"
    for resource in COLLECTIONS.values():
        operation = document["paths"][f"/{resource.path}"]["get"]
        documented = {p["name"] for p in operation["parameters"]}
        assert documented == {p.name for p in params.params_for(params.LIST, resource)}
        assert {"200", "304", "400", "429"} <= set(operation["responses"])
    assert document["components"]["securitySchemes"]["apiToken"]["name"] == "Authorization"


@pytest.mark.usefixtures("with_plugins")
def test_docs_page_is_served_without_external_assets(api):
    page = api.get(f"{BASE}/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "openapi.json" in html and "http" not in html.replace("https://", "").split("<body>")[0]
    assert "//" not in "".join(
        line for line in html.splitlines() if "src=" in line or "href=" in line
    )
    script = api.get(f"{BASE}/docs/docs.js")
    assert script.status_code == 200 and "openapi.json" in script.get_data(as_text=True)
    assert api.get(f"{BASE}/docs/docs.css").status_code == 200


def test_document_is_generated_from_parameter_definitions():
    schema = next(p.schema for p in params.PARAMS if p.name == "limit")
    assert schema["maximum"] == params.MAX_LIMIT
    assert openapi.API_VERSION.startswith("1.")


def _walk(value, path=""):
    """Every (path, value) pair below ``value``."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def test_document_derived_from_data_and_schemas_covers_every_path_parameter_and_field():
    """The document made from openapi_base.yaml and the code: every record type's list and
    item paths and the other endpoints, every parameter each endpoint reads, every field of
    every record type typed from its kind in the scheming schema; nothing left underived."""
    from ckanext.khtourism.api.errors import ERROR_CODES
    from ckanext.khtourism.records import schema_fields
    from ckanext.khtourism.records.schema_choices import choice_codes

    document = openapi._document("http://portal.invalid" + BASE)
    validate(document)
    assert document["servers"] == [{"url": "http://portal.invalid" + BASE}]
    assert document["info"]["version"] == openapi.API_VERSION
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"] == list(
        ERROR_CODES
    )
    assert schemas["Change"]["properties"]["change"]["enum"] == list(params.CHANGE_TYPES)

    # nothing of the data file's own notation is left; every reference resolves
    for path, value in _walk(document):
        assert not (isinstance(value, dict) and openapi.DERIVED in value), path
        if isinstance(value, dict) and "$ref" in value:
            *_, section, name = value["$ref"].split("/")
            assert name in document["components"][section], (path, value["$ref"])

    expected_paths = {"/lookup": (params.LOOKUP, None), "/changes": (params.CHANGES, None)}
    expected_paths |= {"/stats": (params.STATS, None), "/openapi.json": (params.META, None)}
    expected_paths["/statistics/visitors"] = (params.VISITORS, None)
    # the CSV-on-the-Web description of that CSV (same query parameters)
    expected_paths["/statistics/visitors/csv-metadata.json"] = (params.VISITORS, None)
    for resource in COLLECTIONS.values():
        expected_paths[f"/{resource.path}"] = (params.LIST, resource)
        expected_paths[f"/{resource.path}/{{id}}"] = (params.ITEM, resource)
    assert set(document["paths"]) == set(expected_paths)
    operation_ids = [p["get"]["operationId"] for p in document["paths"].values()]
    assert len(set(operation_ids)) == len(operation_ids)
    for path, (endpoint, resource) in expected_paths.items():
        operation = document["paths"][path]["get"]
        query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert set(query) == {p.name for p in params.params_for(endpoint, resource)}, path
        for param in params.params_for(endpoint, resource):
            if param.name == "fields" and resource is not None:
                continue  # the collection's own names (test_fields_names_are_the_ones_…)
            assert query[param.name]["schema"] == param.schema, (path, param.name)
        in_path = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert in_path == ({"id"} if "{id}" in path else set()), path
        assert {"200", "304", "400", "401", "429"} <= set(operation["responses"]), path
        assert "ETag" in operation["responses"]["200"]["headers"], path

    kinds = {
        schema_fields.TEXT: ["string", "null"],
        schema_fields.CODE: ["string", "null"],
        schema_fields.INT: ["integer", "null"],
        schema_fields.DATE: ["string", "null"],
        schema_fields.DATETIME: ["string", "null"],
        schema_fields.TIME: ["string", "null"],
        schema_fields.MULTI: ["array", "null"],
        schema_fields.GEOJSON: ["object", "null"],
    }
    for resource in COLLECTIONS.values():
        name = "".join(part.capitalize() for part in resource.dataset_type.split("-"))
        item = schemas[name]
        assert schemas[f"{name}List"]["properties"]["items"]["items"] == {
            "$ref": f"#/components/schemas/{name}"
        }
        assert set(item["properties"]) >= set(resource.all_fields)
        for field in resource.fields:
            kind = schema_fields.field_kind(resource.dataset_type, field)
            typed = item["properties"][field]
            assert typed["type"] == kinds[kind], (resource.dataset_type, field)
            try:
                codes = list(choice_codes(resource.dataset_type, field))
            except KeyError:
                codes = []
            if codes and kind == schema_fields.CODE:
                assert typed["enum"] == [*codes, None], (resource.dataset_type, field)
            if codes and kind == schema_fields.MULTI:
                assert typed["items"]["enum"] == codes, (resource.dataset_type, field)
        assert item["properties"]["type"]["enum"] == [r.dataset_type for r in COLLECTIONS.values()]


def test_fields_names_are_the_ones_the_server_accepts(api, sample):
    """``fields`` lists exactly the names each collection accepts (issue 19): every listed
    name is answered, a name outside the list is refused naming ``fields``."""
    document = api.get(f"{BASE}/openapi.json").json
    for resource in COLLECTIONS.values():
        for path in (f"/{resource.path}", f"/{resource.path}/{{id}}"):
            (fields,) = [
                p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "fields"
            ]
            assert fields["schema"]["items"]["enum"] == list(dict.fromkeys(resource.all_fields))
        names = ",".join(dict.fromkeys(resource.all_fields))
        assert api.get(f"{BASE}/{resource.path}?fields={names}").status_code == 200
        refused = api.get(f"{BASE}/{resource.path}?fields=title,khong_co")
        assert refused.status_code == 400 and refused.json["error"]["parameter"] == "fields"
