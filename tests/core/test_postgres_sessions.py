"""Every PostgreSQL session the portal opens runs without JIT compilation unless the
configuration asks for it (core/postgres_sessions.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model

pytestmark = pytest.mark.usefixtures("with_plugins")

JIT = sa.text("SELECT setting, reset_val FROM pg_settings WHERE name = 'jit'")


def _new_engine() -> sa.engine.Engine:
    return sa.create_engine(model.meta.engine.url)


def test_a_new_session_has_jit_off_even_after_a_rollback():
    engine = _new_engine()
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            setting, _server = connection.execute(JIT).one()
            assert setting == "off"
            transaction.rollback()  # (a SET inside the first transaction would be undone)
            assert connection.execute(JIT).one()[0] == "off"
    finally:
        engine.dispose()


def test_ckans_own_sessions_have_jit_off():
    model.Session.remove()
    model.meta.engine.dispose()  # connections made before the plugins loaded are gone
    assert model.Session.execute(JIT).one()[0] == "off"
    model.Session.rollback()
    assert model.Session.execute(JIT).one()[0] == "off"
    model.Session.remove()


@pytest.mark.ckan_config("ckanext.khtourism.postgres_jit", "true")
def test_postgres_jit_true_keeps_the_servers_setting():
    engine = _new_engine()
    try:
        with engine.connect() as connection:
            setting, server = connection.execute(JIT).one()
            assert setting == server  # the server's (postgresql.conf: "on" by default)
    finally:
        engine.dispose()
