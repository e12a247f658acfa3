"""Parameter parsing: every parameter validated in one place, one error shape."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from ckanext.khtourism.api import params
from ckanext.khtourism.api.collections import COLLECTIONS
from ckanext.khtourism.api.errors import ApiError

ACCOMMODATIONS = COLLECTIONS["accommodations"]
GUIDES = COLLECTIONS["tour-guides"]


def parse(endpoint=params.LIST, resource=ACCOMMODATIONS, **args):
    return params.parse(MultiDict(args), endpoint, resource)


def error_of(**kwargs) -> ApiError:
    with pytest.raises(ApiError) as info:
        parse(**kwargs)
    return info.value


def test_valid_list_parameters_are_typed():
    parsed = parse(
        q="khach san",
        admin_unit="22333,22366",
        star_rating="4,5",
        limit="50",
        page="2",
        lat="12.25",
        lon="109.19",
        radius="5000",
        sort="distance",
        fields="name,star_rating",
        updated_since="2026-01-01T00:00:00Z",
        include_unpublished="true",
    )
    assert parsed["admin_unit"] == ["22333", "22366"]
    assert parsed["star_rating"] == ["4", "5"]
    assert parsed["limit"] == 50 and parsed["page"] == 2
    assert parsed["lat"] == 12.25 and parsed["radius"] == 5000.0
    assert parsed["updated_since"].isoformat() == "2026-01-01T00:00:00+00:00"
    assert parsed["include_unpublished"] is True
    assert parsed["fields"] == ["name", "star_rating"]


@pytest.mark.parametrize(
    ("args", "code", "parameter"),
    [
        ({"limit": "0"}, "invalid_parameter", "limit"),
        ({"limit": "1001"}, "invalid_parameter", "limit"),
        ({"limit": "ten"}, "invalid_parameter", "limit"),
        ({"page": "0"}, "invalid_parameter", "page"),
        ({"star_rating": "6"}, "invalid_parameter", "star_rating"),
        ({"star_rating": "4,4"}, "invalid_parameter", "star_rating"),
        ({"admin_unit": "2233"}, "invalid_parameter", "admin_unit"),
        ({"former_district": "999"}, "invalid_parameter", "former_district"),
        ({"operating_status": "open"}, "invalid_parameter", "operating_status"),
        ({"languages": "english"}, "invalid_parameter", "languages"),
        ({"lat": "91", "lon": "109", "radius": "10"}, "invalid_parameter", "lat"),
        ({"lat": "12", "lon": "109", "radius": "-1"}, "invalid_parameter", "radius"),
        ({"lat": "12", "lon": "nan", "radius": "10"}, "invalid_parameter", "lon"),
        ({"lat": "12", "lon": "109"}, "parameter_conflict", "radius"),
        ({"radius": "100"}, "parameter_conflict", "lat"),
        ({"bbox": "109,12,110"}, "invalid_parameter", "bbox"),
        ({"bbox": "110,12,109,13"}, "invalid_parameter", "bbox"),
        ({"bbox": "109,12,190,13"}, "invalid_parameter", "bbox"),
        (
            {"bbox": "109,12,110,13", "polygon": "POLYGON((0 0,1 0,1 1,0 0))"},
            "parameter_conflict",
            "polygon",
        ),
        ({"polygon": "not a polygon"}, "invalid_parameter", "polygon"),
        ({"polygon": "POINT(109 12)"}, "invalid_parameter", "polygon"),
        ({"polygon": "POLYGON((0 0,1 1,1 0,0 1,0 0))"}, "invalid_parameter", "polygon"),
        (
            {"polygon": '{"type": "Polygon", "coordinates": [[[0,0],[500,0],[1,1],[0,0]]]}'},
            "invalid_parameter",
            "polygon",
        ),
        ({"updated_since": "yesterday"}, "invalid_parameter", "updated_since"),
        ({"updated_since": "2026-01-01T00:00:00"}, "invalid_parameter", "updated_since"),
        ({"sort": "stars"}, "invalid_parameter", "sort"),
        ({"sort": "relevance"}, "parameter_conflict", "sort"),
        ({"sort": "distance"}, "parameter_conflict", "sort"),
        ({"fields": "name,card_number"}, "invalid_parameter", "fields"),
        ({"format": "xml"}, "invalid_parameter", "format"),
        ({"lang": "fr"}, "invalid_parameter", "lang"),
        ({"include_unpublished": "yes"}, "invalid_parameter", "include_unpublished"),
        ({"q": ""}, "invalid_parameter", "q"),
        ({"q": "x" * 501}, "invalid_parameter", "q"),
        ({"stars": "5"}, "unknown_parameter", "stars"),
        ({"card_type": "quoc_te"}, "unknown_parameter", "card_type"),
    ],
)
def test_bad_parameters_name_the_parameter(args, code, parameter):
    error = error_of(**args)
    assert (error.code, error.parameter, error.status) == (code, parameter, 400)


def test_repeated_parameter_is_rejected():
    with pytest.raises(ApiError) as info:
        params.parse(MultiDict([("limit", "1"), ("limit", "2")]), params.LIST, ACCOMMODATIONS)
    assert info.value.code == "repeated_parameter"


def test_type_specific_filters_apply_to_their_type_only():
    assert parse(resource=GUIDES, card_type="quoc_te,noi_dia", card_status="valid")[
        "card_type"
    ] == ["quoc_te", "noi_dia"]
    assert error_of(resource=GUIDES, star_rating="5").code == "unknown_parameter"


def test_polygon_accepts_geojson_and_wkt():
    wkt = parse(polygon="POLYGON((109 12,109.5 12,109.5 12.5,109 12.5,109 12))")["polygon"]
    geojson = parse(
        polygon='{"type":"Polygon","coordinates":[[[109,12],[109.5,12],[109.5,12.5],[109,12.5],[109,12]]]}'
    )
    assert wkt["type"] == geojson["polygon"]["type"] == "Polygon"


def test_lookup_needs_exactly_one_identifier():
    assert (
        params.parse(MultiDict({"card_number": "123456789"}), params.LOOKUP)["card_number"]
        == "123456789"
    )
    for args in ({}, {"card_number": "1", "enterprise_code": "2"}):
        with pytest.raises(ApiError) as info:
            params.parse(MultiDict(args), params.LOOKUP)
        assert info.value.code == "parameter_conflict"


def test_changes_cursor_and_since_are_exclusive():
    with pytest.raises(ApiError) as info:
        params.parse(MultiDict({"cursor": "3", "since": "2026-01-01T00:00:00Z"}), params.CHANGES)
    assert info.value.parameter == "cursor"


def test_messages_follow_the_language():
    error = error_of(limit="0")
    assert "limit" in error.message("en") and "must be" in error.message("en")
    assert "Giá trị không hợp lệ" in error.message("vi")
    assert error.as_dict("en")["error"] == {
        "code": "invalid_parameter",
        "message": error.message("en"),
        "parameter": "limit",
        "status": 400,
    }
