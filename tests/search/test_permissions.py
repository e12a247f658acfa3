"""Private datasets and permission labels: never shown, never counted without permission."""

from __future__ import annotations

from ckan.tests import factories, helpers

from tests.search.search_helpers import search_config, titles


@search_config
def test_private_datasets_are_hidden_and_not_counted(portal, app):
    member = factories.User()
    outsider = factories.User()
    org = factories.Organization(users=[{"name": member["name"], "capacity": "editor"}])
    portal.create("Public hotel", owner_org=org["id"], private=False, tag_string="beach")
    portal.create("Private hotel", owner_org=org["id"], private=True, tag_string="beach")

    facet = {"facet.field": '["tags"]'}
    anonymous = helpers.call_action(
        "package_search", context={"user": "", "ignore_auth": False}, include_private=True, **facet
    )
    assert titles(anonymous) == ["Public hotel"]
    assert anonymous["count"] == 1
    assert anonymous["facets"]["tags"] == {"beach": 1}

    other = helpers.call_action(
        "package_search",
        context={"user": outsider["name"], "ignore_auth": False},
        include_private=True,
        **facet,
    )
    assert titles(other) == ["Public hotel"]
    assert other["facets"]["tags"] == {"beach": 1}

    insider = helpers.call_action(
        "package_search",
        context={"user": member["name"], "ignore_auth": False},
        include_private=True,
        **facet,
    )
    assert sorted(titles(insider)) == ["Private hotel", "Public hotel"]
    assert insider["facets"]["tags"] == {"beach": 2}
    # without include_private CKAN asks only for public datasets, for everyone
    assert titles(
        helpers.call_action(
            "package_search", context={"user": member["name"], "ignore_auth": False}
        )
    ) == ["Public hotel"]

    page = app.get("/dataset/", query_string={"q": "hotel"})
    assert "Public hotel" in page.body and "Private hotel" not in page.body
    assert "1 dataset found" in page.body or "1 bộ dữ liệu" in page.body or ">1<" in page.body


@search_config
def test_privacy_change_updates_the_index(portal):
    dataset = portal.create("Switching hotel", private=True)
    anonymous = {"context": {"user": "", "ignore_auth": False}, "include_private": True}
    assert helpers.call_action("package_search", **anonymous)["count"] == 0
    portal.update(dataset, private=False)
    assert helpers.call_action("package_search", **anonymous)["count"] == 1
    portal.update(dataset, private=True)
    assert helpers.call_action("package_search", **anonymous)["count"] == 0
