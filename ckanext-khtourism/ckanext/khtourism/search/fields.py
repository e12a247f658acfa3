"""Which indexed fields are kept in the small inline ``facet_terms`` column."""

from __future__ import annotations

# Fields unique to each dataset (or long text): never worth a facet, so they stay out
# of ``facet_terms`` (kept small and inline for fast counting). A facet on one of
# them is still counted, from ``terms``.
NOT_FACETED = frozenset(
    {
        "id",
        "name",
        "index_id",
        "title",
        "title_string",
        "title_en",
        "notes",
        "notes_en",
        "text",
        "url",
        "urls",
        "res_url",
        "res_name",
        "res_description",
        "metadata_created",
        "metadata_modified",
        "indexed_ts",
        "site_id",
        "entity_type",
        "permission_labels",
        "street_address",
        "spatial",
        "area",
        "creator_user_id",
        "owner_org",
        "author",
        "author_email",
        "maintainer",
        "maintainer_email",
        "version",
        "phone",
        "email",
        "website",
        "card_number",
        "enterprise_code",
        "establishment_id",
        "household_business_number",
        "register_number",
        "tax_code",
        "licence_number",
        "full_name",
        "rating_decision_number",
        "ranking_decision_number",
        "source_record_id",
        "source_url",
        "harvest_object_id",
        "geometry",
    }
)


def not_faceted(name: str) -> bool:
    """True for fields kept only in ``terms`` (unique per dataset, long, or dates)."""
    return (
        name in NOT_FACETED or name.startswith(("extras_", "res_extras_")) or name.endswith("_date")
    )


# Sort fields stored in their own columns of the search table: field -> column.
SORT_COLUMNS = {
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
    "title_string": "title_sort",
    "name": "name",
    "id": "id",
}
