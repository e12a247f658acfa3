"""Lucene/Solr query semantics of q, fq and fq_list, through package_search and the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.search.common import SearchQueryError
from ckan.tests import helpers

from tests.search.search_helpers import search_config, titles


def _age(dataset, days):
    """Backdate a dataset's metadata_modified (in the database and the index)."""
    when = dt.datetime.utcnow() - dt.timedelta(days=days)
    model.Session.execute(
        sa.text("UPDATE package SET metadata_modified = :when WHERE id = :id"),
        {"when": when, "id": dataset["id"]},
    )
    model.Session.commit()
    model.Session.remove()
    from ckan.lib.search import rebuild

    rebuild(dataset["id"])


@search_config
def test_fielded_terms_phrases_wildcards_and_booleans(portal):
    portal.create(
        "Khách sạn Yasaka", accommodation_type="khach_san", tag_string="beach,spa", name="yasaka"
    )
    portal.create(
        "Homestay Ninh Van", accommodation_type="homestay", tag_string="beach", name="ninh-van"
    )
    portal.create(
        "Villa Cam Ranh",
        accommodation_type="biet_thu_du_lich",
        tag_string="golf",
        name="villa-cam-ranh",
    )

    assert titles(portal.search(fq="accommodation_type:homestay")) == ["Homestay Ninh Van"]
    assert sorted(titles(portal.search(fq="tags:beach"))) == [
        "Homestay Ninh Van",
        "Khách sạn Yasaka",
    ]
    assert titles(portal.search(fq="tags:beach -tags:spa")) == ["Homestay Ninh Van"]
    assert titles(portal.search(fq="+tags:beach +tags:spa")) == ["Khách sạn Yasaka"]
    assert sorted(
        titles(portal.search(fq="accommodation_type:(homestay OR biet_thu_du_lich)"))
    ) == ["Homestay Ninh Van", "Villa Cam Ranh"]
    assert titles(portal.search(fq="name:villa*")) == ["Villa Cam Ranh"]
    assert titles(portal.search(q='title:"cam ranh"')) == ["Villa Cam Ranh"]
    assert titles(portal.search(q="title:yasaka AND tags:spa")) == ["Khách sạn Yasaka"]
    assert sorted(titles(portal.search(q="title:yasaka OR name:ninh-van"))) == [
        "Homestay Ninh Van",
        "Khách sạn Yasaka",
    ]
    assert sorted(titles(portal.search(q="NOT tags:beach"))) == ["Villa Cam Ranh"]
    assert titles(portal.search(q="*:*", fq_list=["tags:beach", "-name:yasaka"])) == [
        "Homestay Ninh Van"
    ]
    assert portal.search(q="*:*", fq="dataset_type:search-test-place")["count"] == 3


@search_config
def test_multi_valued_fields_filter_and_facet_over_the_whole_result(portal):
    portal.create("A", amenities=["pool", "wifi"], tag_string="xx")
    portal.create("B", amenities=["wifi"], tag_string="xx")
    portal.create("C", amenities=["spa", "pool"], tag_string="yy")
    portal.create("D", amenities=["wifi", "spa"], tag_string="yy")

    result = portal.search(fq="amenities:wifi", rows=1, **{"facet.field": '["amenities", "tags"]'})
    assert result["count"] == 3
    assert len(result["results"]) == 1
    assert result["facets"]["amenities"] == {"wifi": 3, "pool": 1, "spa": 1}
    assert result["facets"]["tags"] == {"xx": 2, "yy": 1}

    limited = portal.search(**{"facet.field": '["amenities"]', "facet.limit": 1})
    assert limited["facets"]["amenities"] == {"wifi": 3}
    everything = portal.search(**{"facet.field": '["amenities"]', "facet.limit": -1})
    assert everything["facets"]["amenities"] == {"wifi": 3, "pool": 2, "spa": 2}
    assert portal.search(**{"facet.field": '["amenities"]', "facet.mincount": 3})["facets"][
        "amenities"
    ] == {"wifi": 3}
    # search_facets is what the pages use
    items = {i["name"]: i["count"] for i in everything["search_facets"]["amenities"]["items"]}
    assert items == {"wifi": 3, "pool": 2, "spa": 2}


@search_config
def test_sort_on_any_field_and_paging(portal):
    for title, rooms in (("Beta", "12"), ("alpha", "7"), ("Gamma", "30")):
        portal.create(title, rooms=rooms)
    assert titles(portal.search(sort="title_string asc")) == ["alpha", "Beta", "Gamma"]
    assert titles(portal.search(sort="title_string desc")) == ["Gamma", "Beta", "alpha"]
    assert titles(portal.search(sort="name asc"))  # any indexed field sorts
    assert titles(portal.search(sort="title_string asc", rows=1, start=1)) == ["Beta"]
    newest_first = titles(portal.search(sort="metadata_modified desc"))
    assert newest_first == ["Gamma", "alpha", "Beta"]
    assert titles(portal.search(sort="metadata_modified asc")) == newest_first[::-1]


