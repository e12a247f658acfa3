"""The tourism record types: one declaration each, which every room derives from.

A record type is its scheming schema (``schemas/<file>.yaml``): the fields, their labels,
code lists and validators, and a ``khtourism:`` block that declares what the rooms need
beyond the fields — the API collection, the names, the owner (a business or the
Department), the kind (a place, a person), schema.org classes, the DCAT/SKOS concept, the
search facets, the API filters, the official identifiers, the personal-data fields and
the harvesters' default source key. ``SCHEMA_FILES`` below is the one registration;
docs/architecture.md ("How to add a record type") lists what else a new type may add.

Plain YAML reading (no CKAN needed), so importable from every room and before CKAN is
configured.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from . import yaml_files

SCHEMAS_PACKAGE = "ckanext.khtourism.schemas"

# The registration: the schema file of each record type, in the order the portal shows them.
SCHEMA_FILES: tuple[str, ...] = (
    "accommodation.yaml",
    "tour_operator.yaml",
    "tour_guide.yaml",
    "heritage_site.yaml",
    "tourist_area.yaml",
    "service_establishment.yaml",
    "tourist_transport.yaml",
    "event.yaml",
)

BUSINESS = "business"  # created and kept by the businesses, curated by the Department
DEPARTMENT = "department"  # only the Department's curators create them
PLACE = "place"  # an establishment or site: a point, the portal's establishment identifier
PERSON = "person"  # a person (personal data, no establishment identity)
EVENT = "event"  # something that happens at a place, from a start to an end
OWNERS = (BUSINESS, DEPARTMENT)
KINDS = (PLACE, PERSON, EVENT)
NAME_FORMS = ("alone", "plural", "in_sentence", "plural_in_sentence")


class DeclarationError(ValueError):
    """A schema's ``khtourism:`` block is missing something or says something wrong."""


@dataclass(frozen=True)
class ApiFilter:
    """A category filter of the type's API collection: query parameter ``field``."""

    field: str
    description: str  # English: the OpenAPI document's
    description_vi: str = ""  # the developers page's Vietnamese


@dataclass(frozen=True)
class RecordType:
    name: str  # the dataset type, e.g. "accommodation"
    schema_file: str  # e.g. "accommodation.yaml"
    collection: str  # the API collection, /api/tourism/v1/<collection>
    collection_title: dict[str, str]  # {vi, en}
    names: dict[str, dict[str, str]]  # NAME_FORMS -> {vi, en}
    icon: str  # Font Awesome 6 icon name shipped with CKAN
    owner: str  # BUSINESS or DEPARTMENT
    kind: str  # PLACE or PERSON
    schema_org: tuple[str, ...]  # schema.org classes, the main one first
    concept_label: dict[str, str]  # SKOS prefLabel {vi, en}
    concept_definition: str  # SKOS definition (English)
    eu_theme: str  # EU data theme code (ECON, EDUC, …)
    facets: tuple[str, ...]  # the search page's own facets
    api_filters: tuple[ApiFilter, ...]
    identifiers: tuple[str, ...]  # official identifiers /lookup accepts
    private_fields: tuple[str, ...] = ()  # personal data, never public
    harvest_key: str | None = None  # the harvesters' default source key field
    area_field: str | None = None  # a polygon the record keeps besides its point
    # metadata quality (records/quality.py): the fields a complete record gives, the dates
    # its credentials (licence, card, recognition) expire on, whether a licensed photo counts
    quality_recommended: tuple[str, ...] = ()
    quality_credential_expiry: tuple[str, ...] = ()
    quality_photo: bool = True
    # open-ended extras a room may read (``options.get(...)``), e.g. event date fields
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def curator_only(self) -> bool:
        return self.owner == DEPARTMENT

    @property
    def is_place(self) -> bool:
        return self.kind == PLACE

    @property
    def is_person(self) -> bool:
        return self.kind == PERSON

    @property
    def schema_org_class(self) -> str:
        return self.schema_org[0]

    @property
    def scheming_schema(self) -> str:
        """The ``scheming.dataset_schemas`` entry."""
        return f"{SCHEMAS_PACKAGE}:{self.schema_file}"

    def option(self, key: str, default: Any = None) -> Any:
        return dict(self.options).get(key, default)

    def schema_org_subclass(self, record: dict[str, Any]) -> str | None:
        """The finer schema.org class of one record, by the value of a field
        (``schema_org_by: {field: <field>, classes: {<code>: <class>}}``), if declared."""
        by = self.option("schema_org_by")
        if not by:
            return None
        return by.get("classes", {}).get(str(record.get(by["field"]) or ""))


def load_schema(file_name: str) -> dict[str, Any]:
    """A schema file of ``schemas/``, parsed (a copy: callers may change it)."""
    schema: dict[str, Any] = yaml_files.package_file(SCHEMAS_PACKAGE, file_name)
    return schema


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value.get("vi") or not value.get("en"):
        raise DeclarationError(f"{where}: give {{vi: …, en: …}}")
    if set(value) != {"vi", "en"}:  # an unquoted comma in a flow mapping splits the text
        raise DeclarationError(f"{where}: only vi and en, quoted if they hold a comma")
    return {"vi": str(value["vi"]), "en": str(value["en"])}


