"""End to end: the API over real records, the real search engine and real auth."""

from __future__ import annotations

import csv
import io
import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests.helpers import call_action

BASE = "/api/tourism/v1"


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.json["items"]]


def get(api, path, token=None, **headers):
    if token:
        headers["Authorization"] = token
    return api.get(f"{BASE}{path}", headers=headers)


class TestLists:
    def test_published_records_only_with_total(self, api, sample):
        response = get(api, "/accommodations")
        assert sorted(names(response)) == [
            "homestay-doc-let",
            "khach-san-bien-xanh",
            "resort-cam-ranh",
        ]
        assert response.json["total"] == 3
        assert sorted(names(get(api, "/heritage-sites"))) == ["hon-chong-hon-do", "thap-ba-ponagar"]
        assert names(get(api, "/tour-operators")) == ["lu-hanh-bien-xanh"]
        assert names(get(api, "/tour-guides")) == ["hdv-nguyen-van-a"]

    def test_vietnamese_text_search(self, api, sample):
        assert (
            names(get(api, "/accommodations?q=khach%20san%20bien%20xanh"))[0]
            == "khach-san-bien-xanh"
        )
        assert names(get(api, "/accommodations?q=D%E1%BB%91c%20L%E1%BA%BFt")) == [
            "homestay-doc-let"
        ]
        assert names(get(api, "/accommodations?q=doc%20let")) == ["homestay-doc-let"]

    @pytest.mark.parametrize("q", ["{!lucene}title:x", "title:(unclosed", "name:[a TO"])
    def test_bad_query_syntax_is_a_400(self, api, sample, q):
        from urllib.parse import quote

        response = get(api, f"/accommodations?q={quote(q)}&lang=en")
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.json["error"]["code"] == "invalid_query"
        assert response.json["error"]["parameter"] == "q"

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("admin_unit=22366", ["resort-cam-ranh"]),
            ("admin_unit=22366,22390", ["homestay-doc-let", "resort-cam-ranh"]),
            ("former_district=569", ["homestay-doc-let"]),
            ("operating_status=suspended", ["homestay-doc-let"]),
            ("accommodation_type=homestay", ["homestay-doc-let"]),
            ("hotel_subtype=resort", ["resort-cam-ranh"]),
            ("star_rating=4,5", ["khach-san-bien-xanh", "resort-cam-ranh"]),
            ("star_rating=chua_xep_hang", ["homestay-doc-let"]),
            ("languages=ru", ["resort-cam-ranh"]),
            ("languages=en,ru", ["khach-san-bien-xanh", "resort-cam-ranh"]),
        ],
    )
    def test_accommodation_filters(self, api, sample, query, expected):
        assert sorted(names(get(api, f"/accommodations?{query}"))) == expected

    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("/tour-operators?licence_type=quoc_te_inbound", ["lu-hanh-bien-xanh"]),
            ("/tour-operators?licence_type=noi_dia", []),
            ("/tour-operators?languages=en", ["lu-hanh-bien-xanh"]),
            ("/tour-guides?card_type=quoc_te&card_status=valid", ["hdv-nguyen-van-a"]),
            ("/tour-guides?card_status=revoked", []),
            ("/tour-guides?languages=fr", ["hdv-nguyen-van-a"]),
            ("/heritage-sites?ranking=quoc_gia_dac_biet", ["thap-ba-ponagar"]),
            ("/heritage-sites?heritage_type=danh_lam_thang_canh", ["hon-chong-hon-do"]),
            ("/heritage-sites?unesco_status=none", ["hon-chong-hon-do", "thap-ba-ponagar"]),
            ("/heritage-sites?unesco_status=world_heritage", []),
        ],
    )
    def test_type_filters(self, api, sample, path, expected):
        assert sorted(names(get(api, path))) == expected

    def test_bbox(self, api, sample):
        assert sorted(names(get(api, "/accommodations?bbox=109.1,12.2,109.3,12.3"))) == [
            "khach-san-bien-xanh"
        ]

    def test_radius_sorted_by_distance_with_distance(self, api, sample):
        response = get(api, "/accommodations?lat=12.2654&lon=109.1953&radius=40000")
        assert names(response) == ["khach-san-bien-xanh", "resort-cam-ranh", "homestay-doc-let"]
        distances = [item["distance_m"] for item in response.json["items"]]
        assert distances[0] < 5 and distances == sorted(distances)
        assert names(get(api, "/accommodations?lat=12.2654&lon=109.1953&radius=1000")) == [
            "khach-san-bien-xanh"
        ]

    def test_polygon_geojson_and_wkt(self, api, sample):
        wkt = "POLYGON((109.1 11.9,109.3 11.9,109.3 12.3,109.1 12.3,109.1 11.9))"
        geojson = json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [[109.1, 11.9], [109.3, 11.9], [109.3, 12.3], [109.1, 12.3], [109.1, 11.9]]
                ],
            }
        )
        for polygon in (wkt, geojson):
            found = get(
                api,
                "/accommodations?" + "polygon=" + __import__("urllib.parse").parse.quote(polygon),
            )
            assert sorted(names(found)) == ["khach-san-bien-xanh", "resort-cam-ranh"]

    def test_updated_since(self, api, sample):
        call_action(
            "package_patch", {"user": sample.sysadmin["name"]}, id=sample.resort["id"], rooms=301
        )
        modified = call_action("package_show", {}, id=sample.resort["id"])["metadata_modified"]
        assert names(get(api, f"/accommodations?updated_since={modified}Z")) == ["resort-cam-ranh"]

    def test_sort_fields_and_pages(self, api, sample):
        by_title = names(get(api, "/accommodations?sort=title"))
        assert by_title == ["homestay-doc-let", "khach-san-bien-xanh", "resort-cam-ranh"]
        assert names(get(api, "/accommodations?sort=-title")) == by_title[::-1]
        first = get(api, "/accommodations?sort=title&limit=2&page=1")
        second = get(api, "/accommodations?sort=title&limit=2&page=2")
        assert names(first) + names(second) == by_title
        assert first.json["total"] == 3 and first.json["links"]["next"].endswith("page=2")
        assert second.json["links"]["next"] is None
        assert 'rel="next"' in first.headers["Link"]
        selected = get(api, "/accommodations?fields=name,star_rating&sort=title").json["items"][0]
        assert selected == {
            "id": sample.homestay["id"],
            "name": "homestay-doc-let",
            "star_rating": "chua_xep_hang",
        }


