"""Raw source rows kept in ``harvest_object.content``: no personal data, bounded retention.

gather stores each record's raw row (``SourceRecord.as_content``) on its harvest
object; import builds the record from it. Afterwards the row is only needed to
recognise an unchanged record at the next run, which a digest of the whole row
does as well. So:

* after import, the row of a record type with private fields (tour guides) keeps
  only the columns mapped to a *public* field (the identifier among them) and
  ``content_sha256``, the digest of the whole row as gathered
  (:func:`redact`); personal columns — and columns mapped to nothing, which a
  register may use for more personal data — are gone;
* :func:`same_content` compares a stored row (whole or redacted) with a new one,
  its position in the listing aside;
* purging a record deletes the raw rows of its harvest objects
  (:func:`purge_for_packages`), so does the erasure of a guide's personal data;
* :func:`apply_retention` (``ckan khtourism privacy purge-raw-rows``, run daily):
  rows older than ``ckanext.khtourism.harvest.raw_retention_days`` become a
  stub (reference, URL, digest) on current objects and are deleted on the
  others; rows of private-field types imported before redaction existed are
  redacted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.records import privacy

from .mapping import fold

log = logging.getLogger(__name__)

RETENTION_OPTION = "ckanext.khtourism.harvest.raw_retention_days"
DIGEST_KEY = "content_sha256"
# what a stub keeps of a row: enough for job reports (row reference, link to the source)
STUB_KEYS = ("ref", "url", "crs")


# Keys of a stored row that say where it stood in the listing, not what it says: a row
# that only moved (rows removed above it) is the same row.
POSITION_KEYS = ("ref",)


def digest(content: str) -> str:
    """The digest of a gathered row, its position in the listing aside."""
    decoded = _decoded(content)
    if decoded is not None:
        for key in POSITION_KEYS:
            decoded.pop(key, None)
        content = json.dumps(decoded, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _decoded(content: str | None) -> dict[str, Any] | None:
    if not content:
        return None
    try:
        value = json.loads(content)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def stored_digest(content: str | None) -> str | None:
    """The digest of the row as gathered: kept in a redacted row, computed for a whole one."""
    if not content:
        return None
    if DIGEST_KEY in content:
        decoded = _decoded(content)
        if decoded is not None and decoded.get(DIGEST_KEY):
            return str(decoded[DIGEST_KEY])
    return digest(content)


def same_content(stored: str | None, fresh: str | None) -> bool:
    """Is the row ``fresh`` (as gathered now) the one ``stored`` was made from?"""
    if stored is None or fresh is None:
        return False
    return stored == fresh or stored_digest(stored) == digest(fresh)


def is_redacted(content: str | None) -> bool:
    decoded = _decoded(content) if content and DIGEST_KEY in content else None
    return bool(decoded and decoded.get(DIGEST_KEY))


def public_columns(properties: dict[str, Any], mapping: Any) -> dict[str, Any]:
    """The columns of a row mapped to a public field of the mapping's record type."""
    private = set(privacy.private_fields(mapping.record_type))
    key = fold(mapping.key_field) if mapping.key_field else None
    kept = {}
    for header, value in properties.items():
        folded = fold(header)
        field = mapping.headers.get(folded)
        if (field and field not in private) or (key and folded == key):
            kept[header] = value
    return kept


def redact(content: str | None, mapping: Any) -> str | None:
    """The row without personal columns (record types with private fields), or ``content``."""
    if not content or not privacy.private_fields(mapping.record_type) or is_redacted(content):
        return content
    decoded = _decoded(content)
    if decoded is None:
        return json.dumps({DIGEST_KEY: digest(content)})
    decoded["properties"] = public_columns(decoded.get("properties") or {}, mapping)
    decoded[DIGEST_KEY] = digest(content)
    return json.dumps(decoded, ensure_ascii=False, sort_keys=True)


def stub(content: str | None) -> str | None:
    """What a row older than the retention keeps: its reference, URL and digest."""
    if not content:
        return content
    decoded = _decoded(content) or {}
    kept = {k: decoded[k] for k in STUB_KEYS if decoded.get(k) is not None}
    kept[DIGEST_KEY] = stored_digest(content)
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)


def purge_for_packages(package_ids: list[str]) -> int:
    """Delete the raw rows of every harvest object of these records (no commit)."""
    if not package_ids:
        return 0
    result = model.Session.execute(
        sa.text(
            "UPDATE harvest_object SET content = NULL "
            "WHERE package_id = ANY(:ids) AND content IS NOT NULL"
        ),
        {"ids": list(package_ids)},
    )
    return result.rowcount or 0


def retention_days() -> int:
    return max(0, tk.asint(tk.config.get(RETENTION_OPTION, 30)))


def _private_type_sources() -> dict[str, Any]:
    """Sources whose configuration names a record type with private fields: id -> mapping."""
    from .mapping import Mapping

    sources = {}
    for source_id, config in model.Session.execute(
        sa.text("SELECT id, config FROM harvest_source")
    ):
        raw = _decoded(config)
        if raw is None:
            continue
        try:
            mapping = Mapping.from_config(raw)
        except ValueError:
            continue
        if privacy.private_fields(mapping.record_type):
            sources[source_id] = mapping
    return sources


def apply_retention(days: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Redact rows of private-field types not redacted yet; stub or delete rows older than
    ``days``. Commits. Returns counts: ``redacted``, ``stubbed``, ``deleted``."""
    days = retention_days() if days is None else days
    now = now or dt.datetime.utcnow()
    cutoff = now - dt.timedelta(days=days)
    counts = {"redacted": 0, "stubbed": 0, "deleted": 0}
    private_sources = _private_type_sources()
    if private_sources:
        rows = model.Session.execute(
            sa.text(
                "SELECT id, harvest_source_id, content FROM harvest_object "
                "WHERE content IS NOT NULL AND harvest_source_id = ANY(:ids) "
                "AND state IN ('COMPLETE', 'ERROR')"
            ),
            {"ids": list(private_sources)},
        ).all()
        for object_id, source_id, content in rows:
            redacted = redact(content, private_sources[source_id])
            if redacted != content:
                _set_content(object_id, redacted)
                counts["redacted"] += 1
    old = model.Session.execute(
        sa.text(
            "SELECT id, current, content FROM harvest_object "
            "WHERE content IS NOT NULL AND gathered < :cutoff "
            "AND state IN ('COMPLETE', 'ERROR')"
        ),
        {"cutoff": cutoff},
    ).all()
    for object_id, current, content in old:
        if current:
            kept = stub(content)
            if kept != content:
                _set_content(object_id, kept)
                counts["stubbed"] += 1
        else:
            _set_content(object_id, None)
            counts["deleted"] += 1
    model.Session.commit()
    log.info("raw harvest rows: %s (retention %d days)", counts, days)
    return counts


def _set_content(object_id: str, content: str | None) -> None:
    model.Session.execute(
        sa.text("UPDATE harvest_object SET content = :content WHERE id = :id"),
        {"content": content, "id": object_id},
    )
