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
