"""Fixtures of the tourism API tests."""
from __future__ import annotations

import pytest

BASE = "/api/tourism/v1"


@pytest.fixture
def api(app):
    """CKAN's test app with the API's rate-limit counters emptied."""
    limiter = app.flask_app.extensions.get("khtourism_api_limiter")
    if limiter is not None:
        limiter.reset()
    return app
