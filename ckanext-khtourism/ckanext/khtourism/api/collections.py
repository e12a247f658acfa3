"""The record types as API collections, derived from their declarations
(core/record_types.py, the ``khtourism:`` block of each schema).

Per collection: the dataset type, the fields an item may carry
(for ``fields=`` and CSV columns), the category filters with their code lists,
the official identifiers that ``/lookup`` accepts and the schema.org type.
"""

from __future__ import annotations

from dataclasses import dataclass

from ckanext.khtourism.core import record_types
from ckanext.khtourism.core.record_types import ApiFilter, RecordType
from ckanext.khtourism.records.privacy import private_fields
from ckanext.khtourism.records.schema_choices import choice_codes
from ckanext.khtourism.records.schema_fields import type_field_names
from ckanext.khtourism.records.vocabularies import former_districts

OPERATING_STATUS = choice_codes("accommodation", "operating_status")
ACCOMMODATION_TYPES = choice_codes("accommodation", "accommodation_type")
FORMER_DISTRICTS = tuple(former_districts())
LANGUAGE_PATTERN = "^[a-z]{2}$"


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
    "quality",
]


@dataclass(frozen=True)
class Filter:
    """A category filter: query parameter ``name`` filters index field ``field``."""

    name: str
    choices: tuple[str, ...] | None = None  # None: free codes matching ``pattern``
    pattern: str | None = None
    description: str = ""
    description_vi: str = ""

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
    # (start field, end field) of a type that happens over a period (events): the list
    # takes ``from``, ``to`` and ``happening_now``
    period: tuple[str, str] | None = None

    @property
    def all_fields(self) -> tuple[str, ...]:
        return tuple(COMMON_FIELDS) + self.fields


LANGUAGES_FILTER = Filter(
    "languages",
    pattern=LANGUAGE_PATTERN,
    description="ISO 639-1 language code(s)",
    description_vi="mã ngôn ngữ ISO 639-1",
)


def _filter_of(record_type: RecordType, api_filter: ApiFilter) -> Filter:
    """A declared filter: a code list from the schema, or the ISO 639-1 ``languages``."""
    if api_filter.field == "languages":
        return Filter(
            "languages",
            pattern=LANGUAGE_PATTERN,
            description=api_filter.description,
            description_vi=api_filter.description_vi,
        )
    return Filter(
        api_filter.field,
        choice_codes(record_type.name, api_filter.field),
        description=api_filter.description,
        description_vi=api_filter.description_vi,
    )


def _collection_of(record_type: RecordType) -> Collection:
    return Collection(
        path=record_type.collection,
        dataset_type=record_type.name,
        title_vi=record_type.collection_title["vi"],
        title_en=record_type.collection_title["en"],
        fields=_public_type_fields(record_type.name),
        filters=tuple(_filter_of(record_type, f) for f in record_type.api_filters),
        identifiers=record_type.identifiers,
        schema_org_type=record_type.schema_org_class,
        period=_period_of(record_type),
    )


def _period_of(record_type: RecordType) -> tuple[str, str] | None:
    """The declared ``period: {start: <field>, end: <field>}``, if any."""
    period = record_type.option("period")
    if not period:
        return None
    return str(period["start"]), str(period["end"])


# One collection per declared record type (core/record_types.py), in their order.
COLLECTIONS: dict[str, Collection] = {
    rt.collection: _collection_of(rt) for rt in record_types.declarations().values()
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
