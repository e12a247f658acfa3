"""Schemathesis against the live test app, with a sysadmin's token: no server errors, no
response that violates the OpenAPI document, for valid and for invalid input; no
schema-valid request rejected (``positive_data_acceptance``) and no schema-invalid one
accepted (``negative_data_rejection``).

A JSON schema per parameter cannot say what binds parameters to each other (a radius
search needs lat, lon and radius; bbox, radius search and polygon exclude each other;
exactly one identifier for /lookup …). The document publishes those rules as
``x-parameter-rules`` of each operation; this test reads them from the document and keeps
its valid requests within them (:func:`within_rules`) — a rule the document does not
publish is never assumed here. The ``polygon`` format is served by a strategy of valid
polygons (``params.POLYGON_FORMAT``), as schemathesis serves ``date-time``.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.formats import unregister_string_format

from ckan.tests.helpers import call_action

from ckanext.khtourism.api import params

BASE = "/api/tourism/v1"
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation: valid requests, then invalid ones (about 35 operations: a few
# hundred requests in all, within a minute on the reference machine).
POSITIVE_EXAMPLES = 8
NEGATIVE_EXAMPLES = 4
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


@st.composite
def polygons(draw: st.DrawFn) -> str:
    """A valid WGS 84 polygon, as WKT or GeoJSON: a box or a triangle."""
    lon = draw(st.floats(-179, 178, allow_nan=False))
    lat = draw(st.floats(-89, 88, allow_nan=False))
    width = draw(st.floats(0.001, 1))
    height = draw(st.floats(0.001, 1))
    ring = [(lon, lat), (lon + width, lat), (lon + width, lat + height)]
    if draw(st.booleans()):
        ring.append((lon, lat + height))
    ring.append(ring[0])
    if draw(st.booleans()):
        return json.dumps({"type": "Polygon", "coordinates": [[list(p) for p in ring]]})
    return "POLYGON((" + ",".join(f"{x!r} {y!r}" for x, y in ring) + "))"


@pytest.fixture
def polygon_format() -> Iterator[None]:
    schemathesis.openapi.format(params.POLYGON_FORMAT, polygons())
    yield
    unregister_string_format(params.POLYGON_FORMAT)


def _numbers(value: Any) -> list[float]:
    parts = value if isinstance(value, list) else str(value).split(",")
    return [float(part) for part in parts]


def _instant(value: Any) -> dt.datetime:
    text = str(value)
    instant = dt.datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.timezone.utc)


def _last_ended_month() -> str:
    first = dt.datetime.now(LOCAL_TIME).date().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def _months(start: str, end: str) -> int:
    (ya, ma), (yb, mb) = (map(int, start.split("-")), map(int, end.split("-")))
    return (yb - ya) * 12 + mb - ma + 1


def within_rules(query: dict[str, Any], rules: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``query`` kept within the document's ``x-parameter-rules`` by leaving optional
    parameters out (a valid request stays valid); None when no such query exists."""
    query = dict(query)
    for rule in rules:
        kind = rule["rule"]
        names = rule.get("parameters", [])
        if kind == "together" and 0 < sum(n in query for n in names) < len(names):
            for name in names:
                query.pop(name, None)
        elif kind == "mutually-exclusive":
            used = [group for group in rule["groups"] if any(n in query for n in group)]
            for group in used[1:]:
                for name in group:
                    query.pop(name, None)
        elif kind == "exactly-one":
            given_names = [n for n in names if n in query]
            if not given_names:
                return None
            for name in given_names[1:]:
                query.pop(name)
        elif kind == "requires":
            ((name, value),) = rule["when"].items()
            if query.get(name) == value and not all(n in query for n in names):
                query.pop(name)
        elif kind == "ordered" and all(n in query for n in names):
            if _instant(query[names[0]]) > _instant(query[names[1]]):
                query.pop(names[1])
        elif kind == "bbox" and "bbox" in query:
            min_lon, min_lat, max_lon, max_lat = _numbers(query["bbox"])
            lons_ok = all(-180 <= v <= 180 for v in (min_lon, max_lon))
            lats_ok = all(-90 <= v <= 90 for v in (min_lat, max_lat))
            if not (lons_ok and lats_ok and min_lon <= max_lon and min_lat <= max_lat):
                query.pop("bbox")
        elif kind == "month-range":
            start_name, end_name = names
            end = query.get(end_name) or _last_ended_month()
            start = query.get(start_name)
            if start is not None and (start > end or _months(start, end) > rule["maximum"]):
                query.pop(start_name)
    return query


def _positive_case(case: Any) -> Any:
    rules = case.operation.definition.raw.get("x-parameter-rules", [])
    kept = within_rules(case.query, rules)
    assume(kept is not None)
    if kept != case.query:
        case.query = kept
    return case


