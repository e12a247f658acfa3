"""The registry dataset ``visitor-statistics``: created by the demo load (``make run`` on a
fresh install: tests/reporting/test_demo_figures.py; without demo data the stack creates
it once: tests/test_local_stack.py),
refreshed by the jobs worker when a curator accepts a report; its CSV-on-the-Web
description of the CSV's columns, linked from the CSV answer."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

import ckan.lib.jobs as jobs

from ckanext.khtourism.reporting import registry

from .reporting_fixtures import HOTEL, NHA_TRANG, REVENUE, establishment
from .test_aggregates import _accepted, _three_establishments, _travel_reports

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

URL = "/api/tourism/v1/statistics/visitors"


def test_accepting_a_report_queues_the_refresh_that_moves_the_coverage(world):
    _three_establishments(world)  # accepted reports of 2026-01 … 2026-03
    registry.refresh()
    queue = jobs.get_queue()
    queue.empty()
    place = establishment(world, admin_unit=NHA_TRANG, accommodation_type=HOTEL, rooms="30")
    _accepted(world, place, "2026-04", rooms_available=30, room_nights_sold=300)
    job = queue.fetch_job("khtourism-visitor-statistics")
    assert job is not None, queue.job_ids
    assert job.func_name.endswith("registry.refresh_job")
    before = world.call("anonymous", "package_show", id=registry.NAME)
    extras = {e["key"]: e["value"] for e in before["extras"]}
    assert extras["temporal_end"] == "2026-03-31"  # not refreshed until the job runs
    job.perform()  # what the jobs worker of `make run` does
    after = world.call("anonymous", "package_show", id=registry.NAME)
    extras = {e["key"]: e["value"] for e in after["extras"]}
    assert extras["temporal_end"] == "2026-04-30"
    csv_url = next(r["url"] for r in after["resources"] if r["format"] == "CSV")
    assert "to=2026-04" in csv_url
    queue.empty()


def _check_value(value: str, datatype: dict) -> None:
    """A CSV cell against its CSVW datatype (an empty cell is the declared null)."""
    if value == "":
        return
    base = datatype["base"]
    if "format" in datatype and base in ("string", "boolean"):
        assert re.fullmatch(datatype["format"], value), (value, datatype)
    if base == "nonNegativeInteger":
        assert re.fullmatch(r"[0-9]+", value), (value, datatype)
    elif base == "gYearMonth":
        assert re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value), (value, datatype)
    elif base == "decimal":
        number = Decimal(value)
        assert datatype["minimum"] <= number <= datatype["maximum"], (value, datatype)


def test_the_csv_is_described_by_csv_on_the_web_metadata(app, world):
    _three_establishments(world)
    # two hotels elsewhere: a suppressed cell (and its complement) in 2026-01
    for _ in range(2):
        place = establishment(world, admin_unit="22333", accommodation_type=HOTEL)
        _accepted(world, place, "2026-01", rooms_available="", room_nights_sold=10)
    # travel businesses: a published and a suppressed province total (rows of level travel)
    _travel_reports(world, {"2026-01": 3, "2026-02": 1})
    query = "from=2026-01&to=2026-03&group_by=month,admin_unit,accommodation_type"
    response = app.get(f"{URL}?{query}&format=csv")
    link = response.headers["Link"]
    match = re.fullmatch(r'<([^>]+)>; rel="describedby"; type="application/csvm\+json"', link)
    assert match, link
    target = urlsplit(match.group(1))
    assert target.path == f"{URL}/csv-metadata.json"
    metadata_response = app.get(f"{target.path}?{target.query}")
    assert metadata_response.content_type.startswith("application/csvm+json")
    metadata = json.loads(metadata_response.body)

    assert metadata["@context"][0] == "http://www.w3.org/ns/csvw"
    described = urlsplit(metadata["url"])
    assert described.path == URL
    assert parse_qs(described.query) == {
        **parse_qs(query),
        "format": ["csv"],
    }  # the same query, as CSV
    rows = list(csv.reader(io.StringIO(response.body.lstrip("\ufeff"))))
    header, data = rows[0], rows[1:]
    columns = metadata["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == header  # every column described, in order
    for column in columns:
        titles = column["titles"]
        assert titles["und"] == [column["name"]]  # matches the header cell
        assert titles["vi"][0] and titles["en"][0], column
        assert titles["vi"][0] != titles["en"][0] or column["name"] == titles["en"][0]
        assert {d["@language"] for d in column["dc:description"]} == {"vi", "en"}
        assert column["null"] == ""
        assert column["datatype"]["base"]
    by_name = {c["name"]: c for c in columns}
    assert by_name["overnight_international"]["titles"]["vi"] == ["Khách quốc tế lưu trú qua đêm"]
    assert by_name["occupancy"]["titles"]["en"] == ["Room occupancy"]
    assert by_name["suppressed"]["datatype"] == {"base": "boolean", "format": "true|false"}
    suppressed_rows = 0
    for row in data:
        assert len(row) == len(columns)
        for value, column in zip(row, columns, strict=True):
            _check_value(value, column["datatype"])
        values = dict(zip(header, row, strict=True))
        if values["suppressed"] == "true":  # the marker: the figures are empty
            suppressed_rows += 1
            assert values["establishments"] == values["overnight_domestic"] == ""
    assert suppressed_rows >= 3  # the cell of 2 establishments, its complement, 2026-02 travel
    travel = [dict(zip(header, row, strict=True)) for row in data if row[0] == "travel"]
    assert [(r["month"], r["guests_inbound"], r["suppressed"]) for r in travel] == [
        ("2026-01", "120", "false"),
        ("2026-02", "", "true"),
    ]
    assert by_name["businesses"]["titles"]["vi"] == ["Doanh nghiệp lữ hành"]
    assert by_name["guests_inbound"]["datatype"] == {"base": "nonNegativeInteger"}
    assert by_name["level"]["datatype"]["format"] == "cell|province|travel"
    assert str(REVENUE) not in metadata_response.body
    assert "revenue" not in metadata_response.body
    # a bad query is refused there too
    app.get(f"{URL}/csv-metadata.json?from=2026-13", status=400)


def test_the_registry_dataset_publishes_the_csvw_distribution(app, world):
    _three_establishments(world)
    dataset = registry.refresh()
    by_format = {r["format"]: r for r in dataset["resources"]}
    csvw = by_format["CSVW"]
    assert csvw["mimetype"] == "application/csvm+json"
    url = urlsplit(csvw["url"])
    metadata = app.get(f"{url.path}?{url.query}").json
    # it describes the dataset's CSV distribution
    assert parse_qs(urlsplit(metadata["url"]).query) == parse_qs(
        urlsplit(by_format["CSV"]["url"]).query
    )
