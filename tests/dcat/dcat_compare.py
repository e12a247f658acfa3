"""The public fields of a record in a comparable form (RDF has no order)."""

from __future__ import annotations

import json

from ckanext.khtourism.dcat import fields as F


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def public_view(record_type: str, record: dict) -> dict:
    out = {"type": record.get("type")}
    for field, kind in F.public_fields(record_type).items():
        if field in NOT_ROUND_TRIPPED:
            continue
        value = record.get(field)
        if F.is_empty(value):
            continue
        if kind == F.MULTI:
            out[field] = sorted(str(v) for v in value)
        elif kind == F.GEOJSON:
            out[field] = _json(value)
        else:
            out[field] = str(value)
    for field in ("name", "title", "title_en", "notes", "notes_en", "license_id"):
        if record.get(field):
            out[field] = record[field]
    if record.get("spatial"):
        out["spatial"] = _json(record["spatial"])
    out["tags"] = sorted(t["name"] for t in record.get("tags", []))
    out["resources"] = sorted(
        (r.get("name"), r.get("url") or r.get("access_url"), (r.get("format") or "").upper())
        for r in record.get("resources", [])
    )
    return out


# What by design does not come back equal from a harvest, and why. Everything
# else of ``package_show`` must (top level and per resource).
NOT_ROUND_TRIPPED = {
    "id": "a harvested record is a new dataset of the harvesting portal (its "
    "source URI is kept in the harvest extra `guid`)",
    "owner_org": "organization ids differ between portals: the publisher is matched "
    "by name (compared instead, see `organization`)",
    "organization": "the harvesting portal's own organization of the same name "
    "(its title, description and image are that portal's)",
    "creator_user_id": "the harvesting portal's harvest user",
    "metadata_created": "set by CKAN when the record is created on the harvesting "
    "side (the source's date is published as dct:issued)",
    "metadata_modified": "set by CKAN on every write (the source's date is "
    "published as dct:modified)",
    "private": "harvested records enter the curation workflow as drafts, and "
    "drafts are private (records room's rule: harvests never bypass curation)",
    "workflow_state": "same: `draft` on the harvesting side",
    "workflow_reason": "same: the curation state's reason is not published",
    "establishment_id": "minted by each portal (records/identity.py): the harvesting "
    "portal gives the record its own identifier; the source's is published as "
    "dct:identifier and matches nothing there",
}
RESOURCE_NOT_ROUND_TRIPPED = {
    "id": "new resources on the harvesting side (the source's URI is kept as `uri`)",
    "package_id": "the harvested dataset's id",
    "created": "set by CKAN on the harvesting side (the source's date is dct:issued)",
    "metadata_modified": "same (the source's date is dct:modified)",
}
# Keys the harvester adds: provenance, not a change of what the source published.
# `uri`: the record's URI at its source, kept so that the harvester recognises it again
HARVEST_EXTRAS = {"guid", "uri", "harvest_object_id", "harvest_source_id", "harvest_source_title"}


def comparable(record: dict) -> dict:
    """Every key of a record as ``package_show`` gives it, minus NOT_ROUND_TRIPPED.

    Tags compare by name (tag ids are per portal), the organization by name.
    """
    out = {
        k: v
        for k, v in record.items()
        if k not in NOT_ROUND_TRIPPED and k not in ("tags", "resources", "extras")
    }
    out["organization"] = (record.get("organization") or {}).get("name")
    out["tags"] = sorted(t["name"] for t in record.get("tags", []))
    out["resources"] = [
        {k: v for k, v in resource.items() if k not in RESOURCE_NOT_ROUND_TRIPPED}
        for resource in sorted(record.get("resources", []), key=lambda r: r.get("position", 0))
    ]
    out["extras"] = sorted(
        (e["key"], e["value"]) for e in record.get("extras", []) if e["key"] not in HARVEST_EXTRAS
    )
    return out


def restricted_to(harvested: dict, source: dict) -> dict:
    """``harvested`` with only the keys ``source`` has (top level and per
    resource): what ckanext-dcat adds from DCAT (a resource's `uri`,
    `access_url`, dates, licence) is more, not a change."""
    out = {k: v for k, v in harvested.items() if k in source or k == "extras"}
    source_resources = source.get("resources", [])
    out["resources"] = [
        {k: v for k, v in resource.items() if k in original}
        for resource, original in zip(
            harvested.get("resources", []), source_resources, strict=False
        )
    ] + harvested.get("resources", [])[len(source_resources) :]
    return out
