"""What the home page shows: published records per type and the latest changes.

Both come from one ``package_search`` as an anonymous visitor sees it (public,
active records only), so the numbers are the ones a visitor can browse.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core.record_types import RECORD_TYPES

RECENT_ROWS = 6


def _public_context() -> dict[str, Any]:
    # No user: the search engine returns public, active records only.
    return {"ignore_auth": True, "user": ""}


def type_filter() -> str:
    return "+dataset_type:(" + " OR ".join(f'"{t}"' for t in RECORD_TYPES) + ")"


def overview(recent_rows: int = RECENT_ROWS) -> dict[str, Any]:
    """``{"counts": {type: n}, "total": n, "recent": [records, newest first]}``."""
    result = tk.get_action("package_search")(
        _public_context(),
        {
            "q": "*:*",
            "fq": type_filter(),
            "include_private": False,
            "include_drafts": False,
            "facet": "true",
            "facet.field": ["dataset_type"],
            "facet.limit": -1,
            "sort": "metadata_modified desc",
            "rows": recent_rows,
        },
    )
    facet = result.get("facets", {}).get("dataset_type", {})
    counts = {record_type: int(facet.get(record_type, 0)) for record_type in RECORD_TYPES}
    recent = [row for row in result["results"] if not row.get("private")]
    return {"counts": counts, "total": result["count"], "recent": recent}
