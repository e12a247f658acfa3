"""From source attributes to record-type fields (docs/record-types.md is the contract).

Column headers and GIS attribute names are matched on a *folded* key: accents
removed, đ → d, lower case, everything but letters and digits dropped, so
"Tên cơ sở", "TEN_CO_SO" and "tencoso" are the same column. A source's
``mapping`` (header → field) is applied on top of :data:`DEFAULT_HEADERS`
(unless ``use_default_mapping`` is false); ``defaults`` gives constant
values; ``value_maps`` translate source values to codes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ckanext.khtourism.core.record_types import PERSON_TYPES, RECORD_TYPES, declarations
from ckanext.khtourism.records.privacy import is_private_field
from ckanext.khtourism.records.schema_choices import dataset_fields
from ckanext.khtourism.records.schema_fields import (
    DATE,
    INT,
    MULTI,
    PLACE_FIELDS,
    field_kind,
    shared_field_names,
    type_field_names,
)

PLAIN_DATASET = "dataset"

COMMON_FIELDS = {"title", "title_en", "notes", "notes_en", *PLACE_FIELDS, "tag_string"}
# The fields proper to each record type, from its schema (records/schema_fields.py); a
# heritage site's `area` (GeoJSON) too, which a catalogue of this software publishes.
TYPE_FIELDS = {
    record_type: set(type_field_names(record_type, geometries=True)) for record_type in RECORD_TYPES
}
# Pseudo-fields that carry coordinates in attribute columns.
COORDINATE_FIELDS = {"_lon", "_lat", "_x", "_y"}


def _fields_of_kind(kind: str) -> set[str]:
    """The fields of every record type whose schema validators make them ``kind``."""
    return {
        name
        for record_type in RECORD_TYPES
        for name in (*type_field_names(record_type), *shared_field_names())
        if field_kind(record_type, name) == kind
    }


# What a source value becomes, by the kind of the field (records/schema_fields.py).
INTEGER_FIELDS = _fields_of_kind(INT)
DATE_FIELDS = _fields_of_kind(DATE)
MULTI_FIELDS = _fields_of_kind(MULTI)
# Official identifiers. None of them alone is an establishment's identity (one enterprise
# runs several hotels): an official identifier matches an existing record only together with
# the same address or a point within 50 m (harvesters/matching.py match_existing); a tour
# guide's card number identifies one person.
MATCH_FIELDS = (
    "enterprise_code",
    "household_business_number",
    "register_number",
    "tax_code",
    "licence_number",
    "card_number",
)
# The portal-minted establishment identifier (records/identity.py): a row carrying it is that
# record.
PORTAL_ID_FIELD = "establishment_id"
# The source key when ``key_field`` is not configured: a card or licence number identifies one
# guide or one travel business; places are identified by the feature id (GIS layers) or, in a
# register without a key column, by their name and address (never by the row number).
DEFAULT_KEY_FIELD: dict[str, str | None] = {
    **{rt.name: rt.harvest_key for rt in declarations().values()},  # declared ``harvest_key``
    PLAIN_DATASET: None,
}


def fields_of(record_type: str) -> set[str]:
    """The fields a source may map to (a plain dataset has no type fields of its own)."""
    return COMMON_FIELDS | TYPE_FIELDS.get(record_type, set()) | COORDINATE_FIELDS


def fold(text: Any) -> str:
    """Accent-, case- and punctuation-insensitive key: "Tên cơ sở" -> "tencoso"."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[^0-9a-z]", "", text.lower())


