"""Settings of every PostgreSQL session the portal opens: JIT compilation off.

PostgreSQL compiles a statement to machine code (JIT) when its estimated cost passes
``jit_above_cost`` (100,000) and also optimises and inlines it past 500,000; Debian's
PostgreSQL 15, the data centre's server, ships with ``jit = on``. The portal's statements
are short, and the compilation cost more than they do: on that server the search
engine's change-log read (``search/facet_bitmaps.py``) took 131 ms, 96 ms of it JIT
compilation (an estimate of 260,000 rows from a one-row table not yet analysed), and
1.5 ms without JIT; a search statement, planned with ``enable_seqscan = off``
(``search/connection.py``), passes the thresholds whenever its plan keeps a sequential
scan (485 ms a search statement on average in a suite run against that server).
PostgreSQL's documentation: for short queries the overhead of JIT compilation will often
be higher than the time it can save.

``ckanext.khtourism.postgres_jit`` (default false) turns JIT off in each session the
process opens — CKAN's engine and the search replicas' (``search/replicas.py``): one
``set_config`` when a connection is made, not one per statement. ``true`` leaves the
server's own setting. (The embedded server of ``make run`` and ``make test`` is built
without JIT; the setting matters on a real server.)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

OPTION = "ckanext.khtourism.postgres_jit"

# the settings each new session gets (name -> value), from the configuration
_settings: dict[str, str] = {}


def install(config: Any) -> None:
    """Every PostgreSQL connection made from now on gets the configured settings."""
    _settings.clear()
    if not tk.asbool(config.get(OPTION, False)):
        _settings["jit"] = "off"
    if not sa.event.contains(sa.engine.Engine, "connect", _apply):
        sa.event.listen(sa.engine.Engine, "connect", _apply)


def _apply(dbapi_connection: Any, _connection_record: Any) -> None:
    """Set :data:`_settings` for the session of a new DB-API connection (PostgreSQL only).

    Set outside a transaction: a ``SET`` in a transaction that the pool later rolls back
    would be undone with it."""
    if not _settings or not type(dbapi_connection).__module__.startswith("psycopg2"):
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        with dbapi_connection.cursor() as cursor:
            for name, value in _settings.items():
                cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
    finally:
        dbapi_connection.autocommit = autocommit
