"""URIs and the SKOS concept scheme of the tourism record types.

The scheme is published by the portal at ``<base>/dcat/record-types`` (Turtle,
RDF/XML or JSON-LD by extension or ``Accept`` header); each record type is a
concept ``<base>/dcat/record-types#<type>``. ``<base>`` is ckanext-dcat's
catalogue URI (``ckanext.dcat.base_uri``, else ``ckan.site_url``), so the URIs
stay stable as long as the portal's public address does.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ckanext.dcat.utils import catalog_uri

from ckanext.khtourism.core.record_types import declarations

RECORD_TYPES_PATH = "/dcat/record-types"
TERMS_PATH = "/dcat/terms"

EU_DATA_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_DATA_THEME_SCHEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_ACCESS_RIGHT = Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
IANA_MEDIA_TYPE = Namespace("https://www.iana.org/assignments/media-types/")

EU_THEME_LABELS = {
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "TRAN": "Transport",
}

# CKAN resource formats -> EU Publications Office file-type codes.
FILE_TYPES = {
    "CSV": "CSV",
    "GEOJSON": "GEOJSON",
    "JSON": "JSON",
    "JSON-LD": "JSON_LD",
    "JSONLD": "JSON_LD",
    "XML": "XML",
    "RDF": "RDF_XML",
    "TTL": "RDF_TURTLE",
    "TURTLE": "RDF_TURTLE",
    "PDF": "PDF",
    "JPEG": "JPEG",
    "JPG": "JPEG",
    "PNG": "PNG",
    "GIF": "GIF",
    "TIFF": "TIFF",
    "WEBP": "WEBP",
    "XLS": "XLS",
    "XLSX": "XLSX",
    "ODS": "ODS",
    "DOC": "DOC",
    "DOCX": "DOCX",
    "ODT": "ODT",
    "TXT": "TXT",
    "HTML": "HTML",
    "ZIP": "ZIP",
    "KML": "KML",
    "KMZ": "KMZ",
    "SHP": "SHP",
    "GPKG": "GPKG",
    "MP4": "MP4",
    "SVG": "SVG",
}


def file_type_code(label: str) -> str | None:
    return FILE_TYPES.get(label.strip().upper().lstrip("."))


def file_type_label(uri: str) -> str | None:
    prefix = str(EU_FILE_TYPE)
    if uri.startswith(prefix):
        code = uri[len(prefix) :]
        for label, known in FILE_TYPES.items():
            if known == code:
                return label
        return code
    return None


# ISO 639-1 (as stored in records) -> EU Publications Office language authority.
LANGUAGE_AUTHORITY = {"vi": "VIE", "en": "ENG"}


@dataclass(frozen=True)
class RecordType:
    name: str
    label_vi: str
    label_en: str
    definition_en: str
    eu_theme: str
    # schema.org classes the dataset node also carries (first one is the main class)
    schema_classes: tuple[str, ...]


# The concept of each declared record type (core/record_types.py: ``schema_org`` and
# ``concept`` of the schema's ``khtourism:`` block), in their order.
RECORD_TYPES: dict[str, RecordType] = {
    rt.name: RecordType(
        rt.name,
        rt.concept_label["vi"],
        rt.concept_label["en"],
        rt.concept_definition,
        rt.eu_theme,
        rt.schema_org,
    )
    for rt in declarations().values()
}

# schema.org sub-classes of LodgingBusiness by accommodation type (the main
# class stays LodgingBusiness for all of them).
ACCOMMODATION_CLASSES = {
    "khach_san": "Hotel",
    "bai_cam_trai": "Campground",
    "homestay": "BedAndBreakfast",
    "nha_nghi_du_lich": "Hostel",
}
HOTEL_SUBTYPE_CLASSES = {"resort": "Resort", "motel": "Motel"}


_BASE_URIS: dict[tuple, str] = {}


def base_uri() -> str:
    """ckanext-dcat's catalogue URI, computed once per configuration."""
    from ckan.plugins.toolkit import config

    key = (config.get("ckanext.dcat.base_uri"), config.get("ckan.site_url"))
    if key not in _BASE_URIS:
        _BASE_URIS[key] = catalog_uri().rstrip("/")
    return _BASE_URIS[key]


def scheme_uri() -> URIRef:
    return URIRef(base_uri() + RECORD_TYPES_PATH)


