"""Which fields of each record type are public, and of what kind.

This is the DCAT side of ``docs/record-types.md``: every field listed here is
published (with the property ``<site>/dcat/terms#<field>``, plus richer
schema.org / DCAT properties where they exist) and
parsed back by the profile. Fields that are not listed are never published:
in particular the tour guides' private personal fields and the curation state.
"""

from __future__ import annotations

from ckanext.khtourism.records.privacy import private_fields

TEXT = "text"
CODE = "code"
INT = "int"
DATE = "date"
DATETIME = "datetime"
MULTI = "multi"
GEOJSON = "geojson"

# Carried by the dcat/terms properties (title, notes, spatial, tags, licence, contact and
# resources have their own DCAT properties and are not repeated here).
COMMON_FIELDS: dict[str, str] = {
    "admin_unit": CODE,
    "former_district": CODE,
    "street_address": TEXT,
    "phone": TEXT,
    "email": TEXT,
    "website": TEXT,
    "operating_status": CODE,
    "last_verified": DATE,
    "source_name": TEXT,
    "source_record_id": TEXT,
    "source_url": TEXT,
    "harvested_at": DATETIME,
}

TYPE_FIELDS: dict[str, dict[str, str]] = {
    "accommodation": {
        "accommodation_type": CODE,
        "hotel_subtype": CODE,
        "star_rating": CODE,
        "rating_decision_number": TEXT,
        "rating_decision_date": DATE,
        "rooms": INT,
        "beds": INT,
        "max_guests": INT,
        "price_min_vnd": INT,
        "price_max_vnd": INT,
        "amenities": MULTI,
        "checkin_time": TEXT,
        "checkout_time": TEXT,
        "languages": MULTI,
        "enterprise_code": TEXT,
    },
    "tour-operator": {
        "licence_number": TEXT,
        "licence_type": CODE,
        "licence_issue_date": DATE,
        "licence_issuer": TEXT,
        "enterprise_code": TEXT,
        "services": MULTI,
        "languages": MULTI,
        "office_address": TEXT,
    },
    "tour-guide": {
        "full_name": TEXT,
        "card_number": TEXT,
        "card_type": CODE,
        "card_issue_date": DATE,
        "card_expiry_date": DATE,
        "issuing_province": CODE,
        "card_status": CODE,
        "languages": MULTI,
        "experience_years": INT,
        "employer": TEXT,
    },
    "heritage-site": {
        "ranking": CODE,
        "heritage_type": CODE,
        "ranking_decision_number": TEXT,
        "ranking_decision_date": DATE,
        "unesco_status": CODE,
        "period": TEXT,
        "managing_body": TEXT,
        "opening_hours": TEXT,
        "ticket_price_vnd": INT,
        "area": GEOJSON,
    },
}

# Never published, whoever asks (docs/record-types.md, tour-guide).
PRIVATE_GUIDE_FIELDS = private_fields("tour-guide")
# Internal curation state: not a public property of a record.
INTERNAL_FIELDS = ("workflow_state",)

# Core CKAN fields that round-trip through standard DCAT properties.
CORE_PUBLIC_FIELDS = (
    "name",
    "title",
    "title_en",
    "notes",
    "notes_en",
    "spatial",
    "license_id",
    "tags",
)


def public_fields(record_type: str) -> dict[str, str]:
    """Field -> kind for every dcat/terms-carried public field of a type."""
    fields = dict(COMMON_FIELDS)
    fields.update(TYPE_FIELDS.get(record_type, {}))
    return fields


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}
