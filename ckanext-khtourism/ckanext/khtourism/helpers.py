"""Template helpers."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

# maps: settings and GeoJSON of the portal's maps
from ckanext.khtourism.maps import helpers as _maps_helpers
from ckanext.khtourism.maps.helpers import *  # noqa: F403

# portal: home page, menu, record display
from ckanext.khtourism.portal import helpers as _portal_helpers
from ckanext.khtourism.portal.helpers import *  # noqa: F403

# records: helpers of the record types
from ckanext.khtourism.records import helpers as _records_helpers
from ckanext.khtourism.records.helpers import *  # noqa: F403

# workflow: helpers of submission and curation
from ckanext.khtourism.workflow import helpers as _workflow_helpers
from ckanext.khtourism.workflow.helpers import *  # noqa: F403

__all__ = [
    "khtourism_publisher_name",
    "khtourism_job_match_decisions",
    "khtourism_harvest_source_license",
    *_records_helpers.__all__,
    *_workflow_helpers.__all__,
    *_portal_helpers.__all__,
    *_maps_helpers.__all__,
]


def khtourism_publisher_name(lang: str | None = None) -> str:
    """The publishing authority's name in Vietnamese, or English when ``lang`` is ``en``."""
    if (lang or tk.h.lang()) == "en":
        return tk.config.get("ckanext.khtourism.publisher_name_en")
    return tk.config.get("ckanext.khtourism.publisher_name")


def khtourism_job_match_decisions(job_id: str, limit: int = 500) -> list[dict[str, str]]:
    """The match decision of each imported object of a harvest job, for its report:
    [{guid, status, decision, name}] ("matched by … to …", "new record …")."""
    import ckan.model as model

    from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

    rows = (
        model.Session.query(
            HarvestObject.guid,
            HarvestObject.report_status,
            HarvestObjectExtra.value,
            model.Package.name,
        )
        .join(HarvestObjectExtra, HarvestObjectExtra.harvest_object_id == HarvestObject.id)
        .outerjoin(model.Package, model.Package.id == HarvestObject.package_id)
        .filter(HarvestObject.harvest_job_id == job_id, HarvestObjectExtra.key == "match")
        .order_by(HarvestObject.gathered)
        .limit(limit)
    )
    return [
        {"guid": guid, "status": status or "", "decision": decision, "name": name or ""}
        for guid, status, decision, name in rows
    ]


def khtourism_harvest_source_license(harvest_source: dict) -> dict[str, str]:
    """The licence a harvest source's records get when they carry none of their own:
    ``{"id", "title", "url", "origin"}`` (origin ``source``: its configuration declares
    it; ``default``: the portal's ``ckanext.khtourism.harvest.default_license``)."""
    import json

    from ckan import model

    from ckanext.khtourism.harvesters.mapping import source_license

    try:
        config = json.loads(harvest_source.get("config") or "{}")
    except ValueError:
        config = {}
    license_id, origin = source_license(config if isinstance(config, dict) else {})
    known = dict(model.Package.get_license_register().items()).get(license_id)
    return {
        "id": license_id,
        "title": getattr(known, "title", None) or license_id,
        "url": getattr(known, "url", None) or (license_id if "://" in license_id else ""),
        "origin": origin,
    }
