"""The benchmark generators write every declared record type, valid under its schema.

``bench/generate.py`` (search benchmark) and ``bench/api_generate.py`` (tourism API
benchmark) take their types from the declarations (``bench/record_fields.py``). Here a
generated record of each type declared after the first four (whose generated fields
are the contract copies of ``bench/schemas/``, the scenario measured since 2026-11-26)
goes through ``package_create`` in the test app — the portal's own schemas and
validators — and is created.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from ckan.tests import factories, helpers

from ckanext.khtourism.core import record_types

BENCH = Path(__file__).resolve().parent.parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import api_generate  # noqa: E402
import generate  # noqa: E402
import record_fields  # noqa: E402

OLD_TYPES = set(record_fields.OLD_TYPES)
NEW_TYPES = [name for name in record_types.declarations() if name not in OLD_TYPES]
NOW = dt.datetime(2026, 11, 1)


def _generated() -> list[dict[str, Any]]:
    return list(generate.records(3000, now=NOW))


def test_every_declared_type_is_generated_in_realistic_shares():
    counts = collections.Counter(row["type"] for row in _generated())
    assert set(counts) == set(record_types.declarations())
    # most records are accommodation; every type is there
    assert counts.most_common(1)[0][0] == "accommodation"
    assert counts["accommodation"] > 0.4 * sum(counts.values())
    assert min(counts.values()) >= 10


def test_api_generator_writes_every_declared_type():
    rng = random.Random(1)
    seen = set()
    for index in range(400):
        dataset_type = record_fields.pick_type(rng, record_fields.types())
        title, extras = api_generate.fields_for(dataset_type, rng, index, 109.19, 12.25, NOW)
        assert title and all(isinstance(value, str) for value in extras.values())
        seen.add(dataset_type)
    assert seen == set(record_types.declarations())


def _as_submitted(row: dict[str, Any], owner_org: str) -> dict[str, Any]:
    """A generated row as a form or the API would submit it (lists as lists)."""
    data: dict[str, Any] = {
        "name": row["name"],
        "title": row["title"],
        "notes": row["notes"],
        "type": row["type"],
        "owner_org": owner_org,
        "tag_string": ",".join(row["tags"]),
    }
    for key, value in row["extras"].items():
        if key in ("workflow_state", "workflow_reason"):
            continue  # the workflow sets it
        if isinstance(value, str) and value.startswith("["):
            value = json.loads(value)
        data[key] = value
    return data


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", NEW_TYPES)
def test_a_generated_record_of_each_new_type_passes_package_create(record_type):
    rows = [row for row in _generated() if row["type"] == record_type]
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    context = {"user": sysadmin["name"], "ignore_auth": False}
    for row in rows[:3]:
        data = _as_submitted(row, org["id"])
        created = helpers.call_action("package_create", context=dict(context), **data)
        assert created["type"] == record_type
        assert created["title"] == row["title"]
        if record_type == "event":
            assert created["start_datetime"] < created["end_datetime"]
        if record_type == "tourist-area":
            assert json.loads(created["area"])["type"] == "Polygon"
        if record_type == "tourist-transport" and created["transport_mode"] == "road":
            assert created["registration_plate"].startswith("79")