class TestFormats:
    def test_list_formats_by_parameter_and_accept(self, api, sample):
        geo = get(api, "/accommodations?format=geojson&sort=title")
        assert geo.content_type == "application/geo+json"
        assert geo.json["features"][0]["geometry"]["type"] == "Point"
        paged = get(api, "/accommodations?format=geojson&sort=title&limit=1").json
        assert [(link["rel"], link["type"]) for link in paged["links"]] == [
            ("self", "application/geo+json"),
            ("next", "application/geo+json"),
        ]
        assert paged["links"][1]["href"].endswith("page=2")
        by_accept = get(api, "/accommodations", Accept="application/geo+json")
        assert by_accept.json["type"] == "FeatureCollection"
        table = get(api, "/accommodations?format=csv&lang=en&sort=title")
        assert table.content_type.startswith("text/csv") and table.data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"))))
        assert [row["name"] for row in rows] == [
            "homestay-doc-let",
            "khach-san-bien-xanh",
            "resort-cam-ranh",
        ]
        assert rows[0]["title"] == "Homestay Dốc Lết"
        linked = get(api, "/accommodations", Accept="application/ld+json")
        assert linked.content_type == "application/ld+json"
        assert linked.json["@type"] == "ItemList" and linked.json["numberOfItems"] == 3

    def test_lang_picks_titles(self, api, sample):
        english = get(api, "/accommodations/khach-san-bien-xanh?lang=en").json
        vietnamese = get(
            api, "/accommodations/khach-san-bien-xanh", **{"Accept-Language": "vi"}
        ).json
        assert (english["display_title"], vietnamese["display_title"]) == (
            "Blue Sea Hotel",
            "Khách sạn Biển Xanh",
        )

    def test_lang_en_titles_descriptions_and_labels_in_every_format(self, api, sample):
        admin = {"user": sample.sysadmin["name"]}
        call_action("package_patch", admin, id=sample.hotel["id"], notes_en="Hotel by the sea")
        query = "/accommodations?lang=en&sort=title"

        items = {item["name"]: item for item in get(api, query).json["items"]}
        hotel, homestay = items["khach-san-bien-xanh"], items["homestay-doc-let"]
        assert (hotel["title"], hotel["notes"]) == ("Blue Sea Hotel", "Hotel by the sea")
        assert (hotel["title_vi"], hotel["notes_vi"]) == (
            "Khách sạn Biển Xanh",
            "Khách sạn gần biển Nha Trang",
        )
        assert homestay["title"] == "Homestay Dốc Lết"  # no English title: Vietnamese
        assert hotel["labels"]["accommodation_type"] == "Hotel"
        assert hotel["labels"]["admin_unit"] == "Bắc Nha Trang (ward)"
        assert homestay["labels"]["star_rating"] == "Unrated"

        one = get(api, "/accommodations/khach-san-bien-xanh?lang=en").json
        assert (one["title"], one["notes"], one["display_title"]) == (
            "Blue Sea Hotel",
            "Hotel by the sea",
            "Blue Sea Hotel",
        )
        assert one["labels"]["hotel_subtype"] == "City hotel"
        assert one["labels"]["operating_status"] == "Operating"

        features = get(api, f"{query}&format=geojson").json["features"]
        hotel_feature = next(f for f in features if f["id"] == sample.hotel["id"])
        assert hotel_feature["properties"]["title"] == "Blue Sea Hotel"
        assert hotel_feature["properties"]["notes"] == "Hotel by the sea"

        table = get(api, f"{query}&format=csv").data.decode("utf-8-sig")
        rows = {row["name"]: row for row in csv.DictReader(io.StringIO(table))}
        assert rows["khach-san-bien-xanh"]["title"] == "Blue Sea Hotel"
        assert rows["khach-san-bien-xanh"]["notes"] == "Hotel by the sea"
        assert rows["khach-san-bien-xanh"]["accommodation_type_label"] == "Hotel"
        assert rows["homestay-doc-let"]["title"] == "Homestay Dốc Lết"

        linked = get(api, f"{query}&format=jsonld").json["itemListElement"]
        thing = next(e["item"] for e in linked if e["item"]["identifier"] == sample.hotel["id"])
        assert thing["name"][0] == {"@value": "Blue Sea Hotel", "@language": "en"}
        assert thing["description"][0] == {"@value": "Hotel by the sea", "@language": "en"}
        assert thing["address"]["addressLocality"] == "Bắc Nha Trang (ward)"
        one_ld = get(api, "/accommodations/khach-san-bien-xanh?lang=en&format=jsonld").json
        assert one_ld["name"][0]["@language"] == "en"

        vietnamese = {i["name"]: i for i in get(api, "/accommodations?sort=title").json["items"]}
        assert vietnamese["khach-san-bien-xanh"]["title"] == "Khách sạn Biển Xanh"
        assert vietnamese["khach-san-bien-xanh"]["notes"] == "Khách sạn gần biển Nha Trang"
        assert vietnamese["khach-san-bien-xanh"]["labels"]["accommodation_type"] == "Khách sạn"
        assert vietnamese["khach-san-bien-xanh"]["labels"]["admin_unit"] == "Phường Bắc Nha Trang"


