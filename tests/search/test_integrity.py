"""The index changes in step with the database, and a failed index write leaves nothing half-saved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.search.common import SearchIndexError
from ckan.logic import NotFound
from ckan.tests import helpers

from tests.search.search_helpers import search_config, titles


def _indexed(dataset_id):
    return model.Session.execute(
        sa.text("SELECT count(*) FROM khtourism_search_doc WHERE id = :id"), {"id": dataset_id}
    ).scalar()


@pytest.fixture
def failing_index_writes():
    """A database trigger that rejects index rows whose title contains FAIL-INDEX."""
    model.Session.execute(
        sa.text("""
        CREATE OR REPLACE FUNCTION test_reject_index_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.doc->>'title' LIKE '%FAIL-INDEX%' THEN
                RAISE EXCEPTION 'index write rejected for the test';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER test_reject_index_row BEFORE INSERT OR UPDATE ON khtourism_search_doc
            FOR EACH ROW EXECUTE FUNCTION test_reject_index_row();
    """)
    )
    model.Session.commit()
    yield
    model.Session.rollback()
    model.Session.execute(
        sa.text("DROP TRIGGER IF EXISTS test_reject_index_row ON khtourism_search_doc")
    )
    model.Session.commit()


@search_config
def test_create_update_delete_purge_stay_in_step(portal):
    dataset = portal.create("Khách sạn Hòn Tằm", tag_string="island")
    assert titles(portal.search(q="hon tam")) == ["Khách sạn Hòn Tằm"]

    portal.update(dataset, title="Khách sạn Hòn Mun")
    assert portal.search(q="hon tam")["count"] == 0
    assert titles(portal.search(q="hon mun")) == ["Khách sạn Hòn Mun"]

    helpers.call_action("package_delete", context=portal.context(), id=dataset["id"])
    assert portal.search(q="hon mun")["count"] == 0
    assert portal.search(q="hon mun", include_deleted=True)["count"] in (0, 1)

    helpers.call_action("dataset_purge", context=portal.context(), id=dataset["id"])
    assert _indexed(dataset["id"]) == 0


@search_config
def test_failed_index_write_on_create_leaves_no_dataset(portal, failing_index_writes):
    with pytest.raises(SearchIndexError):
        portal.create("Hotel FAIL-INDEX", name="hotel-fail-index")
    model.Session.rollback()
    model.Session.remove()
    with pytest.raises(NotFound):
        helpers.call_action("package_show", id="hotel-fail-index")
    assert portal.search(q="hotel")["count"] == 0


@search_config
def test_failed_index_write_on_update_keeps_the_old_version(portal, failing_index_writes):
    dataset = portal.create("Hotel Good")
    with pytest.raises(SearchIndexError):
        portal.update(dataset, title="Hotel FAIL-INDEX")
    model.Session.rollback()
    model.Session.remove()
    assert helpers.call_action("package_show", id=dataset["id"])["title"] == "Hotel Good"
    assert titles(portal.search(q="hotel")) == ["Hotel Good"]


@search_config
def test_failed_index_write_through_the_api_leaves_no_half_saved_dataset(
    portal, app, failing_index_writes
):
    token = helpers.call_action(
        "api_token_create", context=portal.context(), user=portal.sysadmin["name"], name="t"
    )["token"]
    response = app.post(
        "/api/3/action/package_create",
        headers={"Authorization": token},
        json={
            "name": "api-fail",
            "title": "API FAIL-INDEX",
            "type": "search-test-place",
            "owner_org": portal.org["id"],
        },
        status=500,
    )
    # CKAN's API reports index failures as "Search Index Error" (status 500)
    assert response.json["error"]["__type"] == "Search Index Error"
    assert "index write rejected for the test" in response.json["error"]["message"]
    model.Session.remove()
    with pytest.raises(NotFound):
        helpers.call_action("package_show", id="api-fail")
