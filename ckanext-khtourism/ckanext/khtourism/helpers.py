"""Template helpers."""

from __future__ import annotations

import ckan.plugins.toolkit as tk

# records: helpers of the four record types and their workflow
from ckanext.khtourism.records import helpers as _records_helpers
from ckanext.khtourism.records.helpers import *  # noqa: F403

__all__ = [
    "khtourism_publisher_name",
    "khtourism_job_match_decisions",
    *_records_helpers.__all__,
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