class TestItems:
    def test_by_id_and_name(self, api, sample):
        by_name = get(api, "/heritage-sites/thap-ba-ponagar")
        assert by_name.status_code == 200 and by_name.json["ranking"] == "quoc_gia_dac_biet"
        assert get(api, f"/heritage-sites/{sample.ponagar['id']}").json["name"] == "thap-ba-ponagar"
        feature = get(api, "/heritage-sites/thap-ba-ponagar?format=geojson").json
        assert feature["type"] == "Feature"
        thing = get(api, "/heritage-sites/thap-ba-ponagar?format=jsonld").json
        assert "LandmarksOrHistoricalBuildings" in thing["@type"]

    def test_not_found_wrong_type_and_unpublished(self, api, sample):
        for path in (
            "/heritage-sites/nothing-here",
            "/accommodations/thap-ba-ponagar",
            "/accommodations/khach-san-nhap",
        ):
            response = get(api, path)
            assert response.status_code == 404 and response.json["error"]["code"] == "not_found"

    def test_lookup_by_official_identifier(self, api, sample):
        response = get(api, "/lookup?enterprise_code=4201234567")
        assert sorted(names(response)) == ["khach-san-bien-xanh", "lu-hanh-bien-xanh"]
        assert names(get(api, "/lookup?enterprise_code=4201234567&type=tour-operator")) == [
            "lu-hanh-bien-xanh"
        ]
        assert names(get(api, "/lookup?card_number=156123456")) == ["hdv-nguyen-van-a"]
        licence = __import__("urllib.parse").parse.quote("56-001/2024/TCDL-GP LHQT")
        assert names(get(api, f"/lookup?licence_number={licence}")) == ["lu-hanh-bien-xanh"]
        assert names(get(api, "/lookup?enterprise_code=4202222222")) == []

    def test_lookup_by_establishment_identifier_names_one_record(self, api, sample):
        import ckan.model as model

        hotel = model.Package.get("khach-san-bien-xanh")
        identifier = hotel.extras["establishment_id"]
        assert identifier.startswith("KH-LT-")
        response = get(api, f"/lookup?establishment_id={identifier}")
        assert names(response) == ["khach-san-bien-xanh"]
        (item,) = response.json["items"]
        assert item["establishment_id"] == identifier


