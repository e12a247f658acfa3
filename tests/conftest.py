"""Fixtures shared by the whole suite.

The suite runs with CKAN's pytest plugin against real PostgreSQL and Redis
(``make test`` starts embedded ones, or uses the servers that
``CKAN_SQLALCHEMY_URL`` / ``CKAN_REDIS_URL`` name).
"""

from __future__ import annotations

import pytest

# Plugins that own tables: their migrations run after every database reset.
PLUGINS_WITH_MIGRATIONS = ["activity", "harvest", "khtourism"]


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
    from ckanext.khtourism.api.changes import clear_changes

    clear_changes()
