"""The portal's licence list: CKAN's default licences plus CC-BY 4.0 and CC-BY-SA 4.0.

Records default to ``cc-by-4.0`` (docs/record-types.md), which CKAN's built-in
list lacks: a form would then silently select another licence. Unless
``licenses_group_url`` is configured, the list shipped in
``vocabularies/licenses.json`` (same ids as CKAN's defaults, bilingual titles)
is used.
"""

from __future__ import annotations

from importlib import resources
from typing import Any


def licences_file() -> str:
    return str(resources.files("ckanext.khtourism.records") / "vocabularies" / "licenses.json")


def configure(config: Any) -> None:
    if not config.get("licenses_group_url"):
        config["licenses_group_url"] = f"file://{licences_file()}"


def default_license() -> str:
    """The licence a new record starts with (``ckanext.khtourism.default_license``)."""
    import ckan.plugins.toolkit as tk

    return tk.config.get("ckanext.khtourism.default_license") or "cc-by-4.0"


def short_title(title: str, lang: str) -> str:
    """A licence's title in a facet list (too narrow for the bilingual title, which CKAN cut
    to "CC-BY 4.0 —..."): the short name before " — " ("CC-BY 4.0"), else the page
    language's half of "Vietnamese / English" ("Khác (mở)" / "Other (Open)")."""
    if " — " in title:
        return title.split(" — ", 1)[0]
    if " / " in title:
        vietnamese, english = title.split(" / ", 1)
        return english if lang == "en" else vietnamese
    return title