class TestAuth:
    def test_curator_token_reads_unpublished(self, api, sample):
        curator = get(
            api, "/accommodations?include_unpublished=true", token=sample.tokens["curator"]
        )
        assert "khach-san-nhap" in names(curator)
        assert "khach-san-nhap" not in names(
            get(api, "/accommodations", token=sample.tokens["curator"])
        )
        assert (
            get(api, "/accommodations/khach-san-nhap", token=sample.tokens["curator"]).status_code
            == 200
        )

    def test_other_business_does_not_see_drafts(self, api, sample):
        other = get(
            api, "/accommodations?include_unpublished=true", token=sample.tokens["member_b"]
        )
        assert "khach-san-nhap" not in names(other)
        assert (
            get(api, "/accommodations/khach-san-nhap", token=sample.tokens["member_b"]).status_code
            == 404
        )

    @pytest.mark.parametrize(
        ("who", "sees"),
        [
            (None, False),
            ("member_b", False),
            ("member_a", False),
            ("curator", True),
            ("sysadmin", True),
        ],
    )
    def test_private_guide_fields(self, api, sample, who, sees):
        token = sample.tokens[who] if who else None
        item = get(api, "/tour-guides/hdv-nguyen-van-a", token=token).json
        listed = get(api, "/tour-guides", token=token).json["items"][0]
        table = get(api, "/tour-guides?format=csv", token=token).data.decode("utf-8-sig")
        for shown in (item, listed):
            assert ("id_number" in shown) is sees
            assert (shown.get("id_number") == "079000000001") is sees
        assert ("079000000001" in table) is sees