_DEFAULT_HEADER_LIST: list[tuple[str, tuple[str, ...]]] = [
    (
        "title",
        (
            "Tên cơ sở",
            "Tên cơ sở lưu trú",
            "Tên doanh nghiệp",
            "Tên",
            "Tên di tích",
            "Tên khách sạn",
            "Name",
            "TEN",
            "TEN_CS",
        ),
    ),
    (
        "title_en",
        (
            "Tên tiếng Anh",
            "Tên giao dịch tiếng Anh",
            "Tên doanh nghiệp tiếng Anh",
            "English name",
            "TEN_TA",
        ),
    ),
    ("notes", ("Mô tả", "Ghi chú", "Description")),
    ("street_address", ("Địa chỉ", "Địa chỉ cơ sở", "Address", "DIA_CHI")),
    ("office_address", ("Địa chỉ trụ sở", "Trụ sở")),
    ("admin_unit", ("Mã xã", "Mã đơn vị hành chính", "Mã ĐVHC", "MA_XA")),
    ("former_district", ("Mã huyện", "MA_HUYEN")),
    ("star_rating", ("Hạng sao", "Xếp hạng sao", "Hạng", "HANG_SAO")),
    ("rooms", ("Số phòng", "Tổng số phòng", "SO_PHONG")),
    ("beds", ("Số giường", "SO_GIUONG")),
    ("max_guests", ("Số khách tối đa", "Sức chứa")),
    ("price_min_vnd", ("Giá thấp nhất", "Giá từ")),
    ("price_max_vnd", ("Giá cao nhất", "Giá đến")),
    ("accommodation_type", ("Loại hình", "Loại cơ sở", "Loại hình lưu trú", "LOAI_HINH")),
    (
        "enterprise_code",
        ("Mã số doanh nghiệp", "Mã doanh nghiệp", "Mã số thuế", "MST", "Mã DN", "MA_DN", "MSDN"),
    ),
    ("establishment_id", ("Mã định danh", "Mã định danh cơ sở", "Mã cơ sở trên cổng")),
    (
        "household_business_number",
        (
            "Số giấy chứng nhận đăng ký hộ kinh doanh",
            "Số GCN ĐKHKD",
            "Số ĐKKD hộ",
            "Mã hộ kinh doanh",
        ),
    ),
    ("register_number", ("Số đăng ký", "Số đăng ký cơ sở lưu trú", "Số quyết định công nhận hạng")),
    ("tax_code", ("Mã số thuế hộ", "Mã số thuế cá nhân")),
    ("licence_number", ("Số giấy phép", "Số GP", "Số giấy phép kinh doanh lữ hành", "SO_GP")),
    ("licence_type", ("Loại giấy phép", "Phạm vi kinh doanh")),
    ("licence_issue_date", ("Ngày cấp giấy phép", "Ngày cấp GP")),
    ("licence_issuer", ("Cơ quan cấp", "Nơi cấp giấy phép")),
    ("card_number", ("Số thẻ", "Số thẻ HDV", "SO_THE")),
    ("card_type", ("Loại thẻ", "LOAI_THE")),
    ("card_issue_date", ("Ngày cấp thẻ",)),
    ("card_expiry_date", ("Ngày hết hạn", "Hạn thẻ", "Ngày hết hạn thẻ")),
    ("full_name", ("Họ và tên", "Họ tên", "HO_TEN")),
    ("issuing_province", ("Nơi cấp thẻ", "Tỉnh cấp")),
    ("languages", ("Ngoại ngữ", "Ngôn ngữ", "Languages")),
    ("experience_years", ("Số năm kinh nghiệm", "Kinh nghiệm")),
    ("phone", ("Điện thoại", "Số điện thoại", "ĐT", "Phone", "DIEN_THOAI")),
    ("email", ("Email", "E-mail", "Thư điện tử")),
    ("website", ("Website", "Trang web", "Trang thông tin điện tử")),
    ("operating_status", ("Tình trạng", "Trạng thái", "Tình trạng hoạt động")),
    ("ranking", ("Cấp xếp hạng", "Xếp hạng di tích", "XEP_HANG")),
    ("heritage_type", ("Loại di tích", "Loại hình di tích")),
    ("ranking_decision_number", ("Số quyết định xếp hạng", "Quyết định xếp hạng")),
    ("managing_body", ("Đơn vị quản lý", "Cơ quan quản lý")),
    ("_lon", ("Kinh độ", "Longitude", "Lon", "KINH_DO")),
    ("_lat", ("Vĩ độ", "Latitude", "Lat", "VI_DO")),
    ("_x", ("Tọa độ X", "Toạ độ X", "X (VN-2000)")),
    ("_y", ("Tọa độ Y", "Toạ độ Y", "Y (VN-2000)")),
]
DEFAULT_HEADERS: dict[str, str] = {
    fold(header): field for field, headers in _DEFAULT_HEADER_LIST for header in headers
}

