"""The search engine's commit listeners are registered once, at start-up, never during a commit.

The first search connection of a process used to register them, and CKAN makes that
connection inside ``before_commit`` (it indexes a dataset in its own transaction): adding a
``before_commit`` listener while SQLAlchemy iterates them raised ``RuntimeError: deque mutated
during iteration`` — the first ``harvest_source_create`` after start answered 500 although
the source was created, and a harvest consumer died on it. (The same request, 20 times in
parallel right after a real start: ``tests/test_local_stack.py``.)
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.model import meta
from ckan.tests import factories

from ckanext.khtourism.search import connection, make_connection

LISTENERS = (
    ("before_commit", "_mark_committing"),
    ("after_commit", "_after_commit"),
    ("after_rollback", "_after_rollback"),
    ("after_soft_rollback", "_after_rollback"),
)


def _remove_listeners() -> None:
    # (from CKAN's scoped session, where the commits of these tests happen: SQLAlchemy cannot
    # remove a function listening on two targets from both)
    for name, listener in LISTENERS:
        if sa.event.contains(meta.Session, name, getattr(connection, listener)):
            sa.event.remove(meta.Session, name, getattr(connection, listener))


@pytest.fixture
def fresh_process():
    """The state of a process whose engine has not registered its listeners yet."""
    _remove_listeners()
    try:
        yield
    finally:
        connection.track_commits()


@pytest.mark.usefixtures("fresh_process")
def test_a_connection_made_during_a_commit_registers_no_listener(reset_db):
    def index_in_commit(session):
        # what CKAN's indexing does first from before_commit: make a connection
        make_connection()

    sa.event.listen(meta.Session, "before_commit", index_in_commit)
    try:
        model.Session.execute(sa.text("SELECT 1"))
        model.Session.commit()  # RuntimeError: deque mutated during iteration, before the fix
    finally:
        sa.event.remove(meta.Session, "before_commit", index_in_commit)
    assert not sa.event.contains(meta.Session, "before_commit", connection._mark_committing)


@pytest.mark.usefixtures("fresh_process")
def test_track_commits_from_many_threads_registers_each_listener_once():
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def register():
        try:
            start.wait()
            connection.track_commits()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=register) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sa.event.contains(meta.Session, "before_commit", connection._mark_committing)
    # once: one removal leaves none behind
    _remove_listeners()
    assert not sa.event.contains(meta.Session, "before_commit", connection._mark_committing)
    assert not sa.event.contains(meta.Session, "after_commit", connection._after_commit)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_index_writes_inside_a_commit_do_not_commit_again():
    """With the listeners registered at start-up, ``add(commit=True)`` from ``before_commit``
    (CKAN's indexing) joins the dataset's transaction: the dataset and its index row commit
    together, and the marker is cleared after the commit."""
    dataset = factories.Dataset(
        title="Khách sạn Bình Minh", owner_org=factories.Organization()["id"]
    )
    count = model.Session.execute(
        sa.text("SELECT count(*) FROM khtourism_search_doc WHERE id = :id"), {"id": dataset["id"]}
    ).scalar()
    assert count == 1
    assert connection._COMMITTING not in model.Session().info