class TestConditional:
    def test_list_etag_and_last_modified(self, api, sample):
        first = get(api, "/accommodations")
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        assert (
            get(api, "/accommodations", **{"If-None-Match": first.headers["ETag"]}).status_code
            == 304
        )
        assert (
            get(
                api, "/accommodations", **{"If-Modified-Since": first.headers["Last-Modified"]}
            ).status_code
            == 304
        )
        call_action(
            "package_patch", {"user": sample.sysadmin["name"]}, id=sample.hotel["id"], rooms=121
        )
        assert (
            get(api, "/accommodations", **{"If-None-Match": first.headers["ETag"]}).status_code
            == 200
        )


class TestChanges:
    def test_feed_has_creations_updates_and_removals_in_order(self, api, sample):
        admin = {"user": sample.sysadmin["name"]}
        feed = get(api, "/changes").json
        created = {change["name"] for change in feed["changes"] if change["change"] == "created"}
        assert {"khach-san-bien-xanh", "thap-ba-ponagar", "hdv-nguyen-van-a"} <= created
        assert "khach-san-nhap" not in created
        cursor = feed["next_cursor"]

        call_action("package_patch", admin, id=sample.hotel["id"], rooms=125)
        call_action("package_patch", admin, id=sample.resort["id"], operating_status="withdrawn")
        call_action("package_patch", admin, id=sample.homestay["id"], workflow_state="rejected")
        call_action("package_delete", admin, id=sample.hon_chong["id"])
        call_action("package_patch", admin, id=sample.draft["id"], workflow_state="published")

        later = get(api, f"/changes?cursor={cursor}").json
        seen = [
            (change["name"], change["change"], change["removal"]) for change in later["changes"]
        ]
        assert seen == [
            ("khach-san-bien-xanh", "updated", False),
            ("resort-cam-ranh", "withdrawn", True),
            ("homestay-doc-let", "unpublished", True),
            ("hon-chong-hon-do", "deleted", True),
            ("khach-san-nhap", "created", False),
        ]
        assert get(api, f"/changes?cursor={later['next_cursor']}").json["changes"] == []
        paged = get(api, f"/changes?cursor={cursor}&limit=2").json
        assert len(paged["changes"]) == 2 and paged["has_more"] is True
        only_heritage = get(api, f"/changes?cursor={cursor}&type=heritage-site").json["changes"]
        assert [change["name"] for change in only_heritage] == ["hon-chong-hon-do"]
        since = later["changes"][0]["changed_at"]
        assert (
            get(api, f"/changes?since={since}").json["changes"][0]["name"] == "khach-san-bien-xanh"
        )

    def test_purge_is_a_removal(self, api, sample):
        admin = {"user": sample.sysadmin["name"]}
        cursor = get(api, "/changes").json["next_cursor"]
        with pytest.raises(tk.NotAuthorized):
            call_action(
                "dataset_purge",
                {"user": sample.curator["name"], "ignore_auth": False},
                id=sample.ponagar["id"],
            )
        assert get(api, f"/changes?cursor={cursor}").json["changes"] == []

        call_action("dataset_purge", admin, id=sample.ponagar["name"])  # live: reported
        call_action("package_delete", admin, id=sample.hon_chong["id"])
        call_action("dataset_purge", admin, id=sample.hon_chong["id"])  # already removed
        call_action("dataset_purge", admin, id=sample.draft["id"])  # never public

        later = get(api, f"/changes?cursor={cursor}").json["changes"]
        seen = [(c["id"], c["name"], c["type"], c["change"], c["removal"]) for c in later]
        assert seen == [
            (sample.ponagar["id"], "thap-ba-ponagar", "heritage-site", "deleted", True),
            (sample.hon_chong["id"], "hon-chong-hon-do", "heritage-site", "deleted", True),
        ]
        assert get(api, "/heritage-sites/thap-ba-ponagar").status_code == 404


