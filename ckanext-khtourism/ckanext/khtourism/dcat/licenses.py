"""Licence ids <-> licence URIs for DCAT.

CKAN's own register points at opendefinition.org pages; DCAT consumers expect
the licence's canonical URI, so the licences the portal uses are mapped here
(CC-BY 4.0 is the default data licence of every record type).
"""

from __future__ import annotations

from ckan import model

CANONICAL_URIS = {
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc-zero": "https://creativecommons.org/publicdomain/zero/1.0/",
    "odc-by": "https://opendatacommons.org/licenses/by/1-0/",
    "odc-odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "odc-pddl": "https://opendatacommons.org/licenses/pddl/1-0/",
}


# The id a URI maps back to.
def _key(uri: str) -> str:
    """A licence URI without its scheme and trailing slash (http and https name the same)."""
    return uri.strip().split("://", 1)[-1].rstrip("/")


_IDS_BY_URI: dict[str, str] = {}
for _id, _uri in CANONICAL_URIS.items():
    _IDS_BY_URI.setdefault(_key(_uri), _id)


def _register() -> dict:
    return dict(model.Package.get_license_register().items())


def _is_uri(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def license_uri(license_id: str) -> str | None:
    """The licence's URI; a licence CKAN does not know is kept as its URI (its id)."""
    if not license_id:
        return None
    if license_id in CANONICAL_URIS:
        return CANONICAL_URIS[license_id]
    if _is_uri(license_id):
        return license_id
    license_ = _register().get(license_id)
    url = getattr(license_, "url", None) if license_ else None
    return url or None


def license_id(uri: str) -> str | None:
    """The licence id a URI stands for (each id has exactly one URI); a licence CKAN does
    not know keeps its URI as its id (never replaced by the portal's default licence)."""
    if _key(uri) in _IDS_BY_URI:
        return _IDS_BY_URI[_key(uri)]
    for id_, license_ in _register().items():
        if getattr(license_, "url", None) and _key(license_.url) == _key(uri):
            return id_
    return uri if _is_uri(uri) else None
