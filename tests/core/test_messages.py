"""``core.messages``: the portal's messages are English msgids translated by the gettext
catalogue — in the request's language, or in a language asked for (API, CLI, job reports)."""

from __future__ import annotations

import string

from babel.messages.pofile import read_po

from ckanext.khtourism.core import i18n, messages


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_an_explicit_language_is_honoured_whatever_the_request():
    assert messages.text("required", "vi") == "bắt buộc phải nhập"
    assert messages.text("required", "en") == "is required"
    assert messages.text("bad_date", "vi", value="2025-13-01") == (
        "ngày không hợp lệ “2025-13-01” (định dạng YYYY-MM-DD)"
    )
    assert messages.text("bad_date", "en", value="2025-13-01") == (
        "invalid date “2025-13-01” (format YYYY-MM-DD)"
    )


def test_outside_a_request_the_default_language_applies(ckan_config):
    assert ckan_config["ckan.locale_default"] == "vi"
    assert messages.text("not_a_list") == "phải là một danh sách mã"


def test_field_errors_name_the_field_in_the_language():
    field = {"field_name": "star_rating", "label": {"vi": "Hạng sao", "en": "Star rating"}}
    assert messages.field_error(field, "future_date", "vi") == (
        "Hạng sao: không được là ngày trong tương lai"
    )
    assert (
        messages.field_error(field, "future_date", "en") == "Star rating: must not be in the future"
    )


def test_a_stored_message_carries_both_languages():
    assert messages.bilingual("errors_not_stored", count=7, cap=3).startswith(
        "7 lỗi khác không được lưu (mỗi lần thu thập chỉ lưu tối đa 3 thông báo lỗi"
    )
    assert " / 7 more errors not stored (at most 3 error messages" in messages.bilingual(
        "errors_not_stored", count=7, cap=3
    )


def test_a_placeholder_may_have_any_name():
    report = messages.bilingual("repeated_key", ref="row 5", value="'LT-1'", other="row 3")
    assert report == (
        "row 5: mã định danh 'LT-1' trùng với row 3; bỏ qua bản ghi này"
        " / row 5: identifier 'LT-1' repeats row 3; record skipped"
    )


def test_every_message_has_a_vietnamese_translation_with_the_same_placeholders():
    for key, msgid in messages.MESSAGES.items():
        vietnamese = i18n.gettext(msgid, "vi")
        assert vietnamese != msgid, key
        assert _placeholders(vietnamese) == _placeholders(msgid), key


def test_the_catalogue_keeps_every_placeholder_of_every_msgid():
    """A translation that drops or renames a ``{placeholder}`` or ``%(name)s`` would break
    ``str.format`` or the template at run time."""
    with open(f"{i18n.I18N_DIRECTORY}/vi/LC_MESSAGES/{i18n.DOMAIN}.po", "rb") as po:
        catalog = read_po(po)
    for message in catalog:
        if not message.id or not message.string or not isinstance(message.id, str):
            continue
        assert _placeholders(message.string) == _placeholders(message.id), message.id
        for marker in ("%s", "%(", "%d"):
            assert message.string.count(marker) == message.id.count(marker), message.id
