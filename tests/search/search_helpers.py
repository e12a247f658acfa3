"""Helpers of the search tests: a small record type of their own and record builders."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from ckan.tests import factories, helpers

SCHEMA = pathlib.Path(__file__).parent / "schemas" / "search_test_place.yaml"
SCHEMAS = f"ckanext.scheming:ckan_dataset.yaml {SCHEMA.as_uri()}"


def search_config(function: Any) -> Any:
    """Plugins, a clean database and the test record type."""
    for mark in (
        pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMAS),
        pytest.mark.usefixtures("with_plugins", "clean_db"),
    ):
        function = mark(function)
    return function


def point(lon: float, lat: float) -> str:
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


class Portal:
    """Creates records through the real action API as a sysadmin."""

    def __init__(self) -> None:
        self.sysadmin = factories.Sysadmin()
        self.org = factories.Organization()

    def context(self) -> dict[str, Any]:
        return {"user": self.sysadmin["name"], "ignore_auth": True}

    def create(self, title: str, **fields: Any) -> dict[str, Any]:
        fields.setdefault("owner_org", self.org["id"])
        fields.setdefault("type", "search-test-place")
        return helpers.call_action(
            "package_create",
            context=self.context(),
            title=title,
            name=fields.pop("name", None) or factories.fake.uuid4(),
            **fields,
        )

    def update(self, dataset: dict[str, Any], **changes: Any) -> dict[str, Any]:
        return helpers.call_action(
            "package_patch", context=self.context(), id=dataset["id"], **changes
        )

    def search(self, **params: Any) -> dict[str, Any]:
        return helpers.call_action("package_search", context=self.context(), **params)


def titles(result: dict[str, Any]) -> list[str]:
    return [d["title"] for d in result["results"]]