@search_config
def test_fl_returns_stored_fields(portal):
    dataset = portal.create("Hotel Fl", tag_string="aa,bb")
    result = portal.search(fl=["id", "name", "tags", "capacity"])
    assert result["results"] == [
        {"id": dataset["id"], "name": dataset["name"], "tags": ["aa", "bb"], "capacity": "public"}
    ]


@search_config
def test_date_ranges_and_date_math(portal):
    old = portal.create("Old record", last_verified="2020-05-01")
    new = portal.create("New record", last_verified="2026-01-15")
    _age(old, 10)

    assert titles(portal.search(fq="metadata_modified:[NOW-1DAY TO NOW]")) == ["New record"]
    assert titles(portal.search(fq="metadata_modified:[* TO NOW-5DAYS]")) == ["Old record"]
    assert titles(portal.search(fq="metadata_modified:{NOW/DAY-30DAYS TO NOW-9DAYS}")) == [
        "Old record"
    ]
    assert titles(portal.search(fq="-metadata_modified:[NOW-1DAY TO *]")) == ["Old record"]
    assert titles(portal.search(fq="last_verified:[2026-01-01T00:00:00Z TO *]")) == ["New record"]
    assert titles(
        portal.search(fq="last_verified:[2020-01-01T00:00:00Z TO 2021-01-01T00:00:00Z]")
    ) == ["Old record"]
    assert new["id"]


@search_config
def test_numeric_and_string_ranges(portal):
    portal.create("Small", rooms="8", name="aaa-small")
    portal.create("Large", rooms="120", name="mmm-large")
    portal.create("Medium", rooms="40", name="zzz-medium")
    assert titles(portal.search(fq="rooms:[10 TO 100]")) == ["Medium"]
    assert sorted(titles(portal.search(fq="rooms:{8 TO *]"))) == ["Large", "Medium"]
    assert sorted(titles(portal.search(fq="name:[a TO n]"))) == ["Large", "Small"]


@search_config
def test_resource_fields_are_searchable(portal):
    portal.create(
        "With CSV",
        resources=[{"url": "http://example.com/a.csv", "format": "CSV", "name": "Danh sách phòng"}],
    )
    portal.create(
        "With PDF",
        resources=[{"url": "http://example.com/b.pdf", "format": "PDF", "name": "Brochure"}],
    )
    assert titles(portal.search(fq="res_format:CSV")) == ["With CSV"]
    assert titles(portal.search(q="res_name:phong")) == ["With CSV"]
    assert titles(portal.search(q="danh sach")) == ["With CSV"]
    facets = portal.search(**{"facet.field": '["res_format"]'})["facets"]["res_format"]
    assert facets == {"CSV": 1, "PDF": 1}


@search_config
def test_vocabulary_tags_are_indexed_as_vocab_fields(portal):
    sysadmin = {"user": portal.sysadmin["name"]}
    vocab = helpers.call_action(
        "vocabulary_create",
        context=sysadmin,
        name="regions",
        tags=[{"name": "bac"}, {"name": "nam"}],
    )
    portal.create("North", tags=[{"name": "bac", "vocabulary_id": vocab["id"]}])
    portal.create("South", tags=[{"name": "nam", "vocabulary_id": vocab["id"]}])
    assert titles(portal.search(fq="vocab_regions:bac")) == ["North"]
    facets = portal.search(**{"facet.field": '["vocab_regions"]'})["facets"]["vocab_regions"]
    assert facets == {"bac": 1, "nam": 1}


@pytest.mark.parametrize(
    "params, unsupported",
    [
        ({"q": "hotel~2"}, "Fuzzy"),
        ({"q": "title:/ho.*l/"}, "Regular expression"),
        ({"q": '"nha trang"~3'}, "Proximity"),
        ({"fq": "title:ho*el"}, "trailing wildcards"),
        ({"fq": "tags:aa && tags:bb"}, "&&"),
        ({"fq": "metadata_modified:[NOW-1FORTNIGHT TO NOW]"}, "FORTNIGHT"),
    ],
)
@search_config
def test_unsupported_syntax_is_a_clear_error(portal, app, params, unsupported):
    with pytest.raises(SearchQueryError, match=unsupported):
        portal.search(**params)
    response = app.get("/api/3/action/package_search", query_string=params, status=400)
    assert response.json["success"] is False
    assert unsupported in response.json["error"]["message"]


@search_config
def test_unsupported_syntax_on_the_dataset_page_is_a_friendly_message(portal, app):
    portal.create("Hotel")
    response = app.get("/dataset/", query_string={"q": "hotel~2"}, status=400)
    assert "Fuzzy search is not supported" in response.body


