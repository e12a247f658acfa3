"""Demo figures: a year of plausible, checked, clearly marked reports for the demo
establishments, so the charts show something on ``make run``, and the registry dataset of
the open visitor statistics published with them."""

from __future__ import annotations

import pytest

import ckan.model as model

from ckanext.khtourism.reporting import dashboard, registry, reports
from ckanext.khtourism.reporting.model import VisitorReport

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_demo_load_adds_a_year_of_demo_reports_and_publishes_their_dataset(cli, app):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["khtourism", "demo", "load"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Demo visitor reports" in result.output
    rows = model.Session.query(VisitorReport).all()
    by_place: dict[str, set[str]] = {}
    for row in rows:
        by_place.setdefault(row.establishment_id, set()).add(row.period)
    assert len(by_place) >= 3
    last = dashboard.shift(reports.local_date(reports.now()).strftime("%Y-%m"), -1)
    expected = {dashboard.shift(last, -n) for n in range(12)}
    assert all(periods == expected for periods in by_place.values())
    assert all(row.demo and row.state == reports.ACCEPTED for row in rows)
    assert {row.kind for row in rows} == {"accommodation", "travel"}
    for row in rows:
        if row.kind == "accommodation":
            assert row.guest_nights_domestic >= row.overnight_domestic
            assert row.room_nights_sold <= row.rooms_available * 31
    # loading again adds nothing
    again = cli.invoke(ckan, ["khtourism", "statistics", "demo"])
    assert "0 created" in again.output
    page = app.get("/thong-ke").body
    assert "Số liệu minh họa" in page
    # the demo tour operators' guests are charted too (province totals)
    assert 'data-breakdown="visitor_travel"' in page
    statistics = app.get(f"/api/tourism/v1/statistics/visitors?from={last}&to={last}").json
    assert statistics["demo"] is True
    assert statistics["totals"][0]["suppressed"] is False
    # the registry dataset of the open visitor statistics, public, covering the months
    from ckan.tests import helpers

    dataset = helpers.call_action("package_show", context={"user": ""}, id=registry.NAME)
    assert dataset["private"] is False
    assert {r["format"] for r in dataset["resources"]} == {"CSV", "JSON", "CSVW"}
    extras = {e["key"]: e["value"] for e in dataset.get("extras", [])}
    first, last_month = registry._months()
    assert first and last_month
    assert extras["temporal_start"] == f"{first}-01"
    assert extras["temporal_end"].startswith(last_month)
