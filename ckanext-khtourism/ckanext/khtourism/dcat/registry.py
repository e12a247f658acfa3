"""Registry datasets: one normal CKAN dataset per record type describing the
whole register, with CSV and GeoJSON distributions generated from the
published records (served by :mod:`.views` at ``/registry/<type>.csv|.geojson``)
and the tourism API as its ``dcat:DataService``.

The exports are built at request time from the search engine (public records
only, never private fields); the registry dataset's metadata (record count,
last change, resources) is refreshed by :func:`refresh_registry` — from the
CLI (``ckan khtourism registry refresh``), or by a background job queued when
a record of that type changes (:func:`on_action_succeeded`), or when records
written with deferred indexing are indexed (:func:`on_deferred_indexed`).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

from redis.exceptions import RedisError

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.khtourism.core import dumps  # the bulk dumps' names (api/dumps.py builds them)
from ckanext.khtourism.core import jobs as background_jobs  # refreshes queued once
from ckanext.khtourism.search import indexing_deferred
from ckanext.khtourism.security.csv_cells import safe_cell

from . import fields as F
from . import registry_names, settings
from . import vocabulary as V

log = logging.getLogger(__name__)

PAGE_SIZE = 500
RECORD_ACTIONS = {
    "package_create",
    "package_update",
    "package_patch",
    "package_delete",
    "package_revise",
    "package_owner_org_update",
    "dataset_purge",
    "bulk_update_public",
    "bulk_update_private",
    "bulk_update_delete",
}


# ------------------------------------------------------------------ exports


def _public_context() -> dict:
    # No user: the search engine returns public, active records only.
    return {"ignore_auth": True, "user": ""}


def published_records(record_type: str) -> Iterator[dict]:
    """Every public record of a type, as package_search returns it to anyone."""
    if record_type not in V.RECORD_TYPES:
        raise tk.ObjectNotFound(f"Unknown record type: {record_type}")
    start = 0
    search = tk.get_action("package_search")
    while True:
        result = search(
            _public_context(),
            {
                "q": "*:*",
                "fq": f"+dataset_type:{record_type}",
                "include_private": False,
                "include_drafts": False,
                "sort": "name asc",
                "rows": PAGE_SIZE,
                "start": start,
            },
        )
        rows = result["results"]
        yield from (row for row in rows if not row.get("private"))
        start += len(rows)
        if not rows or start >= result["count"]:
            return


def export_columns(record_type: str) -> list[str]:
    return (
        ["id", "name", "url", "title", "title_en", "notes", "notes_en"]
        + list(F.public_fields(record_type))
        + ["longitude", "latitude", "license_id", "tags", "metadata_modified"]
    )


def _point(record: dict) -> tuple[float, float] | None:
    try:
        geometry = json.loads(record.get("spatial") or "")
    except (TypeError, ValueError):
        return None
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        x, y = geometry["coordinates"][:2]
        return float(x), float(y)
    return None


def _flat(value: Any) -> str:
    if F.is_empty(value):
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_row(record_type: str, record: dict) -> dict[str, str]:
    row = {column: _flat(record.get(column)) for column in export_columns(record_type)}
    row["url"] = f"{V.base_uri()}/{record_type}/{record['name']}"
    point = _point(record)
    row["longitude"], row["latitude"] = (str(point[0]), str(point[1])) if point else ("", "")
    row["tags"] = "; ".join(t["name"] for t in record.get("tags", []))
    return row


def csv_export(record_type: str) -> Iterator[str]:
    """The register as CSV (UTF-8, header row), streamed."""
    columns = export_columns(record_type)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    yield "\ufeff" + buffer.getvalue()
    for record in published_records(record_type):
        buffer.seek(0)
        buffer.truncate()
        row = export_row(record_type, record)
        writer.writerow({column: safe_cell(value) for column, value in row.items()})
        yield buffer.getvalue()


def geojson_export(record_type: str) -> Iterator[str]:
    """The register as a GeoJSON FeatureCollection (WGS84), streamed."""
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for record in published_records(record_type):
        try:
            geometry = json.loads(record.get("spatial") or "null")
        except ValueError:
            geometry = None
        properties = export_row(record_type, record)
        properties.pop("longitude")
        properties.pop("latitude")
        feature = {
            "type": "Feature",
            "id": record["id"],
            "geometry": geometry,
            "properties": properties,
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"


# ----------------------------------------------------------- registry datasets


def _site_user() -> dict:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})


def _publisher_organization(context: dict) -> str:
    """The Department's organization (created if missing): the register's publisher.

    Each action gets its own copy of ``context``: an action that raised (``NotFound``
    before its auth check) leaves its auth-audit entry in the context it was given, and the
    next action given the same dict fails ("organization_show did not call its auth
    function") — the first refresh of a fresh install without demo data did.
    """
    name = settings.curator_organization()
    try:
        return tk.get_action("organization_show")(dict(context), {"id": name})["id"]
    except tk.ObjectNotFound:
        authority = settings.publisher()
        created = tk.get_action("organization_create")(
            dict(context),
            {
                "name": name,
                "title": authority["name"] or name,
            },
        )
        return created["id"]


def _register_summary(record_type: str) -> tuple[int, str | None]:
    result = tk.get_action("package_search")(
        _public_context(),
        {
            "q": "*:*",
            "fq": f"+dataset_type:{record_type}",
            "rows": 1,
            "sort": "metadata_modified desc",
            "include_private": False,
        },
    )
    latest = result["results"][0]["metadata_modified"] if result["results"] else None
    return result["count"], latest


def registry_dict(record_type: str, owner_org: str) -> dict:
    texts = registry_names.registry_texts(record_type)
    count, latest = _register_summary(record_type)
    name = registry_names.registry_name(record_type)
    resources = []
    for fmt, label, mimetype in (
        ("csv", "CSV", "text/csv"),
        ("geojson", "GeoJSON", "application/geo+json"),
    ):
        resources.append(
            {
                "name": f"{texts['title_vi']} ({label})",
                "description": f"{count} hồ sơ / records",
                "url": registry_names.export_url(record_type, fmt),
                "format": label,
                "mimetype": mimetype,
                "last_modified": latest,
            }
        )
    # the nightly bulk dumps (api/dumps.py), gzip, once built
    for fmt, (label, mimetype) in dumps.FORMATS.items():
        if not dumps.built(record_type, fmt):
            continue
        resources.append(
            {
                "name": f"{texts['title_vi']} ({label}, gzip)",
                "description": (
                    "Bản kết xuất toàn bộ hằng đêm; manifest.json ghi số hồ sơ, SHA-256 và "
                    "con trỏ luồng thay đổi / Nightly full dump; manifest.json gives the "
                    "counts, SHA-256 and the change-feed cursor"
                ),
                "url": dumps.url(dumps.file_name(record_type, fmt)),
                "format": label,
                "mimetype": mimetype,
                "compress_format": "http://www.iana.org/assignments/media-types/application/gzip",
            }
        )
    return {
        "name": name,
        "type": "dataset",
        "title": texts["title_vi"],
        "notes": f"{texts['notes_vi']}\n\n{texts['notes_en']}\n\nSố hồ sơ / records: {count}.",
        "owner_org": owner_org,
        "private": False,
        "license_id": "cc-by-4.0",
        "url": registry_names.export_url(record_type, "csv").rsplit("/", 1)[0],
        "tags": [{"name": "du-lich"}, {"name": "tourism"}, {"name": record_type}],
        "resources": resources,
    }


def refresh_registry(record_type: str) -> dict:
    """Create or update the registry dataset of one record type."""
    if record_type not in V.RECORD_TYPES:
        raise tk.ValidationError({"record_type": [f"unknown record type: {record_type}"]})
    context = {"user": _site_user()["name"], "ignore_auth": True}
    data = registry_dict(record_type, _publisher_organization(dict(context)))
    existing = model.Package.get(data["name"])
    if existing is not None and existing.state != "deleted":
        current = tk.get_action("package_show")(dict(context), {"id": existing.id})
        # Keep resource ids stable across refreshes (their URIs are published).
        by_url = {r["url"]: r["id"] for r in current.get("resources", [])}
        for resource in data["resources"]:
            if resource["url"] in by_url:
                resource["id"] = by_url[resource["url"]]
        data["id"] = existing.id
        return tk.get_action("package_update")(dict(context), data)
    if existing is not None:
        data["id"] = existing.id
        data["state"] = "active"
        return tk.get_action("package_update")(dict(context), data)
    return tk.get_action("package_create")(dict(context), data)


def refresh_all() -> list[dict]:
    return [refresh_registry(record_type) for record_type in V.RECORD_TYPES]


def refresh_registry_job(record_type: str) -> None:
    """Background job entry point (``ckan jobs worker``)."""
    refresh_registry(record_type)


# --------------------------------------------------------------- change signal


def _changed_record_type(action: str, data_dict: Any, result: Any) -> str | None:
    for candidate in (result, data_dict):
        if isinstance(candidate, dict):
            if registry_names.record_type_of_registry(candidate.get("name")):
                return None
            if candidate.get("type") in V.RECORD_TYPES:
                return candidate["type"]
    if isinstance(data_dict, dict) and data_dict.get("id"):
        package = model.Package.get(data_dict["id"])
        if package is not None and package.type in V.RECORD_TYPES:
            return package.type
    return None


def _changed_package_id(data_dict: Any, result: Any) -> str | None:
    for candidate in (result, data_dict):
        if isinstance(candidate, dict) and candidate.get("id"):
            return str(candidate["id"])
    return None


def warm_record_job(package_id: str) -> None:
    """Background job: cache the catalogue description of a public record."""
    from . import fragments

    try:
        record = tk.get_action("package_show")(_public_context(), {"id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return  # deleted or not public: nothing to publish
    if not record.get("private") and record.get("state") == "active":
        fragments.record_fragments([record], also=fragments.FORMATS)


def on_action_succeeded(action: str, **kwargs: Any) -> None:
    """``action_succeeded`` listener: queue a refresh when a record changes."""
    if action not in RECORD_ACTIONS and not action.startswith("khtourism_"):
        return
    if not tk.asbool(tk.config.get("ckanext.khtourism.registry.refresh_on_change")):
        return
    record_type = _changed_record_type(action, kwargs.get("data_dict"), kwargs.get("result"))
    if record_type is None:
        return
    package_id = _changed_package_id(kwargs.get("data_dict"), kwargs.get("result"))
    try:
        # one waiting job of each covers every change committed before it runs
        if not indexing_deferred():
            # (a harvest job queues the refresh once, after indexing its records)
            background_jobs.enqueue_once(
                refresh_registry_job,
                [record_type],
                job_id=f"khtourism-registry-{record_type}",
                title=f"khtourism: refresh registry dataset {record_type}",
            )
        if package_id:
            background_jobs.enqueue_once(
                warm_record_job,
                [package_id],
                job_id=f"khtourism-dcat-description-{package_id}",
                title=f"khtourism: cache the DCAT description of {package_id}",
            )
    except RedisError:
        # A queue outage must not fail the user's edit; the CLI refreshes too.
        log.exception("Could not queue the registry refresh of %s", record_type)


def on_deferred_indexed(package_ids: list[str], **_kwargs: Any) -> None:
    """Listener of the search room's ``DEFERRED_INDEXED``: records written with deferred
    indexing (a harvest job) are indexed now; the refresh queued when each was written
    (and skipped while indexing was deferred) is queued again, as after an update."""
    for package_id in package_ids:
        on_action_succeeded("package_update", data_dict={"id": package_id}, result=None)
