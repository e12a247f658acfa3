"""The four record types as API collections, from docs/record-types.md.

One table says, per collection: the dataset type, the fields an item may carry
(for ``fields=`` and CSV columns), the category filters with their code lists,
the official identifiers that ``/lookup`` accepts and the schema.org type.
"""

from __future__ import annotations

from dataclasses import dataclass

from ckanext.khtourism.records.privacy import private_fields
from ckanext.khtourism.records.schema_choices import choice_codes
from ckanext.khtourism.records.schema_fields import type_field_names
from ckanext.khtourism.records.vocabularies import former_districts

OPERATING_STATUS = choice_codes("accommodation", "operating_status")
ACCOMMODATION_TYPES = choice_codes("accommodation", "accommodation_type")
FORMER_DISTRICTS = tuple(former_districts())
LANGUAGE_PATTERN = "^[a-z]{2}$"

# Tour-guide fields that only curators, sysadmins and the guide's own
# organization may see (docs/record-types.md, "Private fields").
PRIVATE_GUIDE_FIELDS = private_fields("tour-guide")


def _public_type_fields(dataset_type: str) -> tuple[str, ...]:
    """The type's own schema fields an item may carry (never the private ones)."""
    private = private_fields(dataset_type)
    return tuple(name for name in type_field_names(dataset_type) if name not in private)


COMMON_FIELDS = [
    "id",
    "name",
    "type",
    "title",
    "title_vi",
    "title_en",
    "notes",
    "notes_vi",
    "notes_en",
    "url",
    "organization",
    "admin_unit",
    "admin_unit_method",
    "former_district",
    "street_address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "operating_status",
    "last_verified",
    "license_id",
    "tags",
    "metadata_created",
    "metadata_modified",
    "distance_m",
]


@dataclass(frozen=True)
class Filter:
    """A category filter: query parameter ``name`` filters index field ``field``."""

    name: str
    choices: tuple[str, ...] | None = None  # None: free codes matching ``pattern``
    pattern: str | None = None
    description: str = ""

    @property
    def field(self) -> str:
        return self.name


@dataclass(frozen=True)
class Collection:
    path: str  # URL segment, e.g. "accommodations"
    dataset_type: str
    title_vi: str
    title_en: str
    fields: tuple[str, ...]
    filters: tuple[Filter, ...]
    identifiers: tuple[str, ...]
    schema_org_type: str

    @property
    def all_fields(self) -> tuple[str, ...]:
        return tuple(COMMON_FIELDS) + self.fields


LANGUAGES_FILTER = Filter(
    "languages", pattern=LANGUAGE_PATTERN, description="ISO 639-1 language code(s)"
)

COLLECTIONS: dict[str, Collection] = {
    collection.path: collection
    for collection in (
        Collection(
            path="accommodations",
            dataset_type="accommodation",
            title_vi="Cơ sở lưu trú du lịch",
            title_en="Accommodation establishments",
            fields=_public_type_fields("accommodation"),
            filters=(
                Filter(
                    "accommodation_type",
                    choice_codes("accommodation", "accommodation_type"),
                    description="accommodation type code(s)",
                ),
                Filter(
                    "hotel_subtype",
                    choice_codes("accommodation", "hotel_subtype"),
                    description="hotel sub-type code(s)",
                ),
                Filter(
                    "star_rating",
                    choice_codes("accommodation", "star_rating"),
                    description="star rating(s): 1-5, dat_chuan (meets the standard), chua_xep_hang (unrated)",
                ),
                LANGUAGES_FILTER,
            ),
            # the portal's establishment identifier names one record; an enterprise code may
            # name several (one company, several hotels)
            identifiers=("establishment_id", "enterprise_code"),
            schema_org_type="LodgingBusiness",
        ),
        Collection(
            path="tour-operators",
            dataset_type="tour-operator",
            title_vi="Doanh nghiệp lữ hành",
            title_en="Tour operators",
            fields=_public_type_fields("tour-operator"),
            filters=(
                Filter(
                    "licence_type",
                    choice_codes("tour-operator", "licence_type"),
                    description="licence type code(s)",
                ),
                LANGUAGES_FILTER,
            ),
            identifiers=("establishment_id", "licence_number", "enterprise_code"),
            schema_org_type="TravelAgency",
        ),
        Collection(
            path="tour-guides",
            dataset_type="tour-guide",
            title_vi="Hướng dẫn viên du lịch",
            title_en="Tour guides",
            fields=_public_type_fields("tour-guide"),
            filters=(
                Filter(
                    "card_type",
                    choice_codes("tour-guide", "card_type"),
                    description="card type code(s)",
                ),
                Filter(
                    "card_status",
                    choice_codes("tour-guide", "card_status"),
                    description="card status(es)",
                ),
                LANGUAGES_FILTER,
            ),
            identifiers=("card_number",),
            schema_org_type="Person",
        ),
        Collection(
            path="heritage-sites",
            dataset_type="heritage-site",
            title_vi="Di tích, di sản",
            title_en="Heritage and relic sites",
            fields=_public_type_fields("heritage-site"),
            filters=(
                Filter(
                    "ranking",
                    choice_codes("heritage-site", "ranking"),
                    description="heritage ranking code(s)",
                ),
                Filter(
                    "heritage_type",
                    choice_codes("heritage-site", "heritage_type"),
                    description="heritage type code(s)",
                ),
                Filter(
                    "unesco_status",
                    choice_codes("heritage-site", "unesco_status"),
                    description="UNESCO status code(s)",
                ),
            ),
            identifiers=("establishment_id",),
            schema_org_type="LandmarksOrHistoricalBuildings",
        ),
    )
}

BY_DATASET_TYPE = {collection.dataset_type: collection for collection in COLLECTIONS.values()}
DATASET_TYPES = tuple(BY_DATASET_TYPE)

# Official identifiers accepted by /lookup, and the record types carrying them.
IDENTIFIERS: dict[str, tuple[str, ...]] = {}
for _collection in COLLECTIONS.values():
    for _identifier in _collection.identifiers:
        IDENTIFIERS.setdefault(_identifier, ())
        IDENTIFIERS[_identifier] += (_collection.dataset_type,)
IDENTIFIERS["card_number"] = IDENTIFIERS.get("card_number", ())

ALL_FILTERS: dict[str, Filter] = {}
for _collection in COLLECTIONS.values():
    for _filter in _collection.filters:
        ALL_FILTERS.setdefault(_filter.name, _filter)
