"""``/stats``: counts for the Department's monthly reports.

Counts by type, administrative unit, former district, operating status and
each type's categories come from ``package_search`` facets over the whole
filtered result (one search per record type); the monthly histogram of
created/updated/removed records comes from the change feed.
"""

from __future__ import annotations

from typing import Any

from ckanext.khtourism.changelog.changes import monthly_counts

from . import query
from .collections import BY_DATASET_TYPE
from .items import label_for

COMMON_FACETS = ["admin_unit", "former_district", "operating_status"]


def build(
    parsed: dict[str, Any], dataset_types: list[str], lang: str, user_name: str | None
) -> dict[str, Any]:
    by_type: dict[str, Any] = {}
    total = 0
    for dataset_type in dataset_types:
        collection = BY_DATASET_TYPE[dataset_type]
        applicable = {
            key: value
            for key, value in parsed.items()
            if key not in {f.name for r in BY_DATASET_TYPE.values() for f in r.filters}
            or key in {f.name for f in collection.filters}
        }
        facets = COMMON_FACETS + [f.name for f in collection.filters]
        result = query.search(
            applicable, [dataset_type], rows=0, facets=facets, user_name=user_name
        )
        total += result["count"]
        by_type[dataset_type] = {
            "count": result["count"],
            "by": {
                facet: _facet_counts(
                    dataset_type, facet, result.get("facets", {}).get(facet, {}), lang
                )
                for facet in facets
            },
        }
    return {
        "lang": lang,
        "total": total,
        "types": by_type,
        "months": monthly_counts(dataset_types, parsed.get("months", 12)),
    }


def _facet_counts(
    dataset_type: str, facet: str, counts: dict[str, int], lang: str
) -> list[dict[str, Any]]:
    return [
        {"code": code, "label": label_for(dataset_type, facet, code, lang) or code, "count": count}
        for code, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    ]
