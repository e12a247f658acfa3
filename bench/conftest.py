"""The benchmarks run on the same real stack as the tests (make test starts it)."""
from __future__ import annotations

import pytest


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    reset_db()
    for plugin in ("activity", "harvest", "khtourism"):
        migrate_db_for(plugin)
    from ckanext.khtourism.search import reset_index

    reset_index()