# Source values (folded) -> codes, per field.
_VALUE_LIST: dict[str, dict[str, tuple[str, ...]]] = {
    "accommodation_type": {
        "khach_san": ("Khách sạn", "Hotel", "Khách sạn nghỉ dưỡng", "Resort"),
        "biet_thu_du_lich": ("Biệt thự du lịch", "Biệt thự", "Villa"),
        "can_ho_du_lich": ("Căn hộ du lịch", "Căn hộ", "Apartment"),
        "tau_thuy_luu_tru": ("Tàu thủy lưu trú du lịch", "Tàu thủy lưu trú"),
        "nha_nghi_du_lich": ("Nhà nghỉ du lịch", "Nhà nghỉ", "Guest house"),
        "homestay": ("Nhà ở có phòng cho khách du lịch thuê", "Homestay"),
        "bai_cam_trai": ("Bãi cắm trại du lịch", "Bãi cắm trại", "Campsite"),
        "khac": ("Cơ sở lưu trú du lịch khác", "Khác", "Other"),
    },
    "star_rating": {
        "1": ("1 sao", "1*", "một sao"),
        "2": ("2 sao", "2*", "hai sao"),
        "3": ("3 sao", "3*", "ba sao"),
        "4": ("4 sao", "4*", "bốn sao"),
        "5": ("5 sao", "5*", "năm sao"),
        "dat_chuan": ("Đạt chuẩn", "Đạt chuẩn phục vụ khách du lịch", "Đạt tiêu chuẩn"),
        "chua_xep_hang": ("Chưa xếp hạng", "Không xếp hạng", "Chưa xếp hạng sao"),
    },
    "card_type": {
        "quoc_te": ("Quốc tế", "International"),
        "noi_dia": ("Nội địa", "Domestic"),
        "tai_diem": ("Tại điểm", "On-site"),
    },
    "licence_type": {
        "noi_dia": ("Nội địa", "LHNĐ", "Domestic"),
        "quoc_te_inbound": ("Quốc tế inbound", "Inbound", "Quốc tế - inbound"),
        "quoc_te_outbound": ("Quốc tế outbound", "Outbound", "Quốc tế - outbound"),
        "quoc_te_both": ("Quốc tế", "LHQT", "Quốc tế inbound và outbound", "Inbound và outbound"),
    },
    "operating_status": {
        "operating": ("Đang hoạt động", "Hoạt động", "Operating", "Active"),
        "suspended": ("Tạm ngừng", "Tạm ngừng hoạt động", "Tạm dừng", "Suspended"),
        "closed": ("Ngừng hoạt động", "Đã đóng cửa", "Đóng cửa", "Closed"),
        "withdrawn": ("Thu hồi", "Đã thu hồi", "Withdrawn"),
    },
    "ranking": {
        "cap_tinh": ("Cấp tỉnh", "Di tích cấp tỉnh", "Tỉnh"),
        "quoc_gia": ("Quốc gia", "Di tích quốc gia", "Cấp quốc gia"),
        "quoc_gia_dac_biet": ("Quốc gia đặc biệt", "Di tích quốc gia đặc biệt"),
        "kiem_ke": ("Kiểm kê", "Đã kiểm kê", "Chưa xếp hạng"),
    },
    "heritage_type": {
        "lich_su": ("Lịch sử", "Di tích lịch sử"),
        "kien_truc_nghe_thuat": ("Kiến trúc nghệ thuật", "Kiến trúc - nghệ thuật"),
        "khao_co": ("Khảo cổ",),
        "danh_lam_thang_canh": ("Danh lam thắng cảnh", "Danh thắng"),
        "hon_hop": ("Hỗn hợp",),
    },
    "languages": {
        "en": ("Tiếng Anh", "Anh", "English"),
        "fr": ("Tiếng Pháp", "Pháp", "French"),
        "zh": ("Tiếng Trung", "Trung", "Tiếng Hoa", "Chinese"),
        "ru": ("Tiếng Nga", "Nga", "Russian"),
        "ko": ("Tiếng Hàn", "Hàn", "Korean"),
        "ja": ("Tiếng Nhật", "Nhật", "Japanese"),
        "de": ("Tiếng Đức", "Đức", "German"),
        "vi": ("Tiếng Việt", "Việt", "Vietnamese"),
        "th": ("Tiếng Thái", "Thái", "Thai"),
        "es": ("Tiếng Tây Ban Nha", "Spanish"),
        "it": ("Tiếng Ý", "Italian"),
    },
}
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    field: {fold(label): code for code, labels in table.items() for label in (*labels, code)}
    for field, table in _VALUE_LIST.items()
}


def schema_headers(record_type: str) -> dict[str, str]:
    """Folded header -> field, from the ``harvest_headers`` of the type's schema fields
    (the Vietnamese column names of the registers, kept next to the field)."""
    if record_type not in RECORD_TYPES:
        return {}
    return {
        fold(header): field["field_name"]
        for field in dataset_fields(record_type)
        for header in field.get("harvest_headers") or ()
    }