@search_config
def test_stray_syntax_typed_in_the_search_box_is_searched_as_words(portal, app):
    portal.create("Khách sạn Nha Trang")
    assert titles(portal.search(q='"khach san')) == ["Khách sạn Nha Trang"]
    assert titles(portal.search(q="nha trang (")) == ["Khách sạn Nha Trang"]
    response = app.get("/dataset/", query_string={"q": "nha trang ("})
    assert "Khách sạn Nha Trang" in response.body


@search_config
def test_fielded_text_terms_are_stemmed_like_solr_text_fields(portal):
    portal.create("Seaside hotel", notes="Rooms facing the sea")
    portal.create("Hotels directory", notes="A list")
    portal.create("Museum", notes="Hotel nearby")

    assert sorted(titles(portal.search(q="title:hotels"))) == ["Hotels directory", "Seaside hotel"]
    assert titles(portal.search(q="notes:room")) == ["Seaside hotel"]
    assert titles(portal.search(q='title:"seaside hotels"')) == ["Seaside hotel"]
    # folded, like the full text
    portal.create("Khách sạn Đà Lạt")
    assert titles(portal.search(q="title:(khach AND lat)")) == ["Khách sạn Đà Lạt"]


@search_config
def test_qf_restricts_the_fields_a_dismax_query_matches(portal):
    portal.create("Villa Ninh Van", notes="Near the beach")
    portal.create("Beach resort", notes="Quiet place")
    portal.create("Dive shop", notes="x", tag_string="beach")

    # default qf: the whole text
    assert portal.search(q="beach")["count"] == 3
    assert titles(portal.search(q="beach", qf="title")) == ["Beach resort"]
    assert titles(portal.search(q="beach", qf="tags")) == ["Dive shop"]
    assert sorted(titles(portal.search(q="beach", qf="title^2 notes"))) == [
        "Beach resort",
        "Villa Ninh Van",
    ]
    # boosts rank: with tags boosted far above titles, the tagged record comes first
    assert titles(portal.search(q="beach", qf="title tags^10"))[0] == "Dive shop"
    assert titles(portal.search(q="beach", qf="title^10 tags"))[0] == "Beach resort"


@search_config
def test_bf_and_boost_functions_change_the_ranking(portal):
    portal.create("Hotel one", rooms="10")
    portal.create("Hotel two", rooms="200")
    portal.create("Hotel three", rooms="50")

    by_rooms = titles(portal.search(q="hotel", bf="rooms"))
    assert by_rooms == ["Hotel two", "Hotel three", "Hotel one"]
    assert (
        titles(portal.search(q="hotel", boost="div(1,rooms)", defType="edismax"))[0] == "Hotel one"
    )
    # freshness: recip(ms(NOW,metadata_modified)) favours the recently modified
    old = portal.search(q="title:two")["results"][0]
    _age(old, 400)
    fresh = titles(portal.search(q="hotel", bf="recip(ms(NOW,metadata_modified),3.16e-11,100,1)"))
    assert fresh[-1] == "Hotel two"


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "hotel", "bf": "geodist()"}, "geodist"),
        ({"q": "hotel", "bf": "recip(ms(NOW,title),1,1,1)"}, "not a date field"),
        ({"q": "hotel", "boost": "log(rooms"}, "unexpected end"),
        ({"q": "hotel", "qf": "title^x"}, "qf"),
    ],
)
@search_config
def test_unsupported_functions_and_bad_qf_are_clear_errors(portal, params, message):
    portal.create("Hotel")
    with pytest.raises(SearchQueryError, match=message):
        portal.search(**params)


@search_config
def test_sort_needs_a_direction_as_in_solr(portal):
    portal.create("alpha")
    with pytest.raises(SearchQueryError, match="asc or desc"):
        portal.search(sort="metadata_modified")
    with pytest.raises(SearchQueryError, match="asc or desc"):
        portal.search(sort="title_string up")
    assert titles(portal.search(sort="metadata_modified desc")) == ["alpha"]


@search_config
def test_dates_come_back_as_solr_returns_them(portal):
    """Milliseconds (Solr keeps no more); datetimes when the connection decodes dates,
    as CKAN's default connection does; strings with decode_dates=False."""
    import datetime

    from ckanext.khtourism.search.connection import PostgresConnection

    record = portal.create("alpha")
    stored = helpers.call_action("package_show", id=record["id"])["metadata_modified"]
    query = {"q": "*:*", "fl": "id,metadata_modified,metadata_created", "rows": 1}

    plain = PostgresConnection(decode_dates=False).search(**query).docs[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", plain["metadata_modified"])
    assert plain["metadata_modified"][:19] == stored[:19]
    if "." in plain["metadata_modified"]:
        assert plain["metadata_modified"][20:23] == stored[20:23]

    decoded = PostgresConnection().search(**query).docs[0]
    assert isinstance(decoded["metadata_modified"], datetime.datetime)
    assert decoded["metadata_modified"].isoformat()[:19] == stored[:19]