def concept_uri(record_type: str) -> URIRef:
    return URIRef(f"{scheme_uri()}#{record_type}")


def record_type_from_concept(uri: str) -> str | None:
    """The record type a concept URI names, whatever portal published it."""
    prefix, _, fragment = str(uri).rpartition("#")
    if prefix.endswith(RECORD_TYPES_PATH) and fragment in RECORD_TYPES:
        return fragment
    return None


DQV = Namespace("http://www.w3.org/ns/dqv#")
QUALITY_PATH = "/dcat/quality"


def quality_namespace() -> Namespace:
    """The metrics of the records' metadata quality (records/quality.py)."""
    return Namespace(base_uri() + QUALITY_PATH + "#")


def quality_metric_label(name: str, lang: str) -> str:
    from ckanext.khtourism.core import messages
    from ckanext.khtourism.records import quality

    if name == "score":
        return messages.translate(quality.SCORE_LABEL, lang)
    return quality.dimension_label(name, lang)


def terms_namespace() -> Namespace:
    """Properties of the record fields: ``<base>/dcat/terms#<field>``."""
    return Namespace(base_uri() + TERMS_PATH + "#")


def field_from_term(uri: str) -> str | None:
    """The field a term URI names, whatever portal published it."""
    prefix, _, fragment = uri.rpartition("#")
    return fragment if prefix.endswith(TERMS_PATH) and fragment else None


def terms_graph() -> Graph:
    """The portal's record-field properties (one rdf:Property per public field)."""
    from . import fields as F

    graph = Graph()
    namespace = terms_namespace()
    graph.bind("khtr", namespace)
    vocabulary = URIRef(base_uri() + TERMS_PATH)
    graph.add((vocabulary, RDF.type, OWL.Ontology))
    graph.add((vocabulary, DCTERMS.title, Literal("Thuộc tính hồ sơ du lịch", lang="vi")))
    graph.add((vocabulary, DCTERMS.title, Literal("Tourism record properties", lang="en")))
    seen: dict[str, set[str]] = {}
    for record_type in RECORD_TYPES:
        for field in list(F.public_fields(record_type)) + ["name"]:
            seen.setdefault(field, set()).add(record_type)
    for field, record_types in sorted(seen.items()):
        prop = namespace[field]
        graph.add((prop, RDF.type, RDF.Property))
        graph.add((prop, RDFS.label, Literal(field)))
        graph.add((prop, RDFS.isDefinedBy, vocabulary))
        for record_type in sorted(record_types):
            graph.add(
                (
                    prop,
                    RDFS.comment,
                    Literal(
                        f"Field `{field}` of the `{record_type}` record type (docs/record-types.md).",
                        lang="en",
                    ),
                )
            )
    return graph


def eu_theme_uri(record_type: str) -> URIRef:
    return EU_DATA_THEME[RECORD_TYPES[record_type].eu_theme]


def add_scheme(graph: Graph, with_concepts: bool = True) -> URIRef:
    """Add the record-type concept scheme (and its concepts) to ``graph``."""
    scheme = scheme_uri()
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal("Loại hồ sơ du lịch", lang="vi")))
    graph.add((scheme, DCTERMS.title, Literal("Tourism record types", lang="en")))
    graph.add((scheme, SKOS.prefLabel, Literal("Loại hồ sơ du lịch", lang="vi")))
    graph.add((scheme, SKOS.prefLabel, Literal("Tourism record types", lang="en")))
    if not with_concepts:
        return scheme
    for record_type in RECORD_TYPES.values():
        concept = concept_uri(record_type.name)
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.topConceptOf, scheme))
        graph.add((scheme, SKOS.hasTopConcept, concept))
        graph.add((concept, SKOS.notation, Literal(record_type.name)))
        graph.add((concept, SKOS.prefLabel, Literal(record_type.label_vi, lang="vi")))
        graph.add((concept, SKOS.prefLabel, Literal(record_type.label_en, lang="en")))
        graph.add((concept, SKOS.definition, Literal(record_type.definition_en, lang="en")))
        graph.add((concept, SKOS.related, eu_theme_uri(record_type.name)))
    return scheme


def scheme_graph() -> Graph:
    graph = Graph()
    add_scheme(graph)
    return graph