def field_names(schema: dict[str, Any]) -> set[str]:
    """The field names of a scheming schema (its own and those of its presets)."""
    presets = {
        p["preset_name"]: p.get("values") or {}
        for p in load_schema("presets.yaml").get("presets") or ()
    }
    names = set()
    for field in schema.get("dataset_fields") or ():
        name = field.get("field_name") or presets.get(field.get("preset"), {}).get("field_name")
        if name:
            names.add(str(name))
    return names


def _quality(
    value: Any, schema: dict[str, Any], where: str
) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """``quality: {recommended: [...], credential_expiry: [...], photo: true}``, every
    named field one of the schema's."""
    if value is None:
        return (), (), True
    if not isinstance(value, dict) or set(value) - {"recommended", "credential_expiry", "photo"}:
        raise DeclarationError(f"{where}: give {{recommended, credential_expiry, photo}}")
    recommended = tuple(str(f) for f in value.get("recommended") or ())
    expiry = tuple(str(f) for f in value.get("credential_expiry") or ())
    known = field_names(schema)
    unknown = [f for f in (*recommended, *expiry) if f not in known]
    if unknown:
        raise DeclarationError(f"{where}: not a field of the schema: {', '.join(unknown)}")
    return recommended, expiry, bool(value.get("photo", True))


def declaration(file_name: str, schema: dict[str, Any] | None = None) -> RecordType:
    """The record type declared by the schema ``file_name`` (or by ``schema`` itself)."""
    schema = schema if schema is not None else load_schema(file_name)
    block = schema.get("khtourism")
    where = f"{file_name}: khtourism"
    if not isinstance(block, dict):
        raise DeclarationError(f"{file_name}: no khtourism: block (the type's declaration)")
    missing = [
        key
        for key in ("collection", "collection_title", "names", "icon", "owner", "kind")
        + ("schema_org", "concept", "facets", "identifiers")
        if key not in block
    ]
    if missing:
        raise DeclarationError(f"{where}: missing {', '.join(missing)}")
    if block["owner"] not in OWNERS:
        raise DeclarationError(f"{where}.owner: one of {', '.join(OWNERS)}")
    if block["kind"] not in KINDS:
        raise DeclarationError(f"{where}.kind: one of {', '.join(KINDS)}")
    names = block["names"] or {}
    concept = block["concept"] or {}
    known = {
        "collection",
        "collection_title",
        "names",
        "icon",
        "owner",
        "kind",
        "schema_org",
        "concept",
        "facets",
        "api_filters",
        "identifiers",
        "private_fields",
        "harvest_key",
        "area_field",
        "quality",
    }
    quality = _quality(block.get("quality"), schema, f"{where}.quality")
    return RecordType(
        name=str(schema["dataset_type"]),
        schema_file=file_name,
        collection=str(block["collection"]),
        collection_title=_bilingual(block["collection_title"], f"{where}.collection_title"),
        names={form: _bilingual(names.get(form), f"{where}.names.{form}") for form in NAME_FORMS},
        icon=str(block["icon"]),
        owner=str(block["owner"]),
        kind=str(block["kind"]),
        schema_org=tuple(block["schema_org"]),
        concept_label=_bilingual(concept.get("label"), f"{where}.concept.label"),
        concept_definition=str(concept.get("definition") or ""),
        eu_theme=str(concept.get("eu_theme") or "ECON"),
        facets=tuple(block["facets"]),
        api_filters=tuple(
            ApiFilter(
                str(f["field"]),
                str(f.get("description") or ""),
                str(f.get("description_vi") or ""),
            )
            for f in block.get("api_filters") or ()
        ),
        identifiers=tuple(block["identifiers"]),
        private_fields=tuple(block.get("private_fields") or ()),
        harvest_key=block.get("harvest_key"),
        area_field=block.get("area_field"),
        quality_recommended=quality[0],
        quality_credential_expiry=quality[1],
        quality_photo=quality[2],
        options=tuple(sorted((k, v) for k, v in block.items() if k not in known)),
    )


@functools.lru_cache(maxsize=1)
def declarations() -> dict[str, RecordType]:
    """Every registered record type, by dataset type, in ``SCHEMA_FILES`` order."""
    types = [declaration(file_name) for file_name in SCHEMA_FILES]
    return {record_type.name: record_type for record_type in types}


def get(dataset_type: str) -> RecordType:
    return declarations()[dataset_type]


# Dataset types handled by this extension (the ``type`` of each scheming schema).
RECORD_TYPES: tuple[str, ...] = tuple(declarations())
CURATOR_ONLY_TYPES: tuple[str, ...] = tuple(
    t.name for t in declarations().values() if t.curator_only
)
BUSINESS_TYPES: tuple[str, ...] = tuple(
    t.name for t in declarations().values() if not t.curator_only
)
PLACE_TYPES: tuple[str, ...] = tuple(t.name for t in declarations().values() if t.is_place)
PERSON_TYPES: tuple[str, ...] = tuple(t.name for t in declarations().values() if t.is_person)


def is_record_type(dataset_type: str | None) -> bool:
    return dataset_type in RECORD_TYPES
