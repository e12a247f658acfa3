"""Indexing deferred, from the search room: a session's datasets are not indexed as they
commit; whoever deferred announces them once indexed (the DCAT registry listens)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories

from ckanext.khtourism import search
from ckanext.khtourism.dcat import registry
from ckanext.khtourism.search import deferred
from ckanext.khtourism.search.index import TABLE


def _indexed_title(package_id: str) -> str | None:
    return model.Session.execute(
        sa.text(f"SELECT doc->>'title' FROM {TABLE} WHERE id = :id"), {"id": package_id}
    ).scalar()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_deferred_session_is_not_indexed_at_its_commit():
    organization = factories.Organization()
    dataset = factories.Dataset(title="Before", owner_org=organization["id"])
    assert _indexed_title(dataset["id"]) == "Before"

    assert not search.indexing_deferred()
    search.defer_in_session()
    assert search.indexing_deferred()
    model.Package.get(dataset["id"]).title = "Deferred"
    model.Session.commit()  # the flag ends with the commit that carried the change
    assert not search.indexing_deferred()
    assert _indexed_title(dataset["id"]) == "Before"

    model.Package.get(dataset["id"]).title = "Indexed"
    model.Session.commit()
    assert _indexed_title(dataset["id"]) == "Indexed"


@pytest.mark.usefixtures("with_plugins")
def test_the_dcat_registry_listens_to_deferred_indexing():
    """The loaded plugin subscribes the registry refresh: the harvesters, which announce
    what they indexed, never import the DCAT room."""
    receivers = list(deferred.DEFERRED_INDEXED.receivers_for(["a-package-id"]))
    assert registry.on_deferred_indexed in receivers


def _count_index_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the datasets CKAN's indexer writes from now on (the writes still happen)."""
    from ckan.lib.search.index import PackageSearchIndex

    written: list[str] = []
    index_package = PackageSearchIndex.index_package

    def counted(self, pkg_dict, defer_commit=False):
        written.append(pkg_dict["name"])
        return index_package(self, pkg_dict, defer_commit)

    monkeypatch.setattr(PackageSearchIndex, "index_package", counted)
    return written


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_new_dataset_is_indexed_once_by_its_commit(monkeypatch):
    """CKAN notifies a new dataset twice in one commit (new, then changed through its new
    extras and tags); both read the same state, so one index write is kept."""
    organization = factories.Organization()
    written = _count_index_writes(monkeypatch)
    dataset = factories.Dataset(
        title="Once",
        owner_org=organization["id"],
        tags=[{"name": "bien"}],
        extras=[{"key": "nguon", "value": "so"}],
    )
    assert written == [dataset["name"]]
    assert _indexed_title(dataset["id"]) == "Once"

    model.Package.get(dataset["id"]).title = "Twice"
    model.Session.commit()  # the next commit indexes it again
    assert written == [dataset["name"], dataset["name"]]
    assert _indexed_title(dataset["id"]) == "Twice"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_savepoint_and_its_transaction_each_index_what_they_commit(monkeypatch):
    organization = factories.Organization()
    dataset = factories.Dataset(title="Before", owner_org=organization["id"])
    written = _count_index_writes(monkeypatch)

    savepoint = model.Session.begin_nested()
    model.Package.get(dataset["id"]).title = "In the savepoint"
    savepoint.commit()
    assert _indexed_title(dataset["id"]) == "In the savepoint"
    model.Package.get(dataset["id"]).title = "After the savepoint"
    model.Session.commit()
    assert _indexed_title(dataset["id"]) == "After the savepoint"
    assert written == [dataset["name"], dataset["name"]]
