"""The public fields of a record in a comparable form (RDF has no order)."""
from __future__ import annotations

import json

from ckanext.khtourism.dcat import fields as F


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def public_view(record_type: str, record: dict) -> dict:
    out = {"type": record.get("type")}
    for field, kind in F.public_fields(record_type).items():
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
