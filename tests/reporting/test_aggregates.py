"""Open aggregates: hand-computed sums, disclosure control (primary and complementary
suppression), revenue in no public output, the API in JSON and CSV and its OpenAPI entry."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.portal.portal_helpers import fetched_from_other_hosts

from .reporting_fixtures import (
    HOMESTAY,
    HOTEL,
    NHA_TRANG,
    REVENUE,
    establishment,
    figures,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

URL = "/api/tourism/v1/statistics/visitors"
MONTHS = ("2026-01", "2026-02", "2026-03")


def _accepted(world, record, period, **values):
    report = world.call(
        "member_a",
        "khtourism_visitor_report_save",
        establishment_id=record["establishment_id"],
        period=period,
        **figures(**values),
    )
    world.call("member_a", "khtourism_visitor_report_submit", id=report["id"])
    return world.call("curator", "khtourism_visitor_report_accept", id=report["id"])


def _three_establishments(world):
    """E1, E2: hotels (50 and 40 rooms); E3: a homestay (20 rooms); all in one commune.
    E_i reports in month m: 10i+m international and 100i+m domestic overnight guests,
    i and 2i same-day guests, 100i+10m room-nights sold."""
    places = [
        establishment(world, admin_unit=NHA_TRANG, accommodation_type=HOTEL, rooms="50"),
        establishment(world, admin_unit=NHA_TRANG, accommodation_type=HOTEL, rooms="40"),
        establishment(
            world,
            admin_unit=NHA_TRANG,
            accommodation_type=HOMESTAY,
            hotel_subtype="",
            star_rating="",
            rooms="20",
            beds="30",
            max_guests="40",
        ),
    ]
    for i, place in enumerate(places, start=1):
        for m, period in enumerate(MONTHS, start=1):
            _accepted(
                world,
                place,
                period,
                overnight_international=10 * i + m,
                overnight_domestic=100 * i + m,
                sameday_international=i,
                sameday_domestic=2 * i,
                guest_nights_international=2 * (10 * i + m),
                guest_nights_domestic=2 * (100 * i + m),
                room_nights_sold=100 * i + 10 * m,
                rooms_available="",
                nationalities={"KR": i},
            )
    # a report that is not accepted counts nowhere
    draft_place = establishment(world, admin_unit=NHA_TRANG, accommodation_type=HOTEL, rooms="9")
    world.call(
        "member_a",
        "khtourism_visitor_report_save",
        establishment_id=draft_place["establishment_id"],
        period="2026-01",
        **figures(room_nights_sold=1, rooms_available=9),
    )
    return places


def test_sums_equal_the_hand_computed_ones_and_small_cells_are_suppressed(app, world):
    _three_establishments(world)
    by_commune = app.get(f"{URL}?from=2026-01&to=2026-03&group_by=month,admin_unit").json
    assert by_commune["group_by"] == ["month", "admin_unit"]
    cells = {c["month"]: c for c in by_commune["cells"]}
    assert list(cells) == list(MONTHS)
    # hand-computed: month 1 → 11+21+31, 101+201+301, 1+2+3, 2+4+6, 110+210+310
    expected = {
        "2026-01": (63, 603, 6, 12, 630, 110 * 31),
        "2026-02": (66, 606, 6, 12, 660, 110 * 28),
        "2026-03": (69, 609, 6, 12, 690, 110 * 31),
    }
    for month, (intl, dom, day_intl, day_dom, sold, available) in expected.items():
        cell = cells[month]
        assert cell["admin_unit"] == NHA_TRANG
        assert cell["admin_unit_label"] == "Phường Nha Trang"
        assert cell["suppressed"] is False
        assert cell["establishments"] == 3
        assert cell["overnight_international"] == intl
        assert cell["overnight_domestic"] == dom
        assert cell["sameday_international"] == day_intl
        assert cell["sameday_domestic"] == day_dom
        assert cell["guest_nights_international"] == 2 * intl
        assert cell["guest_nights_domestic"] == 2 * dom
        assert cell["guests_total"] == intl + dom + day_intl + day_dom
        assert cell["room_nights_sold"] == sold
        assert cell["rooms_available"] == 110
        assert cell["room_nights_available"] == available
        assert cell["occupancy"] == round(sold / available, 4)
    totals = {t["month"]: t for t in by_commune["totals"]}
    assert totals["2026-02"]["overnight_domestic"] == 606
    assert totals["2026-02"]["establishments"] == 3

    # commune × type: the hotels' cell (2 establishments) and its complement, the
    # homestay's (1), are both suppressed: neither can be derived from the commune total
    full = app.get(f"{URL}?from=2026-01&to=2026-03").json
    assert {(c["accommodation_type"], c["suppressed"]) for c in full["cells"]} == {
        (HOTEL, True),
        (HOMESTAY, True),
    }
    for cell in full["cells"]:
        assert cell["overnight_international"] is None
        assert cell["establishments"] is None
        assert cell["occupancy"] is None


def test_complementary_suppression_hides_a_cell_that_would_give_the_small_one_away(app, world):
    for _ in range(3):
        place = establishment(world, admin_unit=NHA_TRANG, accommodation_type=HOTEL)
        _accepted(world, place, "2026-01", overnight_domestic=200)
    for _ in range(2):
        place = establishment(
            world,
            admin_unit=NHA_TRANG,
            accommodation_type=HOMESTAY,
            hotel_subtype="",
            star_rating="",
        )
        _accepted(world, place, "2026-01", overnight_domestic=7)
    full = app.get(f"{URL}?from=2026-01&to=2026-01").json
    by_type = {c["accommodation_type"]: c for c in full["cells"]}
    assert by_type[HOMESTAY]["suppressed"] is True  # 2 establishments
    assert by_type[HOTEL]["suppressed"] is True  # 3, but commune total − hotels = homestays
    commune = app.get(f"{URL}?from=2026-01&to=2026-01&group_by=month,admin_unit").json
    assert commune["cells"][0]["overnight_domestic"] == 3 * 200 + 2 * 7
    types = app.get(f"{URL}?from=2026-01&to=2026-01&group_by=month,accommodation_type").json
    # the type totals are suppressed too: the province total − hotels would give it away
    assert {c["accommodation_type"]: c["suppressed"] for c in types["cells"]} == {
        HOTEL: True,
        HOMESTAY: True,
    }
    assert types["totals"][0]["overnight_domestic"] == 614


def test_filters_csv_and_labels(app, world):
    _three_establishments(world)
    response = app.get(
        f"{URL}?from=2026-02&to=2026-03&group_by=month,admin_unit&admin_unit={NHA_TRANG}"
        "&format=csv&lang=en"
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    assert [(r["level"], r["month"]) for r in rows] == [
        ("cell", "2026-02"),
        ("cell", "2026-03"),
        ("province", "2026-02"),
        ("province", "2026-03"),
    ]
    assert rows[0]["overnight_domestic"] == "606"
    assert rows[2]["admin_unit_label"] == "Khánh Hòa province"
    other = app.get(f"{URL}?from=2026-02&to=2026-03&admin_unit=22333").json
    assert other["cells"] == []


def test_bad_parameters_are_named(app):
    for query, parameter in (
        ("from=2026-13", "from"),
        ("from=2026-05&to=2026-01", "from"),
        ("group_by=week", "group_by"),
        ("accommodation_type=castle", "accommodation_type"),
        ("revenue=1", "revenue"),
    ):
        error = app.get(f"{URL}?{query}", status=400).json["error"]
        assert error["parameter"] == parameter, query


def test_revenue_never_appears_in_a_public_output(app, world):
    places = _three_establishments(world)
    outputs = [
        app.get(f"{URL}?from=2026-01&to=2026-03&group_by={group_by}{fmt}").body
        for group_by in (
            "month",
            "month,admin_unit",
            "month,accommodation_type",
            "month,admin_unit,accommodation_type",
        )
        for fmt in ("", "&format=csv")
    ]
    outputs.append(json.dumps(world.call("anonymous", "package_search", q=str(REVENUE))))
    outputs.append(
        json.dumps(world.call("sysadmin", "package_show", id=places[0]["id"]), default=str)
    )
    outputs.append(
        json.dumps(world.call("sysadmin", "package_activity_list", id=places[0]["id"]), default=str)
    )
    outputs.append(app.get("/catalog.ttl").body)
    outputs.append(app.get("/api/tourism/v1/openapi.json").body)
    for output in outputs:
        text = output if isinstance(output, str) else output.decode()
        assert str(REVENUE) not in text
        assert str(REVENUE + 1) not in text
    # the openapi document names the endpoint, without revenue
    document = app.get("/api/tourism/v1/openapi.json").json
    operation = document["paths"]["/statistics/visitors"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "from",
        "to",
        "admin_unit",
        "accommodation_type",
        "group_by",
        "format",
    }
    cell = document["components"]["schemas"]["VisitorCell"]["properties"]
    assert not [name for name in cell if "revenue" in name]
    # while the business reads its own revenue
    (report, *_) = world.call("member_a", "khtourism_visitor_report_list", period="2026-01")
    assert report["revenue_international"] == REVENUE


def test_the_statistics_page_charts_the_published_figures(app, world):
    places = _three_establishments(world)
    # two more hotels in another commune in February: that commune (2 establishments)
    # and, by complement, Nha Trang are hidden in February; the province total is not
    for _ in range(2):
        place = establishment(world, admin_unit="22333", accommodation_type=HOTEL, rooms="50")
        _accepted(world, place, "2026-02", nationalities={"JP": 5})
    page = app.get("/thong-ke").body
    assert "Thống kê khách" in page
    assert "2025-04" in page and "2026-03" in page  # the twelve months up to the latest
    # arrivals in 2026-01 (province): 63 + 603 + 6 + 12 = 684
    assert '<td data-code="2026-01">2026-01</td><td class="text-end">684</td>' in page
    # 2026-02: 66 + 606 + 6 + 12, plus 2 × (100 + 200 + 10 + 20)
    # (counts with the thousands grouped, as Vietnamese readers write them: core/formats.py)
    assert '<td data-code="2026-02">2026-02</td><td class="text-end">1.350</td>' in page
    # the bars' own labels group the thousands as the tables do
    assert ">1.350</text>" in page and ">1350</text>" not in page
    # top markets: Korea (3 establishments) shown, Japan (2) not
    assert 'data-code="KR">Hàn Quốc</td><td class="text-end">18</td>' in page
    assert 'data-code="JP"' not in page
    # occupancy in 2026-03: Nha Trang 690 / (110 × 31) = 20 %; the other commune hidden
    assert 'data-code="22366">Phường Nha Trang</td><td class="text-end">20</td>' in page
    assert 'data-code="province">Toàn tỉnh</td><td class="text-end">20</td>' in page
    assert 'data-code="22333"' not in page
    assert "format=csv" in page
    assert str(REVENUE) not in page and f"{REVENUE:,}".replace(",", ".") not in page
    assert len(places) == 3
    # drawn on the server as inline SVG: no chart library, nothing from a CDN
    section = page[page.index('id="visitors"') :]
    assert section.count("<svg") >= 4
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]*)"', page)
    assert scripts and all(src.startswith("/") for src in scripts), scripts  # the portal's own
    assert fetched_from_other_hosts(page) == []


def test_the_registry_dataset_has_temporal_and_spatial_coverage(app, world, cli):
    from rdflib import Graph
    from rdflib.namespace import DCAT, DCTERMS, RDF

    from ckanext.khtourism.reporting import cli as reporting_cli

    _three_establishments(world)
    result = cli.invoke(reporting_cli.statistics_group, ["refresh-dataset"])
    assert result.exit_code == 0, result.output
    dataset = world.call("anonymous", "package_show", id="visitor-statistics")
    assert {r["format"] for r in dataset["resources"]} == {"CSV", "JSON", "CSVW"}
    csv_url = next(r["url"] for r in dataset["resources"] if r["format"] == "CSV")
    assert "from=2026-01&to=2026-03" in csv_url
    body = app.get("/dataset/visitor-statistics.ttl").body
    graph = Graph().parse(data=body, format="turtle")
    (ref,) = graph.subjects(RDF.type, DCAT.Dataset)
    temporal = graph.value(ref, DCTERMS.temporal)
    assert temporal is not None
    dates = {str(o) for _, _, o in graph.triples((temporal, None, None))}
    assert {"2026-01-01", "2026-03-31"} <= dates
    spatial = graph.value(ref, DCTERMS.spatial)
    assert spatial is not None
    assert any(
        "Polygon" in str(o) or "POLYGON" in str(o)
        for _, _, o in graph.triples((spatial, None, None))
    )
    assert str(REVENUE) not in body
    assert "revenue" not in body.lower()
    # refreshing again keeps the resources
    again = world.call("sysadmin", "package_show", id="visitor-statistics")
    from ckanext.khtourism.reporting import registry

    refreshed = registry.refresh()
    assert sorted(r["id"] for r in refreshed["resources"]) == sorted(
        r["id"] for r in again["resources"]
    )


def test_former_districts_through_the_crosswalk(app, world):
    # district 568 (Nha Trang before 2025): 4 hotels in 22402, 2 in 22333;
    # district 569 (Cam Ranh): 3 hotels in 22411
    for commune, count in (("22402", 4), ("22333", 2), ("22411", 3)):
        for _ in range(count):
            place = establishment(world, admin_unit=commune, accommodation_type=HOTEL)
            _accepted(world, place, "2026-01", overnight_domestic=100)
    districts = app.get(f"{URL}?from=2026-01&to=2026-01&group_by=month,former_district").json
    by_district = {c["former_district"]: c for c in districts["cells"]}
    assert by_district["568"]["overnight_domestic"] == 600
    assert by_district["568"]["former_district_label"] == "Nha Trang"
    assert by_district["569"]["overnight_domestic"] == 300
    assert districts["group_by"] == ["month", "former_district"]
    communes = app.get(f"{URL}?from=2026-01&to=2026-01&group_by=month,admin_unit").json
    hidden = {c["admin_unit"] for c in communes["cells"] if c["suppressed"]}
    # 22333 (2 hotels) is hidden, and so is 22402: district 568 − 22402 would give it away
    assert {"22333", "22402"} <= hidden
    filtered = app.get(
        f"{URL}?from=2026-01&to=2026-01&group_by=month,former_district&former_district=569"
    ).json
    assert [c["former_district"] for c in filtered["cells"]] == ["569"]
    # no published total is its members' sum with exactly one member hidden
    assert communes["totals"][0]["overnight_domestic"] == 900


TRAVEL_FIGURES = {
    "tours_inbound": 4,
    "tours_outbound": 1,
    "tours_domestic": 2,
    "guests_inbound": 40,
    "guests_outbound": 5,
    "guests_domestic": 30,
}


def _travel_reports(world, counts):
    """Tour operators with accepted reports of ``TRAVEL_FIGURES``: ``counts`` maps a
    month to how many of them report in it (the first n)."""
    operators = []
    for _ in range(max(counts.values())):
        record = world.create("member_a", "tour-operator")
        assert record["establishment_id"].startswith("KH-LH-")
        operators.append(record)
    for period, count in counts.items():
        for record in operators[:count]:
            saved = world.call(
                "member_a",
                "khtourism_visitor_report_save",
                establishment_id=record["establishment_id"],
                period=period,
                **TRAVEL_FIGURES,
            )
            world.call("member_a", "khtourism_visitor_report_submit", id=saved["id"])
            world.call("curator", "khtourism_visitor_report_accept", id=saved["id"])
    return operators


def test_travel_businesses_province_totals(app, world):
    """Province totals only (the Department's decision: no commune breakdown), in the
    JSON, in the CSV (rows of level ``travel``) and charted on the statistics page; a
    month with fewer than 3 reporting businesses is suppressed everywhere."""
    _three_establishments(world)  # the statistics page's window: 2025-04 … 2026-03
    _travel_reports(world, {"2026-01": 3, "2026-02": 2})
    result = app.get(f"{URL}?from=2026-01&to=2026-02&group_by=month").json
    january, february = result["travel"]
    assert (january["businesses"], january["guests_inbound"], january["tours_domestic"]) == (
        3,
        120,
        6,
    )
    assert february["suppressed"] is True and february["guests_inbound"] is None
    # no commune in the travel figures, whatever the grouping
    by_commune = app.get(f"{URL}?from=2026-01&to=2026-02&group_by=month,admin_unit").json
    assert all(set(month) >= {"month", "businesses"} for month in by_commune["travel"])
    assert not any("admin_unit" in month for month in by_commune["travel"])

    response = app.get(f"{URL}?from=2026-01&to=2026-02&group_by=month&format=csv&lang=en")
    rows = list(csv.DictReader(io.StringIO(response.body.lstrip("\ufeff"))))
    travel = [r for r in rows if r["level"] == "travel"]
    assert [r["month"] for r in travel] == ["2026-01", "2026-02"]
    assert {k: travel[0][k] for k in ("businesses", "guests_inbound", "tours_outbound")} == {
        "businesses": "3",
        "guests_inbound": "120",
        "tours_outbound": "3",
    }
    assert travel[0]["admin_unit_label"] == "Khánh Hòa province"
    assert travel[0]["admin_unit"] == "" and travel[0]["suppressed"] == "false"
    assert travel[1]["suppressed"] == "true"
    assert travel[1]["businesses"] == travel[1]["guests_inbound"] == ""
    # the accommodation rows leave the travel columns empty
    assert all(r["businesses"] == "" for r in rows if r["level"] != "travel")

    page = app.get("/thong-ke").body
    assert 'data-breakdown="visitor_travel"' in page
    assert "Lượt khách do doanh nghiệp lữ hành phục vụ, theo tháng (toàn tỉnh)" in page
    for code, label, value in (
        ("2026-01-inbound", "2026-01 · quốc tế đến", 120),
        ("2026-01-outbound", "2026-01 · ra nước ngoài", 15),
        ("2026-01-domestic", "2026-01 · trong nước", 90),
    ):
        assert f'<td data-code="{code}">{label}</td><td class="text-end">{value}</td>' in page
    assert 'data-code="2026-02-inbound"' not in page  # 2 businesses: suppressed