class TestStats:
    def test_counts_by_type_unit_and_category(self, api, sample):
        stats = get(api, "/stats?lang=en").json
        assert stats["types"]["accommodation"]["count"] == 3
        assert stats["total"] == 3 + 1 + 1 + 2
        stars = {
            entry["code"]: entry["count"]
            for entry in stats["types"]["accommodation"]["by"]["star_rating"]
        }
        assert stars == {"4": 1, "5": 1, "chua_xep_hang": 1}
        units = {
            entry["code"]: entry["count"]
            for entry in stats["types"]["heritage-site"]["by"]["admin_unit"]
        }
        assert units == {"22333": 2}
        ranking = stats["types"]["heritage-site"]["by"]["ranking"]
        assert {entry["code"] for entry in ranking} == {"quoc_gia", "quoc_gia_dac_biet"}
        this_month = stats["months"][-1]
        assert this_month["created"] == 7
        filtered = get(api, "/stats?type=accommodation&admin_unit=22333").json
        assert filtered["total"] == 1 and list(filtered["types"]) == ["accommodation"]


class TestTypedValues:
    """Whole numbers are JSON numbers, lists are lists and dates ISO strings, in every
    format; CSV cells hold plain numbers (CKAN stores scheming fields as text)."""

    def test_json_geojson_jsonld_and_csv_carry_typed_values(self, api, sample):
        item = get(api, "/accommodations/khach-san-bien-xanh").json
        assert item["rooms"] == 120 and isinstance(item["rooms"], int)
        assert item["languages"] == ["vi", "en"]
        assert item["star_rating"] == "4"  # a code, not a number
        listed = get(api, "/accommodations?sort=name").json["items"]
        assert {i["name"]: i["rooms"] for i in listed} == {
            "homestay-doc-let": 5,
            "khach-san-bien-xanh": 120,
            "resort-cam-ranh": 300,
        }
        feature = get(api, "/accommodations/khach-san-bien-xanh?format=geojson").json
        assert feature["properties"]["rooms"] == 120
        features = get(api, "/accommodations?format=geojson").json["features"]
        assert all(isinstance(f["properties"]["rooms"], int) for f in features)
        thing = json.loads(
            get(api, "/accommodations/khach-san-bien-xanh?format=jsonld").get_data(as_text=True)
        )
        assert thing["numberOfRooms"] == 120
        assert thing["starRating"]["ratingValue"] == 4
        text = get(api, "/accommodations?format=csv").get_data(as_text=True).lstrip("\ufeff")
        rows = {row["name"]: row for row in csv.DictReader(io.StringIO(text))}
        assert rows["khach-san-bien-xanh"]["rooms"] == "120"
        guide = get(api, "/tour-guides/hdv-nguyen-van-a").json
        assert guide["card_issue_date"] == "2024-01-01"
        assert guide["languages"] == ["en", "fr"]

    def test_openapi_types_every_field_of_every_record_type(self, api):
        from ckanext.khtourism.api.collections import COLLECTIONS

        schemas = get(api, "/openapi.json").json["components"]["schemas"]
        for resource in COLLECTIONS.values():
            name = "".join(part.capitalize() for part in resource.dataset_type.split("-"))
            properties = schemas[name]["properties"]
            untyped = [field for field, spec in properties.items() if "type" not in spec]
            assert untyped == [], (name, untyped)
        accommodation = schemas["Accommodation"]["properties"]
        assert accommodation["rooms"]["type"] == ["integer", "null"]
        assert accommodation["beds"]["type"] == ["integer", "null"]
        assert accommodation["price_min_vnd"]["type"] == ["integer", "null"]
        assert accommodation["star_rating"]["type"] == ["string", "null"]
        assert "4" in accommodation["star_rating"]["enum"]
        assert accommodation["amenities"]["type"] == ["array", "null"]
        assert schemas["TourGuide"]["properties"]["card_expiry_date"]["format"] == "date"
        assert schemas["HeritageSite"]["properties"]["ticket_price_vnd"]["type"] == [
            "integer",
            "null",
        ]
