"""Search: each facet and filter value once per dataset.

Facet counts count datasets, not values (a dataset with two PDF resources
counts once under PDF, as Solr counts). New index rows hold each value once
(`search.index.row_for`); this migration removes the repeats from the rows
already indexed, so no rebuild is needed.

Revision ID: khts_0005_distinct_facet_terms
Revises: khts_0004_spatial_covering
"""

from __future__ import annotations

from alembic import op

revision = "khts_0005_distinct_facet_terms"
down_revision = "khts_0004_spatial_covering"
branch_labels = None
depends_on = None


def _distinct(column: str) -> str:
    # every array of the JSON object, its elements once each, in their first order
    return f"""
        UPDATE khtourism_search_doc d SET {column} = (
            SELECT coalesce(jsonb_object_agg(k, (
                SELECT jsonb_agg(e ORDER BY first)
                FROM (SELECT e, min(n) AS first
                      FROM jsonb_array_elements(v) WITH ORDINALITY AS a(e, n)
                      GROUP BY e) u
            )), '{{}}'::jsonb)
            FROM jsonb_each(d.{column}) AS o(k, v)
        )
        WHERE EXISTS (
            SELECT 1 FROM jsonb_each(d.{column}) AS o(k, v)
            WHERE jsonb_typeof(v) = 'array'
              AND jsonb_array_length(v) > (SELECT count(DISTINCT e) FROM jsonb_array_elements(v) e)
        )
    """


def upgrade() -> None:
    from ckanext.khtourism.search import cache

    op.execute(_distinct("terms"))
    op.execute(_distinct("facet_terms"))
    cache.invalidate()  # results cached with the old counts are out of date


def downgrade() -> None:
    # the repeated values carried no information
    pass
