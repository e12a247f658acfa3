"""Fixtures of the OGC API – Features tests: the tourism API tests' records (four types,
published and not, a guide with personal data) and the app with fresh rate limits."""

from __future__ import annotations

from tests.api.conftest import api, sample  # noqa: F401 - fixtures shared with the API tests
