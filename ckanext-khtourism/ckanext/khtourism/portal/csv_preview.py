"""The CSV preview of a resource page (issue 16): the first rows of an uploaded CSV file as a
table, each column with its label from the record types' schemas when it names a field.

Only files uploaded to the portal are read (from the portal's own storage). A resource that
is a link is never fetched by the server — the page says so — so that a resource page
cannot be made to request an outside host (or an internal one)."""

from __future__ import annotations

import codecs
import csv
import io
import os
from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages
from ckanext.khtourism.core.record_types import RECORD_TYPES

PREVIEW_ROWS = 10
PREVIEW_BYTES = 256 * 1024
MAX_COLUMNS = 60
LABEL_SUFFIXES = ("_label", "_labels", "_vi", "_en")


def is_csv(resource: dict[str, Any]) -> bool:
    fmt = str(resource.get("format") or "").strip().lower()
    mimetype = str(resource.get("mimetype") or "").lower()
    path = urlparse(str(resource.get("url") or "")).path.lower()
    return fmt == "csv" or mimetype == "text/csv" or path.endswith(".csv")


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start > len(data) - 4:  # a character cut by the preview's byte limit
            return data[: error.start].decode("utf-8-sig")
        return data.decode("cp1258", errors="replace")


def _field_labels(record_type: str | None, lang: str) -> dict[str, str]:
    """field name -> label, the record's own type first, then the other types."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    labels: dict[str, str] = {}
    order = [record_type] if record_type in RECORD_TYPES else []
    for dataset_type in order + [t for t in RECORD_TYPES if t != record_type]:
        schema = scheming_get_dataset_schema(dataset_type) or {}
        for field in schema.get("dataset_fields", []):
            label = messages.label_text(field.get("label"), lang)
            if label:
                labels.setdefault(field["field_name"], label)
    return labels


def column_label(name: str, labels: dict[str, str]) -> str:
    key = name.strip()
    if key in labels:
        return labels[key]
    for suffix in LABEL_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in labels:
            return labels[key[: -len(suffix)]]
    return ""


def _upload_path(resource: dict[str, Any]) -> str | None:
    import ckan.lib.uploader as uploader

    path = uploader.get_resource_uploader(
        {"id": resource["id"], "url": resource.get("url"), "url_type": "upload"}
    ).get_path(resource["id"])
    return path if path and os.path.isfile(path) else None


def preview(resource: dict[str, Any], package: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"kind": "none"}`` (not a CSV), ``{"kind": "link", "host": …}`` (a link: not
    fetched), ``{"kind": "error", "message": …}`` or ``{"kind": "table", "columns": [{name,
    label}], "rows": [[…]], "truncated": bool}``."""
    if not is_csv(resource):
        return {"kind": "none"}
    if resource.get("url_type") != "upload":
        host = urlparse(str(resource.get("url") or "")).hostname or ""
        return {"kind": "link", "host": host}
    path = _upload_path(resource)
    if path is None:
        return {"kind": "error", "message": tk._("The uploaded file is missing.")}
    with open(path, "rb") as handle:
        data = handle.read(PREVIEW_BYTES + 1)
    truncated_bytes = len(data) > PREVIEW_BYTES
    text = _decode(data[:PREVIEW_BYTES])
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return {"kind": "error", "message": tk._("The file has no header row.")}
    rows: list[list[str]] = []
    more = False
    try:
        for row in reader:
            if len(rows) == PREVIEW_ROWS:
                more = True
                break
            rows.append(row[:MAX_COLUMNS])
    except csv.Error as error:
        unreadable = tk._("The file is not a readable CSV")
        return {"kind": "error", "message": f"{unreadable}: {error}"}
    labels = _field_labels((package or {}).get("type"), messages.current_language())
    columns = [{"name": name, "label": column_label(name, labels)} for name in header[:MAX_COLUMNS]]
    width = len(columns)
    rows = [row + [""] * (width - len(row)) for row in rows]
    return {
        "kind": "table",
        "columns": columns,
        "rows": rows,
        "truncated": more or truncated_bytes,
    }
