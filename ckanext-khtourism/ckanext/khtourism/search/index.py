"""The search table: from CKAN's indexed documents to rows, and back.

The documents are exactly those ``ckan.lib.search.index.PackageSearchIndex``
builds (after every plugin's ``before_dataset_index``). Each becomes one row
of ``khtourism_search_doc`` (see the khts_0001 migration):

* ``doc``: the document minus the two stored dataset dicts (for ``fl``,
  ranges and existence tests on any field);
* ``terms``: every short value of every field as an array of strings
  (multi-valued and single-valued alike) — GIN-indexed for ``field:value``
  filters, and read for facet counts;
* ``text_fields``: folded text of Solr's tokenized fields (``title``,
  ``notes``, ``extras_*`` …) for fielded word matches;
* ``tsv`` / ``tsv_exact``: the weighted full-text vectors (:mod:`.text`);
* the spatial extent (:mod:`.spatial`).

Writes go through ``model.Session``: CKAN indexes synchronously inside the
dataset's own transaction (``before_commit``), so the index row commits or
rolls back together with the dataset.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from dateutil.parser import isoparse

from . import cache, parse, spatial, text
from .fields import not_faceted

log = logging.getLogger(__name__)

TABLE = "khtourism_search_doc"
# Values longer than this are not kept in ``terms`` (facets and exact filters
# on long text make no sense, and GIN entries must stay small).
MAX_TERM_LENGTH = 256
STORED_DICTS = ("validated_data_dict", "data_dict")

_COLUMNS = (
    "id",
    "site_id",
    "name",
    "entity_type",
    "dataset_type",
    "state",
    "capacity",
    "permission_labels",
    "metadata_created",
    "metadata_modified",
    "title_sort",
    "doc",
    "terms",
    "facet_terms",
    "text_fields",
    "validated_data_dict",
    "data_dict",
    "suggest",
    "min_x",
    "min_y",
    "max_x",
    "max_y",
    "centroid_lon",
    "centroid_lat",
    "geometry",
)

_ROW_SQL = f"""({
    ", ".join(
        f"CAST(:{c} AS jsonb)" if c in ("doc", "terms", "facet_terms", "text_fields") else f":{c}"
        for c in _COLUMNS
    )
},
    {text.vector_sql("f")}, {text.exact_vector_sql("e")}, {text.rank_vector_sql("f")}, now())"""
_UPSERT_HEAD = f"""INSERT INTO {TABLE} ({", ".join(_COLUMNS)}, tsv, tsv_exact, tsv_rank, indexed_at)
    VALUES """
_UPSERT_TAIL = f"""
    ON CONFLICT (id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "id")},
        tsv = EXCLUDED.tsv, tsv_exact = EXCLUDED.tsv_exact, tsv_rank = EXCLUDED.tsv_rank,
        indexed_at = now()
    """
UPSERT_SQL = sa.text(_UPSERT_HEAD + _ROW_SQL + _UPSERT_TAIL)
_PARAM = re.compile(r"(?<![:\w]):(\w+)")


@functools.lru_cache(maxsize=8)
def _multi_row_upsert(count: int) -> Any:
    """``UPSERT_SQL`` for ``count`` rows in one statement (parameters suffixed ``_<n>``)."""
    rows = ",\n".join(_PARAM.sub(rf":\1_{n}", _ROW_SQL) for n in range(count))
    return sa.text(_UPSERT_HEAD + rows + _UPSERT_TAIL)


def _timestamp(value: Any) -> dt.datetime | None:
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    try:
        parsed = isoparse(str(value).rstrip("Z") if str(value).count("Z") > 1 else str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _term_values(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (list, tuple)):
        result = []
        for item in value:
            result.extend(_term_values(item))
        return result
    if value is None or isinstance(value, dict):
        return []
    string = str(value)
    if string.startswith("[") and string.endswith("]"):
        # multi-valued fields that arrive JSON-encoded (scheming's multiple_checkbox,
        # multiple_select and multiple_text) are indexed as their values
        try:
            decoded = json.loads(string)
        except ValueError:
            decoded = None
        if isinstance(decoded, list) and all(
            isinstance(item, (str, int, float)) for item in decoded
        ):
            return _term_values(decoded)
    if string == "" or len(string) > MAX_TERM_LENGTH:
        return []
    return [string]


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def row_for(document: dict[str, Any]) -> dict[str, Any]:
    """The row of ``khtourism_search_doc`` for one CKAN search document."""
    if not document.get("id"):
        raise ValueError("a search document needs an id")
    doc = {k: v for k, v in document.items() if k not in STORED_DICTS}
    terms: dict[str, list[str]] = {}
    facet_terms: dict[str, list[str]] = {}
    text_fields: dict[str, str] = {}
    for key, value in doc.items():
        # each value once per dataset: facets count datasets, not values (as Solr does),
        # so a dataset with two PDF resources counts once under PDF
        values = list(dict.fromkeys(_term_values(value)))
        if values:
            terms[key] = values
            if not not_faceted(key):
                facet_terms[key] = values
        if parse.is_text_field(key):
            folded = text.fold(" \n ".join(text.flatten(value)))
            if folded:
                text_fields[key] = folded
    weighted = text.weighted_text(doc)
    title = doc.get("title_string") or doc.get("title") or doc.get("name") or ""
    extent = spatial.extent_of(doc.get("spatial") or doc.get("extras_spatial"))
    labels = doc.get("permission_labels") or []
    row: dict[str, Any] = {
        "id": str(doc["id"]),
        "site_id": doc.get("site_id") or "",
        "name": doc.get("name"),
        "entity_type": doc.get("entity_type"),
        "dataset_type": doc.get("dataset_type"),
        "state": doc.get("state"),
        "capacity": doc.get("capacity"),
        "permission_labels": [str(label) for label in labels],
        "metadata_created": _timestamp(doc.get("metadata_created")),
        "metadata_modified": _timestamp(doc.get("metadata_modified")),
        "title_sort": text.fold(str(title)).strip(),
        "doc": json.dumps(doc, default=_json_default),
        "terms": json.dumps(terms, default=_json_default),
        "facet_terms": json.dumps(facet_terms, default=_json_default),
        "text_fields": json.dumps(text_fields),
        "validated_data_dict": document.get("validated_data_dict"),
        "data_dict": document.get("data_dict"),
        "suggest": text.fold(
            " ".join(text.flatten([doc.get("name"), doc.get("title"), doc.get("title_en")]))
        ),
        "min_x": extent.min_x if extent else None,
        "min_y": extent.min_y if extent else None,
        "max_x": extent.max_x if extent else None,
        "max_y": extent.max_y if extent else None,
        "centroid_lon": extent.centroid_lon if extent else None,
        "centroid_lat": extent.centroid_lat if extent else None,
        "geometry": extent.geometry if extent else None,
    }
    for weight, value in weighted.items():
        row[f"f{weight}"] = text.fold(value)
        row[f"e{weight}"] = text.exact(value)
    return row


# rows per multi-row statement (about 30 parameters a row)
UPSERT_CHUNK = 250


def upsert(session: Any, documents: Iterable[dict[str, Any]]) -> int:
    """Write the documents' rows: one statement per :data:`UPSERT_CHUNK` documents.

    A document given twice (same id) is written once, the last one winning — as
    successive single-row upserts would leave it (one multi-row ``ON CONFLICT``
    statement may not touch a row twice).
    """
    return write_rows(session, [row_for(document) for document in documents])


def write_rows(session: Any, rows: list[dict[str, Any]]) -> int:
    """Write rows built by :func:`row_for` (see :func:`upsert`)."""
    cache.note_change(session)
    by_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_id.pop(row["id"], None)
        by_id[row["id"]] = row
    rows = list(by_id.values())
    if len(rows) == 1:
        session.execute(UPSERT_SQL, rows[0])
    for start in range(0, len(rows) if len(rows) > 1 else 0, UPSERT_CHUNK):
        chunk = rows[start : start + UPSERT_CHUNK]
        params = {f"{key}_{n}": value for n, row in enumerate(chunk) for key, value in row.items()}
        session.execute(_multi_row_upsert(len(chunk)), params)
    return len(rows)


def delete_where(session: Any, predicate: str, params: dict[str, Any]) -> int:
    cache.note_change(session)
    result = session.execute(sa.text(f"DELETE FROM {TABLE} d WHERE {predicate}"), params)
    return result.rowcount or 0


def delete_ids(session: Any, ids: list[str]) -> int:
    cache.note_change(session)
    if not ids:
        return 0
    result = session.execute(
        sa.text(f"DELETE FROM {TABLE} WHERE id = ANY(:ids) OR name = ANY(:ids)"), {"ids": ids}
    )
    return result.rowcount or 0
