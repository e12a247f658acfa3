"""Open redirects after a workflow error; formula injection in the CSV exports."""

from __future__ import annotations

import csv
import io

import pytest

import ckan.plugins.toolkit as tk

from ckanext.khtourism.security.csv_cells import safe_cell

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


# --- open redirect -------------------------------------------------------------


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://evil.example",
        "/\\evil.example/phish",
        "javascript:alert(1)",
    ],
)
def test_a_workflow_error_never_redirects_to_another_site(app, world, referer):
    world.create("member_a", "accommodation", name="redirect-draft")
    # approving a draft is a validation error: the view redirects "back"
    response = app.post(
        "/khtourism/record/redirect-draft/approve",
        headers={**world.people["curator"].headers, "Referer": referer},
        follow_redirects=False,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location and "javascript" not in location, location
    assert location.endswith("/khtourism/my-records"), location


def test_a_workflow_error_redirects_back_to_a_page_of_the_portal(app, world):
    world.create("member_a", "accommodation", name="redirect-own")
    response = app.post(
        "/khtourism/record/redirect-own/approve",
        headers={
            **world.people["curator"].headers,
            "Referer": tk.config["ckan.site_url"] + "/accommodation/redirect-own?tab=1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accommodation/redirect-own?tab=1")


# --- CSV formula injection -------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+84 258 3800 000", "'+84 258 3800 000"),
        ("-12", "-12"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e3", "-1e3"),
        ("109.1953", "109.1953"),
        ("Khách sạn = tốt", "Khách sạn = tốt"),
        ("", ""),
    ],
)
def test_safe_cell(cell, expected):
    assert safe_cell(cell) == expected


FORMULA_TITLE = '=HYPERLINK("https://evil.example","Nhấn vào đây")'


def _published(world):
    return world.create(
        "sysadmin",
        "accommodation",
        name="csv-formula",
        title=FORMULA_TITLE,
        title_en="@SUM(1+1)*cmd|' /C calc'!A0",
        street_address="-2+3 Trần Phú",
        workflow_state="published",
    )


def _rows(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_tourism_api_csv_escapes_formulas(app, world):
    _published(world)
    response = app.get("/api/tourism/v1/accommodations?format=csv")
    assert response.status_code == 200
    (row,) = _rows(response.body)
    assert row["title"] == "'" + FORMULA_TITLE
    assert row["street_address"] == "'-2+3 Trần Phú"
    for value in row.values():
        assert not value.startswith(("=", "@", "\t", "\r")), row


def test_registry_csv_escapes_formulas_and_keeps_numbers(app, world):
    _published(world)
    response = app.get("/registry/accommodation.csv")
    assert response.status_code == 200
    (row,) = _rows(response.body)
    assert row["title"] == "'" + FORMULA_TITLE
    assert row["title_en"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["longitude"] == "109.1953" and row["latitude"] == "12.2654"
    for value in row.values():
        assert not value.startswith(("=", "+", "@", "\t", "\r")), row
        assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit(), row
    # the GeoJSON export (not a spreadsheet) keeps the text as it is
    geojson = app.get("/registry/accommodation.geojson").json
    assert geojson["features"][0]["properties"]["title"] == FORMULA_TITLE
