"""``User.get`` and ``Group.get`` answer from the session that holds the object, and ask
the database in every other case (``logic/session_lookups.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)


def _lookups(get: Callable[[str], Any], reference: str) -> tuple[Any, Any, list[str]]:
    first = get(reference)
    with counted() as statements:
        second = get(reference)
    return first, second, statements


@pytest.mark.parametrize("by", ["name", "id"])
def test_a_user_the_session_holds_is_not_looked_up_again(by):
    user = factories.User()
    first, second, statements = _lookups(model.User.get, user[by])
    assert first is not None and second is first
    assert statements == []


@pytest.mark.parametrize("by", ["name", "id"])
def test_an_organization_the_session_holds_is_not_looked_up_again(by):
    org = factories.Organization()
    first, second, statements = _lookups(model.Group.get, org[by])
    assert first is not None and second is first and second.name == org["name"]
    assert statements == []


def test_a_new_session_asks_the_database():
    user = factories.User()
    assert model.User.get(user["name"]) is not None
    model.Session.remove()  # as at the end of every request
    with counted() as statements:
        found = model.User.get(user["name"])
    assert found is not None and found.name == user["name"]
    assert statements, "a new session answered from the previous one"


def test_an_expired_renamed_or_detached_object_is_looked_up_again():
    user = factories.User()
    held = model.User.get(user["name"])
    model.Session.expire(held)  # e.g. after a refresh was asked for
    with counted() as statements:
        assert model.User.get(user["name"]) is held
    assert statements

    held.name = "ten-moi"  # renamed in the session, not yet written
    with counted() as statements:
        model.User.get(user["name"])
    assert statements  # the old name is the database's to answer

    model.Session.expunge(held)
    with counted() as statements:
        again = model.User.get(user["id"])
    assert statements and again is not held


def test_a_lookup_that_found_nothing_is_not_remembered():
    assert model.User.get("chua-co") is None
    factories.User(name="chua-co")
    found = model.User.get("chua-co")
    assert found is not None and found.name == "chua-co"


def test_a_deleted_object_is_not_answered():
    org = factories.Organization()
    held = model.Group.get(org["name"])
    model.Session.delete(held)
    model.Session.flush()
    with counted() as statements:
        assert model.Group.get(org["name"]) is None
    assert statements
