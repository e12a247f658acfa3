"""Vietnamese default headers, configured mappings, value conversion."""

from __future__ import annotations

import pytest

from ckanext.khtourism.harvesters.mapping import Mapping, MappingError, fold, parse_integer


def test_fold_matches_spreadsheet_headers_and_gis_attribute_names():
    assert fold("Tên cơ sở") == fold("TEN_CO_SO") == fold("tên  cơ sở ") == "tencoso"
    assert fold("Đường") == "duong"


def test_default_vietnamese_headers_for_accommodation():
    mapping = Mapping.from_config({"record_type": "accommodation"})
    fields, unmapped = mapping.map_properties(
        {
            "Tên cơ sở": "Khách sạn Biển Xanh",
            "Địa chỉ": "12 Trần Phú",
            "Hạng sao": "4 sao",
            "Số phòng": "1.200",
            "Mã số doanh nghiệp": 420123456,
            "Loại hình": "Khách sạn",
            "Ghi chú nội bộ": "x",
        }
    )
    assert fields == {
        "title": "Khách sạn Biển Xanh",
        "street_address": "12 Trần Phú",
        "star_rating": "4",
        "rooms": 1200,
        "enterprise_code": "0420123456",
        "accommodation_type": "khach_san",
        "license_id": "cc-by-4.0",  # the source says none: the portal's default
    }
    assert unmapped == ["Ghi chú nội bộ"]


def test_tour_guide_and_operator_defaults():
    guide = Mapping.from_config({"record_type": "tour-guide"})
    fields, _ = guide.map_properties(
        {
            "Họ và tên": "Nguyễn Văn A",
            "Số thẻ": 156123456,
            "Loại thẻ": "Quốc tế",
            "Ngoại ngữ": "Tiếng Anh, Tiếng Nga",
            "Ngày hết hạn": "31/12/2028",
        }
    )
    assert fields == {
        "full_name": "Nguyễn Văn A",
        "card_number": "156123456",
        "card_type": "quoc_te",
        "languages": ["en", "ru"],
        "card_expiry_date": "2028-12-31",
        "license_id": "cc-by-4.0",
    }
    assert guide.key_of({"Số thẻ": "156 123 456"}) == ("156123456", "column 'Số thẻ'")
    operator = Mapping.from_config({"record_type": "tour-operator"})
    assert operator.map_properties({"Số giấy phép": "56-173/2022/cdlqgvn-gp lhqt"})[0] == {
        "licence_number": "56-173/2022/CDLQGVN-GP LHQT",
        "license_id": "cc-by-4.0",
    }


def test_configured_mapping_defaults_and_value_maps():
    mapping = Mapping.from_config(
        {
            "record_type": "heritage-site",
            "mapping": {"TEN": "title", "XEP_HANG": "ranking", "Địa chỉ": None},
            "defaults": {"heritage_type": "lich_su"},
            "value_maps": {"ranking": {"QG": "quoc_gia"}},
            "key_field": "MA_DT",
            "license_id": "odc-odbl",
        }
    )
    fields, _ = mapping.map_properties(
        {"TEN": "Thành cổ Diên Khánh", "XEP_HANG": "QG", "Địa chỉ": "dropped", "MA_DT": "DT-004"}
    )
    assert fields == {
        "title": "Thành cổ Diên Khánh",
        "ranking": "quoc_gia",
        "heritage_type": "lich_su",
        "license_id": "odc-odbl",  # declared by the source
    }
    assert mapping.key_of({"ma_dt": "DT-004"})[0] == "DT-004"


@pytest.mark.parametrize(
    "config, message",
    [
        ({"record_type": "hotel"}, "record_type: 'hotel' is not one of"),
        (
            {"record_type": "accommodation", "mapping": {"Số thẻ": "card_number"}},
            "'card_number' is not a field of accommodation",
        ),
        ({"record_type": "accommodation", "defaults": {"ranking": "x"}}, "defaults: 'ranking'"),
    ],
)
def test_bad_mapping_configuration_names_the_problem(config, message):
    with pytest.raises(MappingError, match=message):
        Mapping.from_config(config)


def test_bad_values_name_column_and_value():
    mapping = Mapping.from_config({"record_type": "accommodation"})
    with pytest.raises(MappingError, match="column 'Số phòng' = 'mười hai': is not a whole"):
        mapping.map_properties({"Số phòng": "mười hai"})
    with pytest.raises(MappingError, match="'Sáu sao' is not a known value for star_rating"):
        mapping.map_properties({"Hạng sao": "Sáu sao"})


@pytest.mark.parametrize(
    "raw, value",
    [
        ("1.200", 1200),
        ("1,200,000", 1200000),
        (12.0, 12),
        ("350 phòng", 350),
        ("2.500.000 đ", 2500000),
    ],
)
def test_integers(raw, value):
    assert parse_integer(raw) == value
