"""Bilingual messages (Vietnamese first, English second).

Validation errors name the field with its label in the user's language:
``"Hạng sao: …"`` on the Vietnamese site (the default locale) and
``"Star rating: …"`` on ``/en/…`` pages and API calls. The portal ships no
compiled gettext catalogue for its own strings; pairs are kept here, next to
each other, so that a translator sees both.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "required": ("bắt buộc phải nhập", "is required"),
    "stale_edit": (
        "bản ghi đã được sửa lúc {current}, sau lần bạn đọc nó ({read}); tải lại bản ghi rồi sửa lại "
        "để không ghi đè thay đổi của người khác",
        "the record was changed at {current}, after you read it ({read}); reload it and edit "
        "again so as not to overwrite someone else's change",
    ),
    "harvest_source_inactive": (
        "nguồn thu thập “{source}” đã bị xóa hoặc ngừng hoạt động; không thể tạo công việc thu thập",
        "harvest source “{source}” is deleted or inactive; no harvest job can be created for it",
    ),
    "harvest_job_exists": (
        "nguồn thu thập “{source}” đã có một công việc đang chờ hoặc đang chạy",
        "harvest source “{source}” already has a job waiting or running",
    ),
    "unknown_choice": (
        "giá trị không hợp lệ “{value}”; chọn một trong: {choices}",
        "unknown value “{value}”; choose one of: {choices}",
    ),
    "not_a_list": ("phải là một danh sách mã", "must be a list of codes"),
    "unknown_admin_unit": (
        "“{value}” không phải mã đơn vị hành chính cấp xã của tỉnh Khánh Hòa (5 chữ số, danh mục 2025)",
        "“{value}” is not a commune-level unit code of Khánh Hòa (5 digits, 2025 list)",
    ),
    "unknown_former_district": (
        "“{value}” không phải mã huyện cũ của Khánh Hòa hoặc Ninh Thuận (568–576, 582, 584–589)",
        "“{value}” is not a former district code of Khánh Hòa or Ninh Thuận (568–576, 582, 584–589)",
    ),
    "bad_date": (
        "ngày không hợp lệ “{value}” (định dạng YYYY-MM-DD)",
        "invalid date “{value}” (format YYYY-MM-DD)",
    ),
    "future_date": ("không được là ngày trong tương lai", "must not be in the future"),
    "bad_time": (
        "giờ không hợp lệ “{value}” (định dạng HH:MM)",
        "invalid time “{value}” (format HH:MM)",
    ),
    "bad_integer": (
        "phải là số nguyên, nhận được “{value}”",
        "must be a whole number, got “{value}”",
    ),
    "out_of_range": (
        "phải nằm trong khoảng {min}–{max}, nhận được {value}",
        "must be between {min} and {max}, got {value}",
    ),
    "enterprise_code": (
        "mã số doanh nghiệp phải gồm 10 chữ số (chi nhánh: 10 chữ số, dấu gạch ngang, 3 chữ số), nhận được “{value}”",
        "enterprise code must be 10 digits (branches: 10 digits, a hyphen, 3 digits), got “{value}”",
    ),
    "household_business_number": (
        "số giấy chứng nhận đăng ký hộ kinh doanh chỉ gồm chữ, số và . - / (5–30 ký tự), nhận được “{value}”",
        "household-business registration number: letters, digits and . - / only (5–30 characters), got “{value}”",
    ),
    "register_number": (
        "số đăng ký / số quyết định chỉ gồm chữ, số và . - / (tối đa 40 ký tự), nhận được “{value}”",
        "register / decision number: letters, digits and . - / only (at most 40 characters), got “{value}”",
    ),
    "tax_code": (
        "mã số thuế phải gồm 10 chữ số (đơn vị phụ thuộc: 13 chữ số), nhận được “{value}”",
        "tax code must be 10 digits (dependent units: 13 digits), got “{value}”",
    ),
    "card_number": (
        "số thẻ hướng dẫn viên phải gồm đúng 9 chữ số, nhận được “{value}”",
        "the guide card number must be exactly 9 digits, got “{value}”",
    ),
    "licence_number": (
        "số giấy phép không đúng dạng “NN-số/NĂM/CƠ QUAN-GP LHQT|LHNĐ”, nhận được “{value}”",
        "licence number does not look like “NN-seq/YYYY/ISSUER-GP LHQT|LHNĐ”, got “{value}”",
    ),
    "stars_not_allowed": (
        "loại cơ sở “{type}” không được xếp hạng sao; chỉ khách sạn, biệt thự du lịch, căn hộ du lịch và tàu thủy lưu trú du lịch được xếp hạng 1–5 sao",
        "an establishment of type “{type}” cannot have a star rating; only hotels, tourist villas, tourist apartments and cruise ships are rated 1–5 stars",
    ),
    "hotel_subtype_only_hotels": ("chỉ áp dụng cho khách sạn", "only applies to hotels"),
    "expiry_before_issue": (
        "ngày hết hạn ({expiry}) phải sau ngày cấp ({issue})",
        "the expiry date ({expiry}) must be after the issue date ({issue})",
    ),
    "max_below_min": (
        "giá cao nhất ({max}) thấp hơn giá thấp nhất ({min})",
        "the maximum price ({max}) is below the minimum price ({min})",
    ),
    "beds_below_rooms": (
        "số giường ({beds}) ít hơn số phòng ({rooms})",
        "the number of beds ({beds}) is less than the number of rooms ({rooms})",
    ),
    "guests_below_beds": (
        "số khách tối đa ({guests}) nhỏ hơn 1 hoặc quá lớn so với số giường ({beds})",
        "the maximum number of guests ({guests}) is below 1 or absurd for {beds} beds",
    ),
    "bad_geojson": ("GeoJSON không hợp lệ: {detail}", "malformed GeoJSON: {detail}"),
    "geometry_type": (
        "phải là hình học kiểu {expected}, nhận được {value}",
        "must be a {expected} geometry, got {value}",
    ),
    "outside_province": (
        "tọa độ ({lon}, {lat}) nằm ngoài phạm vi tỉnh Khánh Hòa (kể cả đặc khu Trường Sa)",
        "the coordinates ({lon}, {lat}) lie outside Khánh Hòa province (including the Trường Sa special zone)",
    ),
    "invalid_polygon": (
        "vùng không hợp lệ (tự cắt hoặc không khép kín): {detail}",
        "invalid area (self-intersecting or not closed): {detail}",
    ),
    "bad_province": (
        "mã tỉnh phải gồm 2 chữ số (01–96), nhận được “{value}”",
        "the province code must be 2 digits (01–96), got “{value}”",
    ),
    "unknown_tour_operator": (
        "không tìm thấy doanh nghiệp lữ hành “{value}” (nhập tên hoặc mã bản ghi doanh nghiệp lữ hành)",
        "no tour operator “{value}” (give the name or id of a tour-operator record)",
    ),
    "bad_email": ("địa chỉ e-mail không hợp lệ “{value}”", "invalid e-mail address “{value}”"),
    "bad_url": (
        "địa chỉ web phải bắt đầu bằng http:// hoặc https://, nhận được “{value}”",
        "the web address must start with http:// or https://, got “{value}”",
    ),
    "bad_phone": (
        "số điện thoại không hợp lệ “{value}” (chữ số, dấu cách, +, -, ., ( ))",
        "invalid phone number “{value}” (digits, spaces, +, -, ., ( ))",
    ),
    "bad_language": (
        "“{value}” không phải mã ngôn ngữ ISO 639-1 (2 chữ cái)",
        "“{value}” is not an ISO 639-1 language code (2 letters)",
    ),
    "workflow_field_locked": (
        "chỉ cán bộ thẩm định của Sở mới được thay đổi trạng thái; hãy dùng các thao tác gửi duyệt / duyệt / từ chối",
        "only the Department's curators may change the state; use the submit / approve / reject actions",
    ),
    "bad_transition": (
        "không thể chuyển từ trạng thái “{current}” bằng thao tác “{action}”",
        "cannot {action} a record in state “{current}”",
    ),
    "state_locked": (
        "Trạng thái (state): bản ghi đã công bố chỉ được gỡ hoặc xóa bởi cán bộ thẩm định của Sở",
        "State (state): a published record is withdrawn or deleted only by the Department's curators",
    ),
    "no_personal_data": (
        "bản ghi này không có dữ liệu cá nhân (chỉ hướng dẫn viên du lịch)",
        "this record holds no personal data (tour guides only)",
    ),
    "reason_required": ("phải ghi rõ lý do từ chối", "a reason for the rejection is required"),
    "no_pending_revision": (
        "bản ghi không có chỉnh sửa nào đang chờ duyệt",
        "the record has no pending revision",
    ),
    # security: field-size limits (security/field_limits.py)
    "too_long": (
        "quá dài: {length} ký tự, tối đa {max}",
        "too long: {length} characters, at most {max}",
    ),
    "too_many": ("quá nhiều: {count} mục, tối đa {max}", "too many: {count} items, at most {max}"),
    "too_many_tokens": (
        "người dùng đã có {count} mã truy cập API, tối đa {max}; hãy thu hồi mã cũ trước",
        "the user already holds {count} API tokens, at most {max}; revoke an old one first",
    ),
    "nul_character": (
        "chứa ký tự NUL (mã 0), không được phép",
        "contains a NUL character (code 0), which is not allowed",
    ),
    # harvesting: what a business's harvest source may do (harvesters/access.py)
    "harvest_business_publish": (
        "Cấu hình (config) › publish: nguồn thu thập của doanh nghiệp luôn ở chế độ “review” (bản ghi chờ Sở duyệt); không được dùng “direct”",
        "Configuration (config) › publish: a business's harvest source is always in “review” mode (records wait for the Department's review); “direct” is not allowed",
    ),
    "harvest_business_record_type": (
        "Cấu hình (config) › record_type: doanh nghiệp chỉ được thu thập loại bản ghi mình được tạo ({choices}), nhận được “{value}”",
        "Configuration (config) › record_type: a business may only harvest the record types it may create ({choices}), got “{value}”",
    ),
    "harvest_business_source_type": (
        "Loại nguồn (source_type): doanh nghiệp chỉ được dùng các bộ thu thập bản ghi du lịch ({choices}), nhận được “{value}”",
        "Source type (source_type): a business may only use the tourism record harvesters ({choices}), got “{value}”",
    ),
    "harvest_other_organization": (
        "trùng với một bản ghi của tổ chức khác theo {identifier}; không nhập, không ghi gì: nguồn chỉ được cập nhật bản ghi của tổ chức sở hữu nguồn",
        "matches a record of another organization by {identifier}; not imported, nothing written: a source only updates records of its own organization",
    ),
    "harvest_record_moved": (
        "bản ghi đã nhập trước đây nay thuộc tổ chức khác; không cập nhật, không ghi gì",
        "the record imported earlier now belongs to another organization; not updated, nothing written",
    ),
    "harvest_business_gather": (
        "nguồn của doanh nghiệp không được nhập loại bản ghi “{value}” (chỉ: {choices}); không nhập, không gỡ bản ghi nào",
        "a business's source may not import “{value}” records (only: {choices}); nothing imported or withdrawn",
    ),
    "not_a_record": (
        "“{value}” không phải bản ghi du lịch (cơ sở lưu trú, lữ hành, hướng dẫn viên, di tích)",
        "“{value}” is not a tourism record (accommodation, tour operator, tour guide, heritage site)",
    ),
    # identity and matching (issue 13): the harvest decision log (harvesters/records.py
    # match_existing, harvesters/base.py), job reports and the curators' duplicates tools
    "match_portal_id": (
        "khớp theo mã định danh của cổng {id} với {label}",
        "matched by portal identifier {id} to {label}",
    ),
    "match_portal_id_unknown": (
        "mã định danh {id} không thuộc bản ghi nào của cổng này; ",
        "portal identifier {id} is not one of this portal's records; ",
    ),
    "match_source_key": (
        "khớp theo khóa nguồn {source_key} với {name}",
        "matched by source key {source_key} to {name}",
    ),
    "match_identifiers": (
        "{note}khớp theo {by}{how} với {label}",
        "{note}matched by {by}{how} to {label}",
    ),
    "match_same_address": ("cùng địa chỉ", "the same address"),
    "match_point_near": ("vị trí cách {metres} m", "a point {metres} m away"),
    "match_ambiguous": (
        "{note}bản ghi mới, để riêng: nhiều bản ghi hiện có cùng mã và vị trí: {records} — "
        "chờ cán bộ của Sở xem xét trùng lặp",
        "{note}new record kept apart: several existing records have {records} — duplicate "
        "candidates for the curators",
    ),
    "match_name_nearby": (
        "{note}bản ghi mới; có thể trùng với {records}",
        "{note}new record; duplicate candidate of {records}",
    ),
    "match_same_name_near": ("cùng tên, cách {metres} m", "same name, {metres} m away"),
    "match_same_name_address": ("cùng tên và địa chỉ", "same name and address"),
    "match_shares": ("{label} có cùng {by}", "{label} shares {by}"),
    "match_same_business": (
        "{note}bản ghi mới: {records} nhưng khác địa chỉ và vị trí (một cơ sở khác của cùng "
        "doanh nghiệp)",
        "{note}new record: {records} but not the address or the point (another establishment "
        "of the same business)",
    ),
    "match_new": (
        "{note}bản ghi mới (không có bản ghi nào cùng mã định danh của cổng, khóa nguồn, hoặc "
        "mã chính thức tại cùng vị trí)",
        "{note}new record (no record with its portal identifier, source key, or an official "
        "identifier at the same place)",
    ),
    "match_new_batch": (
        "bản ghi mới (không có bản ghi nào cùng mã định danh của cổng, khóa nguồn, mã chính "
        "thức hoặc tên tại cùng vị trí)",
        "new record (no record with its portal identifier, source key, or an official "
        "identifier or name at the same place)",
    ),
    "match_new_plain": ("bản ghi mới", "new record"),
    "match_kept_apart_same_source": (
        "bản ghi mới, để riêng: lẽ ra khớp với {label} theo {by}, nhưng nguồn này đã giữ bản "
        "ghi đó theo khóa {holder} — có thể trùng lặp",
        "new record kept apart: would match {label} by {by}, which this source already holds "
        "under key {holder} — duplicate candidate",
    ),
    "harvest_no_identifier": (
        "{ref}: không có mã định danh trong {looked_at}; bỏ qua bản ghi{problem}",
        "{ref}: no identifier in {looked_at}; record skipped{problem}",
    ),
    "harvest_key_repeats": (
        "{ref}: {what} {source_key} trùng với {first}; bỏ qua bản ghi này",
        "{ref}: {what} {source_key} repeats {first}; record skipped",
    ),
    "harvest_key_identifier": ("mã định danh", "identifier"),
    "harvest_key_name_address": ("tên và địa chỉ", "name and address"),
    "harvest_conflicting_values": (
        "khớp với bản ghi hiện có {name} (từ nguồn {source}) theo {by}; các giá trị khác nhau "
        "được giữ nguyên: {described}",
        "matched existing record {name} (from source {source}) by {by}; conflicting values "
        "kept as they are: {described}",
    ),
    "harvest_stage_failed": ("{stage} thất bại: {detail}", "{stage} failed: {detail}"),
    "harvest_stage_gather": ("thu thập danh sách", "gather"),
    "harvest_stage_fetch": ("tải", "fetch"),
    "harvest_stage_import": ("nhập", "import"),
    "harvest_not_withdrawn_incomplete": (
        "{count} bản ghi không còn trong nguồn nhưng KHÔNG bị gỡ vì danh sách chưa đầy đủ "
        "(xem các lỗi ở trên)",
        "{count} record(s) missing from the source were NOT withdrawn because the listing was "
        "incomplete (see the errors above)",
    ),
    "harvest_not_withdrawn_empty": (
        'nguồn không trả về bản ghi nào: không gỡ bản ghi nào (đặt "allow_empty": true để gỡ '
        "mọi bản ghi khi nguồn thực sự trống)",
        'the source returned no records: nothing withdrawn (set "allow_empty": true to withdraw '
        "every record when a source is really empty)",
    ),
    "harvest_run_test_consumers": (
        "{count} tiến trình thu thập (consumer) đang chạy (ví dụ `make run`): run-test sẽ nhập "
        "công việc lần thứ hai. Hãy dừng chúng, hoặc để chúng chạy công việc: `ckan harvester "
        "job-create SOURCE` (hoặc trang của nguồn).",
        "{count} harvest consumer(s) are running (e.g. `make run`): run-test would import the "
        "job a second time. Stop them, or let them run it: `ckan harvester job-create SOURCE` "
        "(or the source's page).",
    ),
    "merge_with_itself": (
        "không thể gộp một bản ghi với chính nó",
        "a record cannot be merged with itself",
    ),
    "merge_types_differ": (
        "không thể gộp hai bản ghi khác loại",
        "records of different types cannot be merged",
    ),
    "dcat_no_description": (
        "Danh mục nguồn không có mô tả (dct:description) cho bộ dữ liệu này.",
        "The source catalogue gives no description (dct:description) for this dataset.",
    ),
    "dcat_untitled": ("Bộ dữ liệu không có tên", "Untitled dataset"),
    "duplicates_merged": ("Đã gộp hai bản ghi.", "The records were merged."),
    "duplicates_not_duplicate": ("Đã ghi nhận: không trùng lặp.", "Recorded: not a duplicate."),
    # commune from the point (records/communes.py): harvest decision log, record page
    "commune_by_polygon": (
        "đơn vị hành chính {name} ({code}) xác định từ vị trí: điểm nằm trong ranh giới",
        "commune {name} ({code}) from the point: inside its boundary",
    ),
    "commune_by_nearest_centre": (
        "đơn vị hành chính {name} ({code}) ước tính từ vị trí: trung tâm xã/phường gần nhất, "
        "cách {km} km (cần kiểm tra)",
        "commune {name} ({code}) estimated from the point: the nearest commune centre, "
        "{km} km away (to be checked)",
    ),
    "commune_geometry_file": (
        "không đọc được tệp ranh giới xã/phường (ckanext.khtourism.admin_units.geometry_file): "
        "{detail}",
        "the commune boundary file (ckanext.khtourism.admin_units.geometry_file) cannot be "
        "used: {detail}",
    ),
    # outbound requests (outbound.py): a harvest source URL the portal must not contact
    "outbound_refused": (
        "cổng dữ liệu không truy cập địa chỉ này (chỉ http/https tới địa chỉ công khai, "
        "không tới mạng nội bộ): {detail}",
        "the portal does not contact this address (only http/https to public addresses, "
        "never internal networks): {detail}",
    ),
}


def current_language() -> str:
    """``vi`` or ``en``: the language of the current request, else the portal default."""
    try:
        lang = tk.h.lang()
    except (RuntimeError, AttributeError, TypeError, KeyError):
        lang = None
    if not lang:
        lang = tk.config.get("ckan.locale_default") or "vi"
    return "en" if str(lang).startswith("en") else "vi"


def text(key: str, lang: str | None = None, **values: Any) -> str:
    vi, en = MESSAGES[key]
    template = en if (lang or current_language()) == "en" else vi
    return template.format(**values)


def label_text(label: Any, lang: str | None = None) -> str:
    """A scheming label (plain text or ``{vi: …, en: …}``) in the user's language."""
    if isinstance(label, dict):
        lang = lang or current_language()
        return (
            label.get(lang) or label.get("vi") or label.get("en") or next(iter(label.values()), "")
        )
    return str(label or "")


def field_error(
    field: dict[str, Any] | None, key: str, lang: str | None = None, **values: Any
) -> str:
    """``"<field label>: <message>"`` in the user's language."""
    message = text(key, lang, **values)
    if not field:
        return message
    name = label_text(field.get("label"), lang) or field.get("field_name", "")
    return f"{name}: {message}"
