"""Vietnamese and English full-text matching and ranking, through package_search."""

from __future__ import annotations

from tests.search.search_helpers import search_config, titles


@search_config
def test_diacritic_and_case_insensitive_matching(portal):
    portal.create("Khách sạn Biển Xanh")
    portal.create("Nhà nghỉ Đà Lạt")
    portal.create("Museum of Oceanography")

    assert titles(portal.search(q="khach san")) == ["Khách sạn Biển Xanh"]
    assert titles(portal.search(q="KHÁCH SẠN")) == ["Khách sạn Biển Xanh"]
    assert titles(portal.search(q="da lat")) == ["Nhà nghỉ Đà Lạt"]
    # d and đ are the same letter for matching
    assert titles(portal.search(q="Dà Lat")) == ["Nhà nghỉ Đà Lạt"]
    assert titles(portal.search(q="đa lat")) == ["Nhà nghỉ Đà Lạt"]


@search_config
def test_exact_diacritics_rank_higher(portal):
    # "bãi" and "bài"/"bái" fold to the same "bai"
    portal.create("Bài ca biển", notes="ca dao")
    portal.create("Bãi biển Dốc Lết", notes="bãi tắm")
    portal.create("Bái đường", notes="di tích")

    result = portal.search(q="bãi")
    assert result["count"] == 3
    assert titles(result)[0] == "Bãi biển Dốc Lết"
    result = portal.search(q="bài")
    assert titles(result)[0] == "Bài ca biển"


@search_config
def test_english_words_are_stemmed(portal):
    portal.create("Seaside hotel", title_en="Seaside hotel")
    portal.create("Diving centres", notes="Diving courses for beginners")

    assert titles(portal.search(q="hotels")) == ["Seaside hotel"]
    assert titles(portal.search(q="centre")) == ["Diving centres"]
    assert titles(portal.search(q="course")) == ["Diving centres"]


@search_config
def test_title_matches_rank_above_description_matches(portal):
    portal.create("Nhà hàng Hải Sản", notes="Gần khách sạn Sao Biển")
    portal.create("Khách sạn Sao Biển", notes="Khách sạn ba sao gần biển")
    portal.create("Bảo tàng", notes="Có khách sạn gần đó")

    result = portal.search(q="khach san")
    assert result["count"] == 3
    assert titles(result)[0] == "Khách sạn Sao Biển"


@search_config
def test_tags_and_organisation_are_searched(portal):
    portal.create("Resort A", tag_string="lặn biển,spa")
    portal.create("Resort B", tag_string="golf")
    assert titles(portal.search(q="lan bien")) == ["Resort A"]


@search_config
def test_minimum_should_match_and_operators(portal):
    portal.create("Khách sạn Nha Trang")
    portal.create("Khách sạn Cam Ranh")
    portal.create("Homestay Nha Trang")

    # two words: both required
    assert titles(portal.search(q="khach trang")) == ["Khách sạn Nha Trang"]
    # three words: all but one required (Solr's default mm 2<-1 5<80%)
    assert sorted(titles(portal.search(q="khach san trang"))) == [
        "Khách sạn Cam Ranh",
        "Khách sạn Nha Trang",
    ]
    assert sorted(titles(portal.search(q="khach nha trang"))) == [
        "Homestay Nha Trang",
        "Khách sạn Nha Trang",
    ]
    assert titles(portal.search(q="khach -trang")) == ["Khách sạn Cam Ranh"]
    assert sorted(titles(portal.search(q="ranh OR homestay"))) == [
        "Homestay Nha Trang",
        "Khách sạn Cam Ranh",
    ]
    assert titles(portal.search(q='"san nha"')) == ["Khách sạn Nha Trang"]
    assert sorted(titles(portal.search(q="hom*"))) == ["Homestay Nha Trang"]
    assert titles(portal.search(q="khach AND NOT nha")) == ["Khách sạn Cam Ranh"]
