"""Sample data built once per test process, put back before every test that uses it.

A fixture such as ``sample`` (tests/api) or ``world`` (tests/records) creates its users,
organizations and records through the action API: seconds of work, the same every time.
:func:`restored` builds them on first use, copies the rows of every table aside (a
``snapshot_<name>`` schema of the worker's own database), and for every later test puts
exactly those rows back — the database is then as the build left it, in a fraction of
the time — and hands out a fresh copy of what the build returned (ids, names, tokens).
A test may therefore change the records as it likes: the next one gets them back.

What is not in the database is reset as the build would find it: the search results
cache is emptied, the cached DCAT descriptions are dropped, and the SQLAlchemy session
starts anew. A test with other settings (``ckan_config`` marks) gets a build of its own.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from ckan import model

T = TypeVar("T")

# Tables whose rows describe the schema rather than data (never copied nor emptied),
# and the search index's change log (search/facet_bitmaps.py): it is not put back but
# written on, as by any other index change — emptying and refilling the search table
# logs every document deleted and inserted, so every process's facet bitmaps follow
# the restore like any other change.
_SKIPPED_TABLES = ("spatial_ref_sys", "khtourism_search_change", "khtourism_search_change_state")
# Sequences left running for the same reason (the log's numbers only grow).
_SKIPPED_SEQUENCES = ("khtourism_search_change_seq_seq",)

_built: dict[str, Any] = {}


def _schema(name: str) -> str:
    return f"snapshot_{name}"


_tables: list[str] = []


def _data_tables(connection: sa.engine.Connection) -> list[str]:
    """The public tables in an order where a table comes after those it references
    (read once per process: the tests never change the schema after the first reset)."""
    if not _tables:
        metadata = sa.MetaData()
        metadata.reflect(bind=connection, schema="public")
        _tables.extend(
            table.name
            for table in metadata.sorted_tables
            if not table.name.endswith("alembic_version") and table.name not in _SKIPPED_TABLES
        )
    return _tables


def _sequences(connection: sa.engine.Connection) -> list[str]:
    return list(
        connection.execute(
            sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).scalars()
    )


def drop_all() -> None:
    """Drop the snapshots an earlier run left in this database (their tables use the
    schema's enum types, which CKAN's first reset of a session drops)."""
    _built.clear()
    _tables.clear()
    _saved.clear()
    with model.meta.engine.begin() as connection:
        schemas = connection.execute(
            sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'snapshot\\_%'")
        ).scalars()
        for schema in list(schemas):
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def _take(name: str) -> None:
    schema = _schema(name)
    _saved.pop(schema, None)
    model.Session.commit()
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        for table in _data_tables(connection):
            connection.execute(
                sa.text(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
            )
        connection.execute(
            sa.text(
                f'CREATE TABLE "{schema}"."_sequences" AS '
                "SELECT sequencename, last_value, last_value IS NOT NULL AS is_called "
                "FROM pg_sequences WHERE schemaname = 'public'"
                " AND sequencename <> ALL(:skipped)"
            ),
            {"skipped": list(_SKIPPED_SEQUENCES)},
        )


def _restore(name: str) -> None:
    schema = _schema(name)
    model.Session.remove()
    with model.meta.engine.begin() as connection:
        tables = _data_tables(connection)
        saved = _saved_tables(connection, schema)
        statements = [f'DELETE FROM public."{table}"' for table in reversed(tables)]
        statements += [
            f'INSERT INTO public."{table}" OVERRIDING SYSTEM VALUE '
            f'SELECT * FROM "{schema}"."{table}"'
            for table in tables
            if table in saved
        ]
        statements.append(
            "SELECT setval(format('public.%%I', sequencename), "  # %% for the driver
            "coalesce(last_value, 1), is_called) "
            f'FROM "{schema}"."_sequences"'
        )
        # one round trip (~140 statements, each a round trip of its own before)
        connection.exec_driver_sql("; ".join(statements))
    model.Session.remove()
    # as for records built anew: no cached search result, no cached DCAT description
    from ckanext.khtourism.dcat.fragments import flush
    from ckanext.khtourism.search.cache import invalidate

    invalidate()
    flush()


_saved: dict[str, set[str]] = {}


def _saved_tables(connection: sa.engine.Connection, schema: str) -> set[str]:
    """The tables of a snapshot that hold rows (read once per snapshot: it never changes;
    an empty table needs no copy back after every table was emptied)."""
    if schema not in _saved:
        tables = connection.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
            {"schema": schema},
        ).scalars()
        _saved[schema] = {
            table
            for table in tables
            if table != "_sequences"
            and connection.execute(
                sa.text(f'SELECT EXISTS (SELECT FROM "{schema}"."{table}")')
            ).scalar()
        }
    return _saved[schema]


def configuration() -> str:
    """The configuration a build is kept for: with the plugins loaded, one name for every
    form of the configuration they were loaded for (``tests/fast_ckan.py``: a
    ``ckan_config`` mark sets ``"3"`` before each test, the loaded plugins read it as
    ``3``; a key made of either form built the same records twice, once for each)."""
    from tests.fast_ckan import STATE, fingerprint

    if STATE.current():
        return min(STATE.fingerprints)
    return fingerprint()


def restored(name: str, build: Callable[[], T]) -> T:
    """What ``build()`` returned, with the database as ``build()`` left it.

    The first call in a test process (for a configuration: a test with other settings
    gets its own build) runs ``build`` on the database the caller emptied and keeps the
    result; later calls put its rows back instead."""
    key = f"{name}_{hashlib.sha256(configuration().encode()).hexdigest()[:10]}"
    if key in _built:
        _restore(key)
    else:
        result = build()
        _take(key)
        _built[key] = result
    return copy.deepcopy(_built[key])
