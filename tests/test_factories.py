"""The record factories (tests/factories.py) create valid records of each type."""

from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests import factories

FACTORIES = {
    "accommodation": factories.Accommodation,
    "tour-operator": factories.TourOperator,
    "tour-guide": factories.TourGuide,
    "heritage-site": factories.HeritageSite,
}


@pytest.mark.usefixtures("clean_db", "with_plugins")
@pytest.mark.parametrize("record_type", sorted(FACTORIES))
def test_each_factory_creates_a_valid_draft_of_its_type(record_type):
    record = FACTORIES[record_type]()
    assert record["type"] == record_type
    assert record["workflow_state"] == "draft"
    assert record["license_id"] == "cc-by-4.0"
    stored = helpers.call_action("package_show", id=record["id"])
    assert stored["title"] == record["title"]
    assert stored["owner_org"] == record["owner_org"]


@pytest.mark.usefixtures("clean_db", "with_plugins")
def test_fields_are_overridden_and_published_publishes():
    org = factories.Organization()
    first = factories.Accommodation(owner_org=org["id"], star_rating="5", published=True)
    second = factories.Accommodation(owner_org=org["id"])
    assert first["workflow_state"] == "published"
    assert first["star_rating"] == "5"
    assert first["owner_org"] == org["id"]
    assert first["name"] != second["name"]
    assert first["languages"] == second["languages"] == ["vi", "en"]
