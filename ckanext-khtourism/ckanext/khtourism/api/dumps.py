"""Bulk dumps: every published record of each type in CSV, GeoJSON and JSON-LD, gzip,
with a manifest (counts, SHA-256, the change-feed cursor at dump time).

Built nightly and on demand (``ckan khtourism dumps build``) into the folder
``ckanext.khtourism.dumps.path`` (default ``<ckan.storage_path>/khtourism-dumps``),
served at ``/api/tourism/v1/dumps/`` and published as distributions of the
registry datasets (dcat/registry.py). The records are read as the public reads
them (anonymous search, the API's own serializers): no private field, no
unpublished record; and, as in the change feed, no withdrawn record. The cursor is read *before* the records, so a consumer
that loads a dump and then follows ``/changes?cursor=<cursor>`` misses nothing
(a change made during the dump may be applied twice, which is harmless).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.changelog.changes import change_table
from ckanext.khtourism.core import dumps as names

from . import query, serializers
from .collections import COLLECTIONS, Collection
from .items import item_from_package

PAGE = 1000
LANG = "vi"
FORMATS = names.FORMATS
MANIFEST = names.MANIFEST
directory = names.directory
file_name = names.file_name
url = names.url


def record_types() -> list[Collection]:
    """The record types dumped: the API's collections (one declaration of the types)."""
    return list(COLLECTIONS.values())


def _current_cursor() -> int:
    seq = model.Session.execute(sa.select(sa.func.max(change_table.c.seq))).scalar()
    model.Session.commit()
    return int(seq or 0)


def _published(collection: Collection) -> list[dict[str, Any]]:
    """Every published record of the type as the public API shows it (anonymous)."""
    items: list[dict[str, Any]] = []
    start = 0
    while True:
        result = query.search({}, [collection.dataset_type], rows=PAGE, start=start)
        packages = result["results"]
        # live for consumers, as the change feed counts them: a withdrawn record is a
        # removal there (changelog/changes.py), so it is not in a dump either
        items.extend(
            item
            for item in (
                item_from_package(pkg, lang=LANG, user_name=None, fields=None) for pkg in packages
            )
            if item.get("operating_status") != "withdrawn"
        )
        start += len(packages)
        if not packages or start >= result["count"]:
            return sorted(items, key=lambda item: item["id"])


def _write(target: Path, data: bytes) -> tuple[str, int]:
    """Write ``data`` gzipped, atomically; its SHA-256 and size."""
    compressed = gzip.compress(data, mtime=0)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(compressed)
    os.replace(temporary, target)
    return hashlib.sha256(compressed).hexdigest(), len(compressed)


def build(folder: Path | None = None) -> dict[str, Any]:
    """Write every dump and the manifest; returns the manifest."""
    folder = folder or directory()
    folder.mkdir(parents=True, exist_ok=True)
    cursor = _current_cursor()
    generated = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    types: dict[str, Any] = {}
    for collection in record_types():
        items = _published(collection)
        page = serializers.Page(
            items=items,
            total=len(items),
            limit=max(1, len(items)),
            resource=collection.path,
            links={"self": None, "next": None, "prev": None},
            columns=list(collection.all_fields),
        )
        files = {}
        for fmt in FORMATS:
            name = file_name(collection.dataset_type, fmt)
            sha256, size = _write(folder / name, serializers.render_page(fmt, page, LANG))
            files[fmt] = {
                "url": url(name),
                "media_type": serializers.MEDIA_TYPES[fmt],
                "compression": "gzip",
                "sha256": sha256,
                "bytes": size,
            }
        types[collection.dataset_type] = {
            "collection": collection.path,
            "count": len(items),
            "files": files,
        }
    manifest = {
        "generated_at": generated,
        "cursor": str(cursor),
        "changes": f"{tk.config.get('ckan.site_url', '').rstrip('/')}/api/tourism/v1/changes?cursor={cursor}",
        "types": types,
    }
    _write_plain(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return manifest


def _write_plain(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)


def manifest() -> dict[str, Any] | None:
    path = directory() / MANIFEST
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def served_file(name: str) -> Path | None:
    """The dump file ``name`` if it is one the manifest lists (no other path is served)."""
    known = {MANIFEST} | {
        file_name(collection.dataset_type, fmt) for collection in record_types() for fmt in FORMATS
    }
    path = directory() / name
    return path if name in known and path.is_file() else None


def build_job() -> None:
    """Background job: build the dumps."""
    build()