def schema_values(record_type: str) -> dict[str, dict[str, str]]:
    """Folded label -> code for the type's own choice fields that have no table above: a
    register may give a choice by its code or its Vietnamese or English label."""
    if record_type not in RECORD_TYPES:
        return {}
    own = set(type_field_names(record_type))
    tables: dict[str, dict[str, str]] = {}
    for field in dataset_fields(record_type):
        name = field["field_name"]
        if name not in own or name in DEFAULT_VALUES or not field.get("choices"):
            continue
        table = tables.setdefault(name, {})
        for choice in field["choices"]:
            code = str(choice["value"])
            label = choice.get("label")
            labels = label.values() if isinstance(label, dict) else [label]
            for text in (*labels, code):
                if text:
                    table.setdefault(fold(text), code)
    return tables


class MappingError(ValueError):
    """A value in a record cannot become the field it is mapped to."""


@dataclass
class Mapping:
    """A source's mapping configuration, compiled."""

    record_type: str
    headers: dict[str, str]  # folded header -> field
    defaults: dict[str, Any]
    value_maps: dict[str, dict[str, str]]  # field -> folded source value -> code
    key_field: str | None  # a field name, or a source column when not a field

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Mapping:
        record_type = config.get("record_type", PLAIN_DATASET)
        if record_type not in TYPE_FIELDS and record_type != PLAIN_DATASET:
            raise MappingError(
                f"record_type: {record_type!r} is not one of "
                f"{', '.join((*RECORD_TYPES, PLAIN_DATASET))}"
            )
        known = fields_of(record_type)
        headers = dict(DEFAULT_HEADERS) if config.get("use_default_mapping", True) else {}
        if config.get("use_default_mapping", True):
            # the type's own headers (its schema) win over a default for another type's field
            for header, field in schema_headers(record_type).items():
                if headers.get(header) not in known:
                    headers[header] = field
        # a person's own fields (a guide's name, card) never map to another type's record
        for person_type in PERSON_TYPES:
            if record_type != person_type:
                headers = {
                    k: v
                    for k, v in headers.items()
                    if v not in TYPE_FIELDS[person_type] or v in TYPE_FIELDS.get(record_type, set())
                }
        mapping = config.get("mapping") or {}
        if not isinstance(mapping, dict):
            raise MappingError('mapping: must be an object {"source column": "field"}')
        for header, field in mapping.items():
            if field is not None and field not in known and record_type != PLAIN_DATASET:
                raise MappingError(
                    f"mapping: {header!r} -> {field!r}: {field!r} is not a field "
                    f"of {record_type} (see docs/record-types.md)"
                )
            headers[fold(header)] = field  # None drops a default mapping
        if record_type != PLAIN_DATASET:
            headers = {k: v for k, v in headers.items() if v is None or v in known}
        for own in known - COORDINATE_FIELDS:
            headers.setdefault(fold(own), own)  # a column named like the field maps to it
        defaults = dict(config.get("defaults") or {})
        for field in defaults:
            if field not in known and record_type != PLAIN_DATASET:
                raise MappingError(f"defaults: {field!r} is not a field of {record_type}")
        # a record's own licence wins, then the source's, then the portal's default
        defaults.setdefault("license_id", source_license(config)[0])
        value_maps = {field: dict(table) for field, table in DEFAULT_VALUES.items()}
        value_maps.update(schema_values(record_type))
        for field, table in (config.get("value_maps") or {}).items():
            if not isinstance(table, dict):
                raise MappingError(f'value_maps.{field}: must be an object {{"value": "code"}}')
            value_maps.setdefault(field, {}).update({fold(k): v for k, v in table.items()})
        key_field = config.get("key_field") or DEFAULT_KEY_FIELD[record_type]
        return cls(
            record_type=record_type,
            headers=headers,
            defaults=dict(defaults),
            value_maps=value_maps,
            key_field=key_field,
        )

    # --- keys -----------------------------------------------------------------------------
    def key_of(self, properties: dict[str, Any]) -> tuple[str | None, str]:
        """(key value, what was looked at) for a record's raw properties."""
        if not self.key_field:
            return None, "feature id"
        wanted = fold(self.key_field)
        for header, value in properties.items():
            folded = fold(header)
            if folded == wanted or self.headers.get(folded) == self.key_field:
                text = normalise_identifier(self.key_field, value)
                return (text or None), f"column {header!r}"
        return None, f"a column for {self.key_field!r}"

    def value_of(self, properties: dict[str, Any], field: str) -> Any:
        """The raw value of the first non-empty column mapped to ``field`` (None if none)."""
        for header, value in properties.items():
            blank = value is None or (isinstance(value, str) and not value.strip())
            if not blank and self.headers.get(fold(header)) == field:
                return value
        return None

    # --- values ---------------------------------------------------------------------------
    def map_properties(self, properties: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """(fields, unmapped headers) for one record; MappingError names header and value."""
        fields: dict[str, Any] = {}
        unmapped = []
        # A column named exactly like its field (``title``) wins over one that only a
        # default alias maps there (``name``), whatever the order of the columns (a JSON
        # object's keys are stored in jsonb's order, shortest first).
        exact_first = sorted(
            properties.items(),
            key=lambda item: fold(item[0]) != fold(self.headers.get(fold(item[0])) or ""),
        )
        for header, raw in exact_first:
            field = self.headers.get(fold(header))
            if field is None:
                if fold(header) not in self.headers:
                    unmapped.append(header)
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            if field in fields:
                continue  # the first of several columns mapped to one field wins
            try:
                fields[field] = self.convert(field, raw)
            except MappingError as error:
                if is_private_field(field, self.record_type):  # personal data: never quoted
                    raise MappingError(f"column {header!r} ({field}): {error}") from None
                raise MappingError(f"column {header!r} = {raw!r}: {error}") from None
        for field, value in self.defaults.items():
            fields.setdefault(field, value)
        return fields, unmapped

    def convert(self, field: str, raw: Any) -> Any:
        if field in MULTI_FIELDS:
            parts = raw if isinstance(raw, list) else re.split(r"\s*[,;/|]\s*", str(raw))
            codes = [self._code(field, part) for part in parts if str(part).strip()]
            return sorted(set(codes), key=codes.index)
        if field in INTEGER_FIELDS:
            return parse_integer(raw)
        if field in DATE_FIELDS:
            return parse_date(raw)
        if field in MATCH_FIELDS or field == PORTAL_ID_FIELD:
            return normalise_identifier(field, raw)
        if field in ("_lon", "_lat", "_x", "_y"):
            return parse_number(raw)
        if field == "star_rating" and isinstance(raw, (int, float)):
            raw = str(int(raw))
        if field in self.value_maps:
            return self._code(field, raw)
        return str(raw).strip() if not isinstance(raw, (int, float)) else str(raw)

    def _code(self, field: str, raw: Any) -> str:
        table = self.value_maps.get(field)
        text = str(raw).strip()
        if not table:
            return text
        code = table.get(fold(text))
        if code is None:
            raise MappingError(
                f"{text!r} is not a known value for {field} "
                "(add it to value_maps in the source configuration)"
            )
        return code


DEFAULT_LICENSE_OPTION = "ckanext.khtourism.harvest.default_license"


def source_license(config: dict[str, Any]) -> tuple[str, str]:
    """(licence id or URI, "source" or "default"): the licence a source's records get when
    they carry none — the source's declared ``license_id``, else the portal's default."""
    declared = config.get("license_id")
    if declared:
        return str(declared), "source"
    try:
        import ckan.plugins.toolkit as tk

        default = tk.config.get(DEFAULT_LICENSE_OPTION)
    except (ImportError, RuntimeError):  # CKAN not configured (plain parsing)
        default = None
    return str(default or "cc-by-4.0"), "default"


def normalise_identifier(field: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", " ", str(value)).strip()
    if field in ("enterprise_code", "tax_code"):
        text = text.replace(" ", "").replace(".", "")
        if isinstance(value, int) and len(text) == 9:
            text = text.zfill(10)  # a spreadsheet stored the code as a number: leading 0 lost
    elif field == "card_number":
        text = text.replace(" ", "")
    elif field in ("licence_number", "register_number", "household_business_number"):
        text = text.upper()
    elif field == "establishment_id":
        text = text.upper().replace(" ", "")
    return text


def parse_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise MappingError("is not a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise MappingError("is not a whole number")
    text = str(raw).strip().replace("\u00a0", " ")
    text = re.sub(r"\s*(vnđ|vnd|đ|d|đồng|phòng|giường|năm)$", "", text, flags=re.IGNORECASE)
    if re.fullmatch(r"-?\d{1,3}([.,\s]\d{3})+", text):
        text = re.sub(r"[.,\s]", "", text)  # 1.200.000 (Vietnamese) or 1,200,000
    if not re.fullmatch(r"-?\d+", text):
        raise MappingError("is not a whole number")
    return int(text)


def parse_number(raw: Any) -> float:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    text = str(raw).strip()
    if re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")  # decimal comma
    try:
        return float(text)
    except ValueError:
        raise MappingError("is not a number") from None


def parse_date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    if re.fullmatch(r"\d{12,13}", text):  # ArcGIS dates: milliseconds since the epoch
        return dt.datetime.fromtimestamp(int(text) / 1000, tz=dt.timezone.utc).date().isoformat()
    raise MappingError("is not a date (expected dd/mm/yyyy or yyyy-mm-dd)")
