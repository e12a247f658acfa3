"""Search index tables of the PostgreSQL search engine.

One row per indexed dataset in ``khtourism_search_doc``: the document CKAN's
indexer built (``doc``), its short string values as arrays for filters and
facets (``terms``), weighted text vectors, the stored dataset dicts and the
spatial extent.

Revision ID: khts_0001_search_index
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "khts_0001_search_index"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        """
        CREATE TABLE khtourism_search_doc (
            doc_key bigserial UNIQUE NOT NULL,
            id text PRIMARY KEY,
            site_id text NOT NULL,
            name text,
            entity_type text,
            dataset_type text,
            state text,
            capacity text,
            permission_labels text[] NOT NULL DEFAULT '{}',
            metadata_created timestamptz,
            metadata_modified timestamptz,
            title_sort text,
            doc jsonb NOT NULL,
            terms jsonb NOT NULL,
            facet_terms jsonb NOT NULL DEFAULT '{}',
            text_fields jsonb NOT NULL,
            validated_data_dict text,
            data_dict text,
            tsv tsvector NOT NULL,
            tsv_exact tsvector NOT NULL,
            tsv_rank tsvector NOT NULL,
            suggest text NOT NULL DEFAULT '',
            min_x double precision,
            min_y double precision,
            max_x double precision,
            max_y double precision,
            centroid_lon double precision,
            centroid_lat double precision,
            geometry text,
            indexed_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # What every hit reads (filters, ranking, facets) stays in narrow heap rows; the
    # documents, stored dicts and the big full-text vector (answered by its GIN
    # index) go to TOAST.
    op.execute("ALTER TABLE khtourism_search_doc SET (toast_tuple_target = 512)")
    for column in (
        "doc",
        "terms",
        "text_fields",
        "validated_data_dict",
        "data_dict",
        "tsv",
        "geometry",
    ):
        op.execute(f"ALTER TABLE khtourism_search_doc ALTER COLUMN {column} SET STORAGE EXTERNAL")
    op.execute("ALTER TABLE khtourism_search_doc ALTER COLUMN facet_terms SET STORAGE MAIN")
    op.execute("ALTER TABLE khtourism_search_doc ALTER COLUMN tsv_rank SET STORAGE MAIN")
    op.execute("ALTER TABLE khtourism_search_doc ALTER COLUMN tsv_exact SET STORAGE MAIN")
    for statement in (
        "CREATE INDEX khtourism_search_doc_tsv_idx ON khtourism_search_doc USING gin (tsv)",
        "CREATE INDEX khtourism_search_doc_terms_idx ON khtourism_search_doc"
        " USING gin (terms jsonb_path_ops)",
        "CREATE INDEX khtourism_search_doc_facet_terms_idx ON khtourism_search_doc"
        " USING gin (facet_terms jsonb_path_ops)",
        "CREATE INDEX khtourism_search_doc_name_idx ON khtourism_search_doc (name)",
        "CREATE INDEX khtourism_search_doc_modified_idx ON khtourism_search_doc (metadata_modified)",
        "CREATE INDEX khtourism_search_doc_created_idx ON khtourism_search_doc (metadata_created)",
        "CREATE INDEX khtourism_search_doc_title_idx ON khtourism_search_doc (title_sort)",
        "CREATE INDEX khtourism_search_doc_type_idx ON khtourism_search_doc (dataset_type)",
        "CREATE INDEX khtourism_search_doc_suggest_idx ON khtourism_search_doc"
        " USING gin (suggest gin_trgm_ops)",
        "CREATE INDEX khtourism_search_doc_box_idx ON khtourism_search_doc"
        " USING gist (box(point(min_x, min_y), point(max_x, max_y))) WHERE min_x IS NOT NULL",
        "CREATE INDEX khtourism_search_doc_centroid_idx ON khtourism_search_doc"
        " USING gist (point(centroid_lon, centroid_lat)) WHERE centroid_lon IS NOT NULL",
    ):
        op.execute(statement)
    # Lenient casts for range filters on values of any field.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION khtourism_search_try_ts(value text) RETURNS timestamptz
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN
            IF value IS NULL OR value !~ '^\\d{4}-\\d{2}-\\d{2}' THEN RETURN NULL; END IF;
            RETURN value::timestamptz;
        EXCEPTION WHEN others THEN RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION khtourism_search_try_num(value text) RETURNS double precision
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN
            IF value IS NULL OR value !~ '^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*$' THEN
                RETURN NULL;
            END IF;
            RETURN value::double precision;
        EXCEPTION WHEN others THEN RETURN NULL;
        END $$
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS khtourism_search_doc")
    op.execute("DROP FUNCTION IF EXISTS khtourism_search_try_ts(text)")
    op.execute("DROP FUNCTION IF EXISTS khtourism_search_try_num(text)")
