"""CSV for spreadsheets: UTF-8 with a byte-order mark (Excel then reads Vietnamese
correctly), one row per record, multi-valued fields joined with ``; ``, and a
``<field>_label`` column beside each coded field in the request's language."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from ckanext.khtourism.security.csv_cells import safe_row

if TYPE_CHECKING:
    from . import Page

BOM = "\ufeff"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and "score" in value:  # quality: the score (docs/quality.md)
        return str(value["score"])
    if isinstance(value, dict):
        return str(value.get("title") or value.get("name") or "")
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(part) for part in value)
    return str(value)


def columns_for(items: list[dict[str, Any]], preferred: list[str] | None) -> list[str]:
    columns: list[str] = []
    for item in items:
        for key in item:
            if key != "labels" and key not in columns:
                columns.append(key)
            if key == "labels":
                continue
    if preferred:
        columns = [c for c in preferred if c != "labels"] + [
            c for c in columns if c not in preferred
        ]
    with_labels: list[str] = []
    labelled = {name for item in items for name in (item.get("labels") or {})}
    for column in columns:
        with_labels.append(column)
        if column in labelled:
            with_labels.append(f"{column}_label")
    return with_labels


def render_rows(items: list[dict[str, Any]], preferred: list[str] | None = None) -> bytes:
    columns = columns_for(items, preferred)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        labels = item.get("labels") or {}
        row = []
        for column in columns:
            if column.endswith("_label") and column[: -len("_label")] in labels:
                row.append(_cell(labels[column[: -len("_label")]]))
            else:
                row.append(_cell(item.get(column)))
        writer.writerow(safe_row(row))
    return (BOM + buffer.getvalue()).encode("utf-8")


def render_page(page: Page, lang: str) -> bytes:
    return render_rows(page.items, page.columns)


def render_item(item: dict[str, Any], lang: str) -> bytes:
    return render_rows([item])
