"""The portal's gettext catalogues and CKAN's ``ITranslation``.

Catalogues live in ``theme/i18n/<lang>/LC_MESSAGES/ckanext-khtourism.po`` (installed as
``ckanext.khtourism.theme``): msgid = English, the ``vi`` catalogue holds Vietnamese, the
portal's default language. The ``.mo`` files are compiled when the package is built
(``setup.py``); ``docs/architecture.md`` ("Translations") says how to add a string.

CKAN merges the catalogue of every ``ITranslation`` plugin after its own one, so a msgid
of CKAN core that is also in our catalogue takes our translation.
"""

from __future__ import annotations

import functools
import os

from babel import support

from ckan.lib.plugins import DefaultTranslation

import ckanext.khtourism.theme as theme_package

DOMAIN = "ckanext-khtourism"
I18N_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(theme_package.__file__)), "i18n")


class Translation(DefaultTranslation):
    """``ITranslation``: our catalogues, merged by CKAN into every request's translations."""

    def i18n_directory(self) -> str:
        return I18N_DIRECTORY

    def i18n_locales(self) -> list[str]:
        """Only real catalogues (``<lang>/LC_MESSAGES``), not ``incoming/`` or the template."""
        return sorted(
            name
            for name in os.listdir(I18N_DIRECTORY)
            if os.path.isdir(os.path.join(I18N_DIRECTORY, name, "LC_MESSAGES"))
        )

    def i18n_domain(self) -> str:
        return DOMAIN


@functools.cache
def translations(lang: str) -> support.NullTranslations:
    """Our catalogue for ``lang``, read once (English has none: the msgids are English)."""
    return support.Translations.load(I18N_DIRECTORY, [lang], DOMAIN)


def gettext(msgid: str, lang: str) -> str:
    """``msgid`` in ``lang``, whatever the language of the current request (API, CLI)."""
    return translations(lang).gettext(msgid)


def ensure_js_translations() -> bool:
    """Build the JavaScript modules' translations (``/api/i18n/<lang>``) when they are
    missing or older than our catalogue; True when built.

    CKAN builds them only in ``ckan run`` (and ``ckan translation js``): served by gunicorn
    (``deployment/wsgi.py``) or the test portal, ``/api/i18n/vi`` answered ``{}`` and CKAN's
    modules showed English on the Vietnamese site (the URL preview's "Edit" button of every
    record form). Called once when the application is made (``plugin.make_middleware``)."""
    from ckan.lib import i18n as ckan_i18n

    built = os.path.join(ckan_i18n.get_js_translations_dir(), "vi.js")
    catalogue = os.path.join(I18N_DIRECTORY, "vi", "LC_MESSAGES", f"{DOMAIN}.po")
    if os.path.exists(built) and os.path.getmtime(built) >= os.path.getmtime(catalogue):
        return False
    ckan_i18n.build_js_translations()
    return True
