"""Work beside a request's session takes its connection from a pool of its own
(core/side_connections.py): a request whose session holds a connection of CKAN's pool
never waits on that pool for a second one.

The reproduction: CKAN's pool of one connection, held by the session (as each request's
session holds one). Before, the webhook check after a record action and the personal-data
access log each waited for a second connection of that pool until its timeout; under
load (20 simultaneous writes on ``make run``, tests/test_local_stack.py) every request
waited on the others and some answered 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ckan import model

from ckanext.khtourism.clients import webhooks
from ckanext.khtourism.core import side_connections
from ckanext.khtourism.records import personal_data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def one_connection_held() -> Iterator[sa.engine.Engine]:
    """CKAN's model on a pool of exactly one connection (no overflow, 0.3 s timeout), and
    the session holding it in an open transaction."""
    original = model.meta.engine
    tiny = sa.create_engine(original.url, pool_size=1, max_overflow=0, pool_timeout=0.3)
    model.Session.remove()
    model.meta.engine = tiny
    model.Session.configure(bind=tiny)
    try:
        model.Session.execute(sa.text("SELECT 1"))
        assert tiny.pool.checkedout() == 1
        with pytest.raises(sa.exc.TimeoutError):  # the pool has nothing more to give
            tiny.connect()
        yield tiny
    finally:
        model.Session.remove()
        model.meta.engine = original
        model.Session.configure(bind=original)
        tiny.dispose()


def test_the_webhook_check_answers_while_the_session_holds_the_pool(one_connection_held):
    assert webhooks.has_subscriptions() is False
    assert side_connections.side_engine() is not one_connection_held
    assert side_connections.side_engine().url == one_connection_held.url


def test_the_access_log_row_lands_while_the_session_holds_the_pool(one_connection_held):
    user = model.User(name="doc-gia", email="doc-gia@example.vn", password="x" * 12)
    model.Session.add(user)
    model.Session.flush()
    personal_data.log_access(user, "ban-ghi-1", "ban-ghi-mot")
    model.Session.rollback()  # the request's own work is undone; the log row is not
    with side_connections.side_engine().connect() as connection:
        names = connection.execute(
            sa.select(personal_data.ACCESS_TABLE.c.package_name).where(
                personal_data.ACCESS_TABLE.c.user_name == "doc-gia"
            )
        ).scalars()
        assert list(names) == ["ban-ghi-mot"]


def test_the_side_engine_follows_ckans_engine():
    first = side_connections.side_engine()
    assert first is side_connections.side_engine()
    assert first is not model.meta.engine
    assert first.url == model.meta.engine.url
