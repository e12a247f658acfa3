"""Fixtures of the harvester tests: local HTTP servers serving tests/harvesters/fixtures."""

from __future__ import annotations

import pytest

from tests.harvesters.harvest_fixtures import FixtureServer, arcgis_query
from tests.record_fixtures import world  # noqa: F401 - the roles of the authorization tests


@pytest.fixture
def fixture_server():
    server = FixtureServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def arcgis_layer(fixture_server):
    """A paging-capable FeatureServer layer; returns its URL."""
    fixture_server.file("/arcgis/rest/services/VHTT/DiTich/FeatureServer/0", "arcgis/layer.json")
    fixture_server.handler(
        "/arcgis/rest/services/VHTT/DiTich/FeatureServer/0/query", arcgis_query()
    )
    return fixture_server.url("/arcgis/rest/services/VHTT/DiTich/FeatureServer/0")
