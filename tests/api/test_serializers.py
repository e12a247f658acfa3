"""The four formats, from one item shape (built from a package dict)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ckanext.khtourism.api import serializers
from ckanext.khtourism.api.items import haversine_m, item_from_package

PACKAGE = {
    "id": "7d7c7d0e-0000-4000-8000-000000000001",
    "name": "khach-san-bien-xanh",
    "type": "accommodation",
    "title": "Khách sạn Biển Xanh",
    "title_en": "Blue Sea Hotel",
    "notes": "Gần biển Nha Trang",
    "private": False,
    "state": "active",
    "organization": {"name": "bien-xanh", "title": "Công ty Biển Xanh"},
    "admin_unit": "22333",
    "operating_status": "operating",
    "spatial": '{"type": "Point", "coordinates": [109.1953, 12.2654]}',
    "accommodation_type": "khach_san",
    "star_rating": "4",
    "rooms": 120,
    "languages": ["vi", "en"],
    "amenities": ["pool", "wifi"],
    "enterprise_code": "4201234567",
    "tags": [{"name": "biển"}],
    "metadata_created": "2026-01-02T03:04:05.000001",
    "metadata_modified": "2026-02-03T04:05:06.000001",
}


@pytest.fixture
def item():
    return item_from_package(PACKAGE, lang="en", user_name=None, centre=(109.19, 12.26))


@pytest.fixture
def page(item):
    return serializers.Page(
        items=[item],
        total=1,
        limit=10,
        resource="accommodations",
        links={"self": "https://x/p?page=1", "next": "https://x/p?page=2", "prev": None},
    )


@pytest.mark.usefixtures("with_plugins")
class TestFormats:
    def test_item_shape(self, item):
        assert item["display_title"] == "Blue Sea Hotel"
        assert (item["longitude"], item["latitude"]) == (109.1953, 12.2654)
        assert item["distance_m"] == pytest.approx(
            haversine_m(109.19, 12.26, 109.1953, 12.2654), abs=0.1
        )
        assert item["metadata_modified"].endswith("Z")
        assert item["languages"] == ["vi", "en"]

    def test_field_selection_keeps_id(self):
        item = item_from_package(PACKAGE, lang="vi", user_name=None, fields=["star_rating"])
        assert set(item) == {"id", "star_rating"}

    def test_json(self, page):
        data = json.loads(serializers.render_page("json", page, "en"))
        assert data["total"] == 1 and data["items"][0]["name"] == "khach-san-bien-xanh"

    def test_geojson_feature_collection(self, page):
        data = json.loads(serializers.render_page("geojson", page, "en"))
        assert data["type"] == "FeatureCollection" and data["numberMatched"] == 1
        feature = data["features"][0]
        assert feature["geometry"] == {"type": "Point", "coordinates": [109.1953, 12.2654]}
        assert (
            feature["properties"]["star_rating"] == "4" and "latitude" not in feature["properties"]
        )
        # links as in OGC API – Features: an array of {href, rel, type}, no empty link
        assert data["links"] == [
            {"href": "https://x/p?page=1", "rel": "self", "type": "application/geo+json"},
            {"href": "https://x/p?page=2", "rel": "next", "type": "application/geo+json"},
        ]
        one = json.loads(serializers.render_item("geojson", page.items[0], "en"))
        assert one["links"] == [
            {"href": page.items[0]["url"], "rel": "alternate", "type": "text/html"}
        ]

    def test_csv_has_bom_and_vietnamese(self, page):
        body = serializers.render_page("csv", page, "en")
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert (rows[0]["title"], rows[0]["title_vi"]) == ("Blue Sea Hotel", "Khách sạn Biển Xanh")
        assert rows[0]["accommodation_type_label"] == "Hotel"
        assert rows[0]["languages"] == "vi; en"
        assert rows[0]["organization"] == "Công ty Biển Xanh"

    def test_jsonld_schema_org(self, page, item):
        data = json.loads(serializers.render_page("jsonld", page, "en"))
        assert data["@context"] == "https://schema.org" and data["@type"] == "ItemList"
        thing = data["itemListElement"][0]["item"]
        assert thing["@type"] == "Hotel"
        assert thing["starRating"]["ratingValue"] == 4
        assert thing["geo"]["latitude"] == 12.2654
        assert thing["name"][0] == {"@value": "Blue Sea Hotel", "@language": "en"}
        single = json.loads(serializers.render_item("jsonld", item, "vi"))
        assert single["name"][0]["@language"] == "vi"


class FakeAccept:
    def __init__(self, values):
        from werkzeug.datastructures import MIMEAccept

        self.accept = MIMEAccept(values)


@pytest.mark.parametrize(
    ("format_param", "accept", "expected"),
    [
        (None, None, "json"),
        ("csv", [("application/json", 1)], "csv"),
        (None, [("application/geo+json", 1)], "geojson"),
        (None, [("text/csv", 1), ("application/json", 0.5)], "csv"),
        (None, [("application/ld+json", 1)], "jsonld"),
        (None, [("*/*", 1)], "json"),
        (None, [("application/xml", 1)], None),
    ],
)
def test_negotiation(format_param, accept, expected):
    header = FakeAccept(accept).accept if accept is not None else None
    assert serializers.negotiate(format_param, header) == expected


@pytest.mark.usefixtures("with_plugins")
def test_private_guide_fields_only_for_those_allowed():
    guide = {
        **PACKAGE,
        "type": "tour-guide",
        "full_name": "Nguyễn Văn A",
        "card_number": "123456789",
        "id_number": "079000000001",
        "date_of_birth": "1990-01-01",
        "owner_org": "no-such-org",
    }
    anonymous = item_from_package(guide, lang="vi", user_name=None)
    assert "id_number" not in anonymous and "date_of_birth" not in anonymous
    assert anonymous["card_number"] == "123456789"
