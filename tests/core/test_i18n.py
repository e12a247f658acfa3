"""The portal's strings go through CKAN's i18n: our gettext catalogue (domain
``ckanext-khtourism``, msgid = English) is installed compiled and merged by CKAN, so a page
is Vietnamese at ``/`` (the default locale) and English under ``/en/``."""

from __future__ import annotations

import pathlib

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, default_directory_filter, extract_from_dir
from babel.messages.frontend import parse_mapping
from babel.support import Translations

import ckan.lib.i18n as ckan_i18n

from ckanext.khtourism.core import i18n

REPO = pathlib.Path(__file__).resolve().parents[2]
# as `make i18n`: not the virtualenv, nor the local stack's data or build folders
IGNORED_DIRECTORIES = {"var", "build", "bench", "tests"}


def test_the_installed_package_carries_the_compiled_vietnamese_catalogue():
    mo = pathlib.Path(i18n.I18N_DIRECTORY, "vi", "LC_MESSAGES", f"{i18n.DOMAIN}.mo")
    assert mo.is_file()
    assert i18n.gettext("My records", "vi") == "Bản ghi của tôi"
    assert i18n.gettext("My records", "en") == "My records"
    assert "vi" in i18n.Translation().i18n_locales()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_header_is_vietnamese_at_the_root_and_english_under_en(app, world):
    curator = world.people["curator"].headers
    vietnamese = app.get("/", headers=curator).body
    assert "Bản ghi của tôi" in vietnamese and "My records" not in vietnamese
    english = app.get("/en/", headers=curator).body
    assert "My records" in english and "Bản ghi của tôi" not in english


def _extracted_msgids() -> dict[str | tuple[str, str], str]:
    """Every msgid (a pair for plural forms) of our Python code and templates, as
    ``make i18n`` extracts them."""
    with open(REPO / "babel.cfg", encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping(mapping)
    keywords = dict(DEFAULT_KEYWORDS, N_=None)
    found: dict[str | tuple[str, str], str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(REPO),
        method_map,
        options_map,
        keywords=keywords,
        directory_filter=lambda path: (
            default_directory_filter(path) and pathlib.Path(path).name not in IGNORED_DIRECTORIES
        ),
    ):
        if isinstance(message, tuple):
            message = (message[0], message[1])
        if message and all(message):
            found.setdefault(message, filename)
    return found


def _translated(catalogue: Translations, msgid: str | tuple[str, str]) -> bool:
    if isinstance(msgid, tuple):
        return catalogue.ngettext(*msgid, 1) != msgid[0]
    return catalogue.gettext(msgid) != msgid


def test_every_string_of_our_code_and_templates_has_a_vietnamese_translation():
    ours = i18n.translations("vi")
    ckan_core = Translations.load(ckan_i18n.get_ckan_i18n_dir(), ["vi"], "ckan")
    msgids = _extracted_msgids()
    assert "My records" in msgids  # the extraction sees the templates
    assert ("{number} {name} found", "{number} {names} found") in msgids  # and plural forms
    untranslated = {
        msgid: filename
        for msgid, filename in msgids.items()
        if not _translated(ours, msgid) and not _translated(ckan_core, msgid)
    }
    assert not untranslated, (
        f"add these to theme/i18n/vi/LC_MESSAGES/ckanext-khtourism.po (make i18n): {untranslated}"
    )
