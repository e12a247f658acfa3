"""Fixtures of the search tests."""

from __future__ import annotations

import pytest

from tests.search.search_helpers import Portal


@pytest.fixture
def portal() -> Portal:
    return Portal()
