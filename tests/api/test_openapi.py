"""The OpenAPI document: valid 3.1, generated from the code's own definitions."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from ckanext.khtourism.api import http, openapi, params
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
    # and the client systems' endpoints and the dumps (issue 19)
    assert set(document["paths"]) == set(expected_paths) | set(openapi.base()["client_paths"])
    operation_ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    ]
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


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_every_operation_declares_405_and_414_and_the_client_paths_their_security():
    document = openapi._document("http://portal.invalid" + BASE)
    for path, method, operation in _operations(document):
        assert {"405", "414"} <= set(operation["responses"]), (path, method)
    assert document["x-max-uri-length"] == http.MAX_URI_LENGTH
    schemes = document["components"]["securitySchemes"]
    assert {"apiToken", "bearerToken", "clientCredentials", "clientBasic"} <= set(schemes)
    paths = document["paths"]
    assert paths["/oauth/token"]["post"]["security"] == [{"clientBasic": []}, {}]
    assert {"bearerToken": []} in paths["/client"]["get"]["security"]
    for path, methods in (("/webhooks", ("get", "post")), ("/webhooks/{webhook_id}", ("delete",))):
        for method in methods:
            assert {"clientCredentials": ["webhooks"]} in paths[path][method]["security"]
    assert paths["/dumps/"]["get"]["security"] == [{}]
    assert (
        schemes["clientCredentials"]["flows"]["clientCredentials"]["tokenUrl"]
        == "http://portal.invalid" + BASE + "/oauth/token"
    )


def test_the_server_answers_405_with_allow_and_414(api):
    client = api.test_client()
    for method, path in (
        ("post", "/accommodations"),
        ("delete", "/lookup"),
        ("put", "/oauth/token"),
        ("post", "/client"),
        ("put", "/webhooks"),
    ):
        response = client.open(f"{BASE}{path}", method=method.upper())
        assert response.status_code == 405, (method, path)
        assert response.json["error"]["code"] == "method_not_allowed", (method, path)
        assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]
    assert client.put(f"{BASE}/oauth/token").headers["Allow"] == "POST, OPTIONS"
    assert client.post(f"{BASE}/lookup").headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.delete(f"{BASE}/webhooks").headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert client.post(f"{BASE}/no-such-thing").status_code == 404
    long_query = "q=" + "a" * (http.MAX_URI_LENGTH + 1)
    for path in ("/accommodations", "/client"):
        response = api.get(f"{BASE}{path}?{long_query}")
        assert response.status_code == 414, path
        assert response.json["error"]["code"] == "uri_too_long"
    # the longest polygon the document allows, URL-encoded (each '"' as %22), is read: its
    # answer is about the polygon, not the URI's length
    response = api.get(
        f"{BASE}/accommodations", query_string={"polygon": '"' * params.MAX_POLYGON_LENGTH}
    )
    assert response.status_code == 400 and response.json["error"]["parameter"] == "polygon"


# A valid value of each parameter a rule names, per endpoint kind.
VALUES = {
    "lat": "12.2",
    "lon": "109.2",
    "radius": "1000",
    "bbox": "109,12,109.5,12.5",
    "polygon": "POLYGON((109 12,109.5 12,109.5 12.5,109 12.5,109 12))",
    "q": "khach san",
    "since": "2026-01-01T00:00:00Z",
    "cursor": "1",
}


def _value(path: str, name: str, later: bool = False) -> str:
    if name in ("from", "to") and path.startswith("/statistics"):
        return "2026-03" if later else "2026-01"
    if name in ("from", "to"):
        return "2026-03-01T00:00:00Z" if later else "2026-01-01T00:00:00Z"
    return VALUES.get(name, "x")


def _violations(path: str, rule: dict) -> list[dict[str, str]]:
    """Queries that break ``rule`` (every value valid on its own)."""
    names = rule.get("parameters", [])
    kind = rule["rule"]
    if kind == "together":
        return [{names[0]: _value(path, names[0])}]
    if kind == "mutually-exclusive":
        first, second = rule["groups"][:2]
        return [{n: _value(path, n) for n in [*first, *second]}]
    if kind == "exactly-one":
        return [{}, {names[0]: "x", names[1]: "y"}]
    if kind == "requires":
        return [{**rule["when"]}]
    if kind == "ordered":
        return [{names[0]: _value(path, names[0], True), names[1]: _value(path, names[1])}]
    if kind == "bbox":
        return [{"bbox": "109.5,12,109,12.5"}]
    if kind == "month-range":
        return [
            {"from": "2026-03", "to": "2026-01"},
            {"from": "2000-01", "to": "2026-01"},  # more than the maximum of months
        ]
    raise AssertionError(f"a rule this test does not know: {kind}")


def _satisfying(path: str, rule: dict) -> dict[str, str]:
    """A query that keeps ``rule`` while using its parameters."""
    names = rule.get("parameters", [])
    kind = rule["rule"]
    if kind == "mutually-exclusive":
        return {n: _value(path, n) for n in rule["groups"][0]}
    if kind == "exactly-one":
        return {names[0]: "x"}
    if kind == "requires":
        return {**rule["when"], **{n: _value(path, n) for n in names}}
    if kind == "ordered":
        return {names[0]: _value(path, names[0]), names[1]: _value(path, names[1], True)}
    if kind == "month-range":
        return {"from": "2026-01", "to": "2026-03"}
    return {n: _value(path, n) for n in names}


def test_every_published_parameter_rule_is_what_the_server_enforces(api, sample):
    """Each rule of ``x-parameter-rules`` (issue 19): a query that breaks it is refused (400
    naming one of the rule's parameters), one that keeps it is answered."""
    document = api.get(f"{BASE}/openapi.json").json
    seen = set()
    for path, _method, operation in _operations(document):
        for rule in operation.get("x-parameter-rules", []):
            seen.add(rule["rule"])
            assert rule["description"] and operation["description"]
            names = (
                set(rule.get("parameters", []))
                | {n for group in rule.get("groups", []) for n in group}
                | set(rule.get("when", {}))
            )
            documented = {p["name"] for p in operation["parameters"]}
            assert names <= documented, (path, rule)
            for query in _violations(path, rule):
                response = api.get(f"{BASE}{path}", query_string=query)
                assert response.status_code == 400, (path, rule, query)
                assert response.json["error"]["parameter"] in names | {"from"}, (path, query)
            query = _satisfying(path, rule)
            response = api.get(f"{BASE}{path}", query_string=query)
            assert response.status_code == 200, (path, rule, query, response.json)
    assert seen == {
        "together",
        "mutually-exclusive",
        "exactly-one",
        "requires",
        "ordered",
        "bbox",
        "month-range",
    }
