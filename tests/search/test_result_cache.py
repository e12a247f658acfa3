"""The result cache (Redis): repeated searches skip PostgreSQL until the index changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from tests.search.search_helpers import search_config, titles


def _delete_index_rows_behind_the_engines_back():
    """A change the engine is not told about: only an uncached search can see it."""
    model.Session.execute(sa.text("DELETE FROM khtourism_search_doc"))
    model.Session.commit()


@search_config
def test_repeated_searches_are_served_from_the_cache_until_the_index_changes(portal):
    portal.create("Khách sạn Hoàng Gia")
    assert titles(portal.search(q="hoang gia")) == ["Khách sạn Hoàng Gia"]

    _delete_index_rows_behind_the_engines_back()
    # the same search again: answered from the cache
    assert titles(portal.search(q="hoang gia")) == ["Khách sạn Hoàng Gia"]
    # another search is not cached: it sees the emptied index
    assert portal.search(q="khach san")["count"] == 0

    # a change through CKAN (committed) invalidates every cached result
    portal.create("Homestay Hoàng Gia")
    assert titles(portal.search(q="hoang gia")) == ["Homestay Hoàng Gia"]


@search_config
def test_updates_and_deletions_are_seen_at_once(portal):
    dataset = portal.create("Nhà nghỉ Sao Mai")
    assert titles(portal.search(q="sao mai")) == ["Nhà nghỉ Sao Mai"]
    portal.update(dataset, title="Nhà nghỉ Sao Mai Mới")
    assert titles(portal.search(q="sao mai")) == ["Nhà nghỉ Sao Mai Mới"]
    helpers.call_action("package_delete", context=portal.context(), id=dataset["id"])
    assert portal.search(q="sao mai")["count"] == 0


@search_config
def test_one_visitors_private_results_are_never_served_to_another(portal):
    portal.create("Khu nghỉ dưỡng Riêng", private=True)
    member = factories.User()
    helpers.call_action(
        "organization_member_create",
        context=portal.context(),
        id=portal.org["id"],
        username=member["name"],
        role="member",
    )

    def search_as(user):
        context = {"user": user, "ignore_auth": False}
        return helpers.call_action(
            "package_search", context=context, q="rieng", include_private=True
        )

    assert search_as(member["name"])["count"] == 1
    assert search_as("")["count"] == 0
    assert search_as(factories.User()["name"])["count"] == 0
    assert search_as(member["name"])["count"] == 1


@pytest.mark.ckan_config("ckanext.khtourism.search.cache_ttl", "0")
@search_config
def test_a_ttl_of_zero_turns_the_cache_off(portal):
    portal.create("Khách sạn Hoàng Gia")
    assert portal.search(q="hoang gia")["count"] == 1
    _delete_index_rows_behind_the_engines_back()
    assert portal.search(q="hoang gia")["count"] == 0