def _client_token(api, sample) -> str:
    """A registered client system (every scope, a quota the run stays under) and a token."""
    client = call_action(
        "khtourism_client_create",
        {"user": sample.sysadmin["name"], "ignore_auth": False},
        name="Schemathesis",
        owner=sample.sysadmin["name"],
        contact="schemathesis@localhost.invalid",
        scopes="read:public webhooks",
        quota_per_minute=100_000,
        quota_per_day=1_000_000,
    )
    response = api.post(
        f"{BASE}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"]


def _run(strategy, examples: int, checks: list, headers: dict[str, str], seen: list[int]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        seen.append(response.status_code)
        case.validate_response(response, checks=checks)

    run()


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
@pytest.mark.usefixtures("polygon_format")
def test_schemathesis_with_a_token_finds_no_errors_violations_or_rejected_valid_requests(
    api, sample
):
    schema = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", api.flask_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    # the client systems' endpoints and the dumps are in the document too
    assert {"POST /oauth/token", "GET /client", "POST /webhooks", "GET /dumps/"} <= labels
    ruled = [op for op in operations if op.definition.raw.get("x-parameter-rules")]
    assert {op.label for op in ruled} >= {"GET /lookup", "GET /changes", "GET /accommodations"}
    headers = {"Authorization": sample.tokens["sysadmin"]}
    # the client systems' own endpoints answer a registered client's bearer token; not the
    # subscription (POST /webhooks), whose receiver URL the server resolves and checks
    # (tests/clients/test_webhooks.py), and not the token endpoint (its own credentials)
    client_headers = {"Authorization": f"Bearer {_client_token(api, sample)}"}
    with_client_token = {
        label
        for label in labels
        if label.split(" ", 1)[1].startswith(("/client", "/webhooks")) and label != "POST /webhooks"
    }
    assert len(with_client_token) == 6
    failures = []
    statuses: dict[str, list[int]] = {mode.value: [] for mode in GenerationMode}
    client_statuses: dict[str, list[int]] = {mode.value: [] for mode in GenerationMode}
    for operation in operations:
        for mode, examples in (
            (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            raw = operation.definition.raw
            if mode == GenerationMode.NEGATIVE and not (
                raw.get("parameters") or raw.get("requestBody") or operation.path_parameters
            ):
                continue  # nothing to make invalid (GET /dumps/)
            strategy = operation.as_strategy(generation_mode=mode)
            checks = CONFORMANCE
            if mode == GenerationMode.POSITIVE:
                strategy = strategy.map(_positive_case)
                checks = [*CONFORMANCE, positive_data_acceptance]
            else:
                checks = [*CONFORMANCE, negative_data_rejection]

            try:
                if operation.label in with_client_token:
                    _run(strategy, examples, checks, client_headers, client_statuses[mode.value])
                else:
                    _run(strategy, examples, checks, headers, statuses[mode.value])
            except Exception as error:  # collect every operation's failure, then report all
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    assert not failures, "\n\n".join(failures)
    # the run really exercised the API: answers to valid requests, rejections of invalid ones
    assert len(statuses["positive"]) >= len(operations) * 2
    assert 200 in statuses["positive"] and 400 in statuses["negative"]
    # the client's token was taken: its registration and lists answered, unknown ids 404
    valid = client_statuses["positive"]
    assert {200, 404} <= set(valid) and 401 not in valid, sorted(set(valid))


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ({"lat": 1, "lon": 2}, {}),
        ({"bbox": [1, 2, 3, 4], "polygon": "P"}, {"bbox": [1, 2, 3, 4]}),
        ({"bbox": [3, 2, 1, 4]}, {}),
        ({"sort": "relevance"}, {}),
        ({"card_number": "1", "enterprise_code": "2"}, "one"),
        ({}, None),
    ],
)
def test_within_rules_follows_the_published_rules(query, kept):
    rules = [
        {"rule": "together", "parameters": ["lat", "lon", "radius"]},
        {"rule": "mutually-exclusive", "groups": [["bbox"], ["lat", "lon", "radius"], ["polygon"]]},
        {"rule": "bbox", "parameters": ["bbox"]},
        {"rule": "requires", "parameters": ["q"], "when": {"sort": "relevance"}},
        {"rule": "exactly-one", "parameters": ["card_number", "enterprise_code"]},
    ]
    if kept is None:
        assert within_rules(query, rules) is None
    elif kept == "one":
        assert within_rules(query, rules) == {"card_number": "1"}
    else:
        extra = {"card_number": "1"}
        assert within_rules({**query, **extra}, rules) == {**kept, **extra}
