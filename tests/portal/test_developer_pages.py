"""Statistics, downloads, the DCAT catalogue page and the developers' page."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.portal.portal_helpers import fetched_from_other_hosts, publish

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _table(body: str, breakdown: str) -> dict[str, int]:
    table = re.search(
        rf'<table[^>]*data-breakdown="{breakdown}">.*?<tbody>(.*?)</tbody>', body, re.S
    ).group(1)
    return {
        # counts are shown with thousands grouped ("1.200")
        label.strip(): int(count.replace(".", ""))
        for label, count in re.findall(
            r'<td data-code="[^"]*">(.*?)</td><td[^>]*>([\d.]+)</td>', table
        )
    }


def test_statistics_page_counts_published_records_with_svg_charts_and_csv(app, world):
    publish(world, "accommodation", name="stats-1", star_rating="5")
    publish(world, "accommodation", name="stats-2", star_rating="3")
    publish(
        world,
        "accommodation",
        name="stats-3",
        star_rating="5",
        admin_unit="22420",
        former_district="569",
    )
    publish(world, "tour-guide", name="stats-guide")
    world.create("member_a", "accommodation", name="stats-draft")  # not published: not counted

    for path in ("/thong-ke", "/stats"):
        assert app.get(path).status_code == 200
    body = app.get("/thong-ke").body
    assert body.count("<svg") >= 5 and "<script" not in body.split("<svg", 1)[1].split("</svg>")[0]
    assert fetched_from_other_hosts(body) == []
    assert _table(body, "dataset_type") == {
        "Cơ sở lưu trú": 3,
        "Doanh nghiệp lữ hành": 0,
        "Hướng dẫn viên du lịch": 1,
        "Di tích": 0,
        "Khu, điểm du lịch": 0,
        "Cơ sở dịch vụ du lịch": 0,
        "Vận chuyển khách du lịch": 0,
        "Sự kiện": 0,
    }
    assert _table(body, "admin_unit") == {"Phường Nha Trang": 2, "Phường Cam Ranh": 1}
    stars = _table(body, "star_rating")
    assert list(stars) == ["3 sao", "5 sao"] and stars["5 sao"] == 2  # in star order
    assert sum(_table(body, "month").values()) == 4
    assert 'href="/thong-ke.csv"' in body

    response = app.get("/thong-ke.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.body)))
    types = {r["code"]: int(r["count"]) for r in rows if r["breakdown"] == "dataset_type"}
    assert types["accommodation"] == 3 and types["tour-guide"] == 1


def test_statistics_are_linked_from_the_menu(app):
    assert 'href="/thong-ke"' in app.get("/").body


def test_registry_page_lists_each_register_and_its_downloads(app, world):
    publish(world, "accommodation", name="registry-hotel")
    response = app.get("/registry")
    assert response.status_code == 200
    for record_type in ("accommodation", "tour-operator", "tour-guide", "heritage-site"):
        for fmt in ("csv", "geojson"):
            assert f'href="/registry/{record_type}.{fmt}"' in response.body


def test_registry_csv_has_one_charset(app, world):
    publish(world, "accommodation", name="charset-hotel")
    response = app.get("/registry/accommodation.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "charset-hotel" in response.body


def test_catalog_page_describes_the_dcat_catalogue(app):
    body = app.get("/catalog").body
    for fmt in ("ttl", "rdf", "jsonld"):
        assert f'href="/catalog.{fmt}"' in body
        assert f'href="/catalog/accommodation.{fmt}"' in body
    assert app.get("/catalog/accommodation.ttl").status_code == 200
    assert app.get("/catalog.ttl").status_code == 200


def test_developers_page_links_the_api_docs(app):
    body = app.get("/developers").body
    assert 'href="/api/tourism/v1/docs"' in body
    assert app.get("/api/tourism/v1/docs").status_code == 200
    assert 'href="/ogc/"' in body  # OGC API – Features for GIS software
    assert app.get("/ogc/").status_code == 200


def test_search_page_downloads_use_the_tourism_api_with_the_same_filters(app, world):
    publish(world, "accommodation", name="dl-nha-trang", star_rating="5")
    publish(
        world,
        "accommodation",
        name="dl-cam-ranh",
        star_rating="5",
        admin_unit="22420",
        former_district="569",
    )
    body = app.get("/accommodation/", params={"q": "khach san", "admin_unit": "22366"}).body
    assert 'href="/registry/accommodation.csv"' in body
    assert 'href="/registry/accommodation.geojson"' in body
    link = re.search(r'class="khtourism-results-csv" href="([^"]+)"', body).group(1)
    url = urlparse(link.replace("&amp;", "&"))
    assert url.path == "/api/tourism/v1/accommodations"
    params = parse_qs(url.query)
    assert params["format"] == ["csv"] and params["admin_unit"] == ["22366"]
    assert params["q"] == ["khach san"]
    download = app.get(link.replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "dl-nha-trang" in download.body and "dl-cam-ranh" not in download.body
    geojson = re.search(r'class="khtourism-results-geojson" href="([^"]+)"', body).group(1)
    assert "format=geojson" in geojson


def test_statistics_page_maps_records_by_commune(app, world):
    from ckanext.khtourism.records import communes

    publish(world, "accommodation", name="map-1")
    publish(world, "accommodation", name="map-2")
    publish(world, "accommodation", name="map-3", admin_unit="22420", former_district="569")
    for prefix, title in (
        ("", "Bản đồ hồ sơ đã công bố theo xã/phường"),
        ("/en", "Map of published records by commune"),
    ):
        body = app.get(f"{prefix}/thong-ke").get_data(as_text=True)
        svg = re.search(
            r'<svg[^>]*class="khtourism-chart khtourism-commune-map"[^>]*>(.*?)</svg>', body, re.S
        )
        assert svg, "no commune map"
        assert f"<title>{title}</title>" in svg.group(1)
        circles = dict(re.findall(r'<circle data-code="(\d+)" data-count="(\d+)"', svg.group(1)))
        # one circle per commune centre, the counts those of the commune table
        assert set(circles) == set(communes.centres())
        table = _table(body, "admin_unit")
        assert sum(int(n) for n in circles.values()) == sum(table.values()) == 3
        assert circles["22366"] == "2" and circles["22420"] == "1"
        assert '<path d="M' in svg.group(1)  # the province outline
