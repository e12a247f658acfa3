"""Schemathesis against the live test app: no server errors, no response that
violates the OpenAPI document, for valid and for invalid input."""

from __future__ import annotations

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
