"""Events in the tourism API: filtered by period (``from``, ``to``) and "happening now",
served as schema.org ``Event`` with their start and end."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dcat.dcat_fixtures import publish
from tests.record_fixtures import world  # noqa: F401  (the records fixture)

BASE = "/api/tourism/v1/events"
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def events(world):  # noqa: F811
    now = dt.datetime.now(dt.timezone.utc)
    day = dt.timedelta(days=1)
    made = {}
    for name, start, end in (
        ("le-hoi-da-qua", now - 10 * day, now - 8 * day),
        ("le-hoi-dang-dien-ra", now - day, now + day),
        ("le-hoi-sap-toi", now + 20 * day, now + 22 * day),
    ):
        made[name] = publish(
            world,
            "member_a",
            "event",
            "a",
            name=name,
            title=name.replace("-", " ").title(),
            start_datetime=_local(start),
            end_datetime=_local(end),
        )
    return made


def _names(app, query: str = "") -> set[str]:
    response = app.get(f"{BASE}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["name"] for item in response.json["items"]}


def test_events_filtered_by_period_and_happening_now(app, events):
    assert _names(app) == set(events)
    assert _names(app, "?happening_now=true") == {"le-hoi-dang-dien-ra"}
    today = dt.date.today()
    assert _names(app, f"?from={today.isoformat()}") == {"le-hoi-dang-dien-ra", "le-hoi-sap-toi"}
    soon = (today + dt.timedelta(days=5)).isoformat()
    assert _names(app, f"?to={soon}") == {"le-hoi-da-qua", "le-hoi-dang-dien-ra"}
    later = (today + dt.timedelta(days=30)).isoformat()
    assert _names(app, f"?from={soon}&to={later}") == {"le-hoi-sap-toi"}


def test_a_period_backwards_is_refused_naming_the_parameter(app, events):
    response = app.get(f"{BASE}?from=2027-02-01&to=2027-01-01")
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == "from"


def test_the_period_parameters_belong_to_the_events_only(app, events):
    assert app.get("/api/tourism/v1/accommodations?happening_now=true").status_code == 400


def test_an_event_is_a_schema_org_event_with_its_start_and_end(app, events):
    record = events["le-hoi-dang-dien-ra"]
    thing = app.get(f"{BASE}/{record['name']}?format=jsonld").json
    assert thing["@type"] == "Event"
    assert thing["startDate"] == record["start_datetime"]
    assert thing["endDate"] == record["end_datetime"]
    item = app.get(f"{BASE}/{record['name']}").json
    assert item["start_datetime"].endswith("+07:00")
