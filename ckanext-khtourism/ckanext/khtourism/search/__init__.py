"""The PostgreSQL search engine behind CKAN's own search module.

CKAN 2.11 has no search-backend interface; every caller obtains a Solr
connection from ``ckan.lib.search.common.make_connection`` (imported by name
in ``ckan.lib.search``, its ``common``, ``index`` and ``query`` modules and in
ckanext-harvest). :func:`install` replaces that function, in every module
that holds it (through the compat room: ``compat/registry.py``), with
:func:`make_connection`, which decides on *each call*
from ``ckanext.khtourism.search.engine``:

* ``postgres`` (default): a :class:`~.connection.PostgresConnection`;
* ``solr``: CKAN's original function — stock behaviour.

``PackageSearchQuery.get_index`` (the index copy ``package_show`` answers from) is
wrapped so that the copy carries its exact ``metadata_modified``
(:func:`_exact_modified_in_stored_copy`).

Reading the setting on each call keeps the behaviour independent of plugin
load order (tests load and unload plugins freely). ``check_solr_schema_version``
(run by CKAN at start-up) is wrapped the same way so that start-up never tries
to reach Solr when the PostgreSQL engine is on.

``install`` runs when this package is imported (``plugin.py`` imports it).

Indexing deferred: :func:`defer_in_session` and :func:`indexing_deferred`
(:mod:`.deferred`) let a writer of many datasets (the harvest import) index them
later, in bulk; the rooms that react to dataset changes ask
:func:`indexing_deferred` and listen to :data:`.deferred.DEFERRED_INDEXED`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ckanext.khtourism import compat

from .deferred import defer_in_session, indexing_deferred

__all__ = [
    "ENGINE_OPTION",
    "connection_override",
    "defer_in_session",
    "engine",
    "indexing_deferred",
    "install",
    "make_connection",
    "postgres_enabled",
    "reset_index",
]

log = logging.getLogger(__name__)

ENGINE_OPTION = "ckanext.khtourism.search.engine"
ENGINES = ("postgres", "solr")

_original_make_connection: Callable[..., Any] | None = None
_original_check_schema: Callable[..., Any] | None = None
_original_rebuild: Callable[..., Any] | None = None
# a connection that replaces the engine's for a while (the batched rebuild collects documents)
_connection_override: ContextVar[Any] = ContextVar("khtourism_search_connection", default=None)

# Modules known to import make_connection by name.
_HOLDERS = (
    "ckan.lib.search.common",
    "ckan.lib.search.index",
    "ckan.lib.search.query",
    "ckan.lib.search",
    "ckanext.harvest.logic.action.update",
)


def engine() -> str:
    """The configured engine: ``postgres`` or ``solr``."""
    from ckan.common import config

    # an explicit default: this runs before the plugin's declarations are loaded
    value = str(config.get(ENGINE_OPTION, "postgres") or "postgres").strip().lower()
    if value not in ENGINES:
        from ckan.lib.search.common import SearchError

        raise SearchError(f"{ENGINE_OPTION} must be one of {', '.join(ENGINES)}, got {value!r}")
    return value


def postgres_enabled() -> bool:
    return engine() == "postgres"


@contextmanager
def connection_override(connection: Any) -> Iterator[Any]:
    """``make_connection()`` returns ``connection`` inside the block (PostgreSQL engine only)."""
    token = _connection_override.set(connection)
    try:
        yield connection
    finally:
        _connection_override.reset(token)


def make_connection(decode_dates: bool = True) -> Any:
    """The search connection of the configured engine (pysolr-compatible)."""
    if engine() == "solr":
        assert _original_make_connection is not None
        return _original_make_connection(decode_dates)
    override = _connection_override.get()
    if override is not None:
        return override
    from .connection import PostgresConnection

    return PostgresConnection(decode_dates)


def check_solr_schema_version(schema_file: Any = None) -> bool:
    """Stock check with Solr; nothing to check (and nothing to reach) otherwise."""
    if engine() == "solr":
        assert _original_check_schema is not None
        return _original_check_schema(schema_file)
    return False


def rebuild(*args: Any, **kwargs: Any) -> Any:
    """CKAN's ``rebuild``, batched, in one transaction, with a progress bar (:mod:`.reindex`)."""
    from . import reindex

    assert _original_rebuild is not None
    if engine() == "solr":
        return _original_rebuild(*args, **kwargs)
    return reindex.rebuild(*args, **kwargs)


def _exact_modified_in_stored_copy(original_get_index: Callable[..., Any]) -> Callable[..., Any]:
    """CKAN's ``PackageSearchQuery.get_index`` (``search.show``: the index copy
    ``package_show`` answers from), with the copy's ``metadata_modified`` exactly as the
    indexed dataset dict had it (``pkg.metadata_modified.isoformat()`` when indexed).

    ``package_show`` uses the copy only when ``metadata_modified[:22]`` of the copy equals
    that of the database's ``isoformat()``. Dates come back from the index as Solr returns
    them (milliseconds, no fraction when they are 000), so about one write in a thousand
    was shown from the database instead — without what plugins add at index time
    (ckanext-harvest's provenance extras). With the exact value the comparison holds for
    every time whenever the copy is current, and fails as before when it is stale.
    """

    def get_index(self: Any, reference: str) -> dict[str, Any]:
        document = original_get_index(self, reference)
        if engine() == "postgres":
            from .connection import exact_metadata_modified

            exact_metadata_modified(document)
        return document

    return get_index


def install() -> None:
    """Put the dispatching functions in place of CKAN's (idempotent; compat entries
    ``search.make_connection``, ``search.check_solr_schema_version``, ``search.rebuild``,
    ``search.get_index``, ``search.notify_deferred``)."""
    global _original_make_connection, _original_check_schema, _original_rebuild
    _original_make_connection = compat.replace_everywhere(
        "search.make_connection", make_connection, _HOLDERS
    )
    _original_check_schema = compat.replace_everywhere(
        "search.check_solr_schema_version", check_solr_schema_version, _HOLDERS
    )
    _original_rebuild = compat.replace_everywhere("search.rebuild", rebuild, _HOLDERS)
    compat.wrap("search.get_index", _exact_modified_in_stored_copy)
    # the synchronous indexer: once per dataset and commit, never in a deferring session
    from .deferred import install as install_notify

    install_notify()
    # the commit listeners of the index writes and the result cache: now, before any commit
    from .connection import track_commits

    track_commits()


install()


def reset_index() -> None:
    """Empty the PostgreSQL index (tests: CKAN's database reset does not know our table)."""
    if engine() != "postgres":
        return
    import sqlalchemy as sa

    from ckan import model

    from .cache import invalidate
    from .index import TABLE

    model.Session.execute(sa.text(f"DELETE FROM {TABLE}"))
    model.Session.commit()
    invalidate()
