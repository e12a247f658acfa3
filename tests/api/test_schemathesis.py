"""Schemathesis against the live test app: no server errors, no response that
violates the OpenAPI document, for valid and for invalid input."""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

BASE = "/api/tourism/v1"
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 30

# Where schemathesis and hypothesis-jsonschema call ``canonicalish`` (imported by name).
_CANONICALISH_USERS = (
    "hypothesis_jsonschema._canonicalise",
    "hypothesis_jsonschema._from_schema",
    "schemathesis.generation.coverage",
    "schemathesis.specs.openapi.negative.mutations",
    "schemathesis.specs.openapi.negative.utils",
)


def _remembered(canonicalish: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Any]:
    """``canonicalish`` answering a schema it has seen with a fresh copy of its answer.

    hypothesis-jsonschema brings a parameter's schema to its canonical form again for every
    value it draws (20,000 times in this test, each recursing through the whole schema: a
    third of the test's time). It is a pure function of the schema's JSON, so the answer
    for the same JSON is the same; each caller gets its own copy (callers change it).
    """
    answers: dict[str, str] = {}

    @functools.wraps(canonicalish)
    def remembered(schema: Any) -> Any:
        try:
            key = json.dumps(schema, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError):  # not plain JSON: as before
            return canonicalish(schema)
        if key not in answers:
            answer = canonicalish(schema)
            try:
                text = json.dumps(answer)
            except (TypeError, ValueError):
                return answer
            if json.loads(text) != answer:  # pragma: no cover - a non-JSON answer
                return answer
            answers[key] = text
        return json.loads(answers[key])

    return remembered


@pytest.fixture(scope="module", autouse=True)
def _canonical_schemas_remembered() -> Iterator[None]:
    from hypothesis_jsonschema import _canonicalise

    original = _canonicalise.canonicalish
    remembered = _remembered(original)
    modules = [importlib.import_module(name) for name in _CANONICALISH_USERS]
    for module in modules:
        module.canonicalish = remembered  # type: ignore[attr-defined]
    yield
    for module in modules:
        module.canonicalish = original  # type: ignore[attr-defined]


@pytest.mark.ckan_config("ckanext.khtourism.api.rate_limit.enabled", "false")
def test_schemathesis_finds_no_server_errors_and_no_violations(api, sample):
    schema = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", api.flask_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    failures = []
    statuses: list[int] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                response = case.call()
                statuses.append(response.status_code)
                case.validate_response(response, checks=CONFORMANCE)

            try:
                run()
            except Exception as error:  # collect every operation's failure, then report all
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    assert not failures, "\n\n".join(failures)
    # the run really exercised the API: answers and rejections, on every operation
    assert len(statuses) >= len(operations) * 2 and {200, 400} <= set(statuses)
