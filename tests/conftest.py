"""Fixtures shared by the whole suite.

The suite runs with CKAN's pytest plugin against real PostgreSQL and Redis
(``make test`` starts embedded ones, or uses the servers that
``CKAN_SQLALCHEMY_URL`` / ``CKAN_REDIS_URL`` name).
"""

from __future__ import annotations

import functools
import importlib.metadata
import os

import pytest
import yaml

import ckan.plugins.core as plugins_core

# Plugins that own tables: their migrations run after every database reset.
PLUGINS_WITH_MIGRATIONS = ["activity", "harvest", "khtourism"]


@functools.cache
def _entry_points(params: tuple[tuple[str, str], ...]) -> importlib.metadata.EntryPoints:
    return importlib.metadata.entry_points(**dict(params))


def _cached_entry_points(**params: str) -> importlib.metadata.EntryPoints:
    return _entry_points(tuple(sorted(params.items())))


# CKAN looks every plugin up in the installed distributions' entry points each time plugins
# are loaded — on every ``with_plugins`` and ``app`` fixture, ~50 lookups that each read the
# metadata of every package in the virtualenv (2–4 s per test on a slow disk). The installed
# distributions do not change during a test session: the same answers, read once.
plugins_core.entry_points = _cached_entry_points


def _safe_load_with_libyaml(stream):  # type: ignore[no-untyped-def]
    return yaml.load(stream, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe loader, in C


# Each plugin load re-reads the scheming schemas, presets and config declarations (~60 YAML
# files per test) with PyYAML's pure-Python safe loader; its C implementation (libyaml, the
# same safe constructor) is ~10x faster.
if getattr(yaml, "__with_libyaml__", False):
    yaml.safe_load = _safe_load_with_libyaml


def pytest_configure(config: pytest.Config) -> None:
    """A pytest-xdist worker gets its own database, Redis database and storage folder
    (``ckanext.khtourism.local.test_workers``) before its CKAN starts (at session start)."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    if worker_id and config.option.ckan_ini:
        from ckanext.khtourism.local import test_workers

        test_workers.isolate(worker_id, config.option.ckan_ini)


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus the migrations of every plugin that owns tables."""
    reset_db()
    for plugin in PLUGINS_WITH_MIGRATIONS:
        migrate_db_for(plugin)
    # search: CKAN's reset does not empty the PostgreSQL search index (its own table)
    from ckanext.khtourism.search import reset_index

    reset_index()
    # api: the change feed is our own table too
    from ckanext.khtourism.changelog.changes import clear_changes

    clear_changes()
