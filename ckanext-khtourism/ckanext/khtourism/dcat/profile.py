"""The ``khtourism`` RDF profile, chained after ckanext-dcat's ``euro_dcat_ap_3``.

``euro_dcat_ap_3`` writes the generic DCAT-AP 3 triples (identifier, keywords,
dates, publisher, distributions, WKT geometry). This profile adds, for the four
tourism record types, what makes a record meaningful and complete:

* the schema.org class of the record and its tourism properties;
* language-tagged titles and descriptions (vi, en);
* themes: the EU data theme (ECON / EDUC) and our record-type concept;
* address (``locn:Address``), location (the point as ``dcat:centroid``, the
  extent as ``dcat:bbox``, WKT; no ``locn:geometry``, see ``_add_location``), vCard contact point, licence, access rights, languages;
* every public field of docs/record-types.md with its own property of the
  portal's vocabulary ``<site>/dcat/terms#<field>`` (typed literal), so that
  ``parse_dataset`` gives the record back losslessly.

It also describes the registry datasets (distributions + the tourism API as a
``dcat:DataService``) and the catalogue itself. It never reads fields that
are not listed in :mod:`ckanext.khtourism.dcat.fields`, so private guide
fields and the curation state cannot appear in its output.
"""

from __future__ import annotations

import json
from typing import Any

import shapely.errors
import shapely.geometry
import shapely.wkt
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD

from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    GEOJSON_IMT,
    GSP,
    LOCN,
    SCHEMA,
    VCARD,
)

from ckanext.khtourism.core import record_types
from ckanext.khtourism.core.record_types import PERSON_TYPES
from ckanext.khtourism.records.schema_choices import dataset_fields

from . import fields as F
from . import licenses, registry_names, settings
from . import vocabulary as V

# Keys of a parsed record that are CKAN's own, not fields of its scheming schema.
RECORD_CORE_KEYS = {"type", "extras", "resources", "tags", "url", "owner_org", "id"}
GEOJSON_DATATYPE = URIRef(GEOJSON_IMT)


def _geometry(value: Any) -> dict | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) and parsed.get("type") else None
    return None


def _shape(geojson: dict | None):
    if not geojson:
        return None
    try:
        return shapely.geometry.shape(geojson)
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


def _point_geojson(text: str, datatype) -> str | None:
    """A point literal (GeoJSON or WKT) as GeoJSON text; None for anything else."""
    if datatype == GEOJSON_DATATYPE:
        geometry = _geometry(text)
        return text if geometry and geometry.get("type") == "Point" else None
    try:
        shape = shapely.wkt.loads(text)
    except (shapely.errors.ShapelyError, ValueError, TypeError):
        return None
    if shape.geom_type != "Point" or shape.is_empty:
        return None
    return json.dumps(shapely.geometry.mapping(shape))


def _organization_id(name: str) -> str:
    """The id of the authority's organization (its URI is the same as when it
    publishes records: ``<site>/organization/<id>``); the name if it does not exist."""
    from ckan import model

    group = model.Group.get(name) if name else None
    return group.id if group is not None else name


def spec_theme(record_type: str) -> str:
    return V.RECORD_TYPES[record_type].eu_theme


def _as_list(value: Any) -> list:
    if F.is_empty(value):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [item.strip() for item in value.split(",") if item.strip()]
        return parsed if isinstance(parsed, list) else [parsed]
    return [value]


class KhTourismProfile(RDFProfile):
    """Tourism semantics on top of DCAT-AP 3 (register as ``khtourism``)."""

    # ------------------------------------------------------------------ output

    def graph_from_dataset(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        self._terms = V.terms_namespace()
        self.g.bind("khtr", self._terms)
        self.g.bind("schema", SCHEMA)
        self.g.bind("locn", LOCN)
        self.g.bind("gsp", GSP)
        record_type = dataset_dict.get("type")
        if record_type in V.RECORD_TYPES:
            self._record_graph(dataset_dict, dataset_ref, record_type)
        elif registered := registry_names.record_type_of_registry(dataset_dict.get("name")):
            self._registry_graph(dataset_dict, dataset_ref, registered)

    def graph_from_catalog(self, catalog_dict: dict | None, catalog_ref: URIRef) -> None:
        g = self.g
        texts = settings.catalog_texts()
        for predicate, key in ((DCT.title, "title"), (DCT.description, "description")):
            g.remove((catalog_ref, predicate, None))
            if texts[f"{key}_vi"]:
                g.add((catalog_ref, predicate, Literal(texts[f"{key}_vi"], lang="vi")))
            if texts[f"{key}_en"]:
                g.add((catalog_ref, predicate, Literal(texts[f"{key}_en"], lang="en")))
        g.remove((catalog_ref, DCT.language, None))
        self._add_languages(catalog_ref, ("vi", "en"))
        publisher_ref = self._add_authority(catalog_ref, DCT.publisher)
        if publisher_ref is not None:
            g.add((catalog_ref, DCT.creator, publisher_ref))
        license_url = settings.catalog_license_url()
        if license_url:
            self._add_license_uri(catalog_ref, license_url)
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        # Theme taxonomies the datasets use.
        own_scheme = V.add_scheme(g, with_concepts=False)
        g.add((catalog_ref, DCAT.themeTaxonomy, own_scheme))
        g.add((catalog_ref, DCAT.themeTaxonomy, V.EU_DATA_THEME_SCHEME))
        g.add((V.EU_DATA_THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
        g.add((V.EU_DATA_THEME_SCHEME, DCT.title, Literal("Data theme", lang="en")))
        # The tourism API, described once for the whole catalogue.
        service = self._add_data_service()
        g.add((catalog_ref, DCAT.service, service))

    # ------------------------------------------------------------- records

    def _record_graph(self, data: dict, ref: URIRef, record_type: str) -> None:
        g = self.g
        spec = V.RECORD_TYPES[record_type]
        for class_name in spec.schema_classes:
            g.add((ref, RDF.type, SCHEMA[class_name]))
        if record_type == "accommodation":
            for mapping, key in (
                (V.ACCOMMODATION_CLASSES, "accommodation_type"),
                (V.HOTEL_SUBTYPE_CLASSES, "hotel_subtype"),
            ):
                subclass_name = mapping.get(str(data.get(key) or ""))
                if subclass_name:
                    g.add((ref, RDF.type, SCHEMA[subclass_name]))
        declared = record_types.declarations().get(record_type)
        subclass = declared.schema_org_subclass(data) if declared else None
        if subclass:
            g.add((ref, RDF.type, SCHEMA[subclass]))

        title = data.get("title") or data.get("name") or ""
        self._bilingual(ref, DCT.title, title, data.get("title_en"))
        self._bilingual(ref, SCHEMA.name, title, data.get("title_en"))
        notes = data.get("notes") or ""
        g.remove((ref, DCT.description, None))
        if notes:
            g.add((ref, DCT.description, Literal(notes, lang="vi")))
        else:
            # dct:description is mandatory in DCAT-AP; an untagged stand-in is
            # published and recognised (and dropped) by parse_dataset.
            g.add((ref, DCT.description, Literal(f"{spec.label_vi}: {title}")))
        if data.get("notes_en"):
            g.add((ref, DCT.description, Literal(data["notes_en"], lang="en")))

        self._add_themes(ref, record_type)
        self._add_languages(
            ref, ("vi", "en") if data.get("title_en") or data.get("notes_en") else ("vi",)
        )
        self._add_public_access(ref)
        landing = f"{V.base_uri()}/{record_type}/{data.get('name') or data.get('id')}"
        if (ref, DCAT.landingPage, None) not in g:
            g.add((ref, DCAT.landingPage, URIRef(landing)))
            g.add((URIRef(landing), RDF.type, FOAF.Document))
        self._add_distribution_formats(ref)
        if data.get("license_id"):
            self._add_license(ref, data["license_id"])

        self._add_publisher_identifier(ref, data)
        if data.get("establishment_id"):
            # the portal's establishment identifier is the record's dct:identifier (stable,
            # independent of the enterprise code; euro_dcat_ap_3 wrote the dataset id)
            g.remove((ref, DCT.identifier, None))
            g.add((ref, DCT.identifier, Literal(str(data["establishment_id"]))))
        address = self._add_address(ref, data)
        self._add_location(ref, data, address)
        self._add_contact(ref, data, record_type, address)
        self._add_property_values(ref, data, record_type)
        if data.get("name"):
            self._add_property_value(ref, "name", data["name"], F.TEXT)
        self._add_schema_properties(ref, data, record_type)
        if data.get("source_url"):
            self._add_uri_or_literal(ref, DCT.source, data["source_url"])
        self._add_quality(ref, data)

    def _add_quality(self, ref, data: dict) -> None:
        """W3C DQV: one ``dqv:QualityMeasurement`` per dimension that applies and one of
        the overall score (``records/quality.py``), each ``dqv:isMeasurementOf`` a metric
        of the portal's ``<site>/dcat/quality#`` vocabulary."""
        from ckanext.khtourism.records import quality as record_quality

        found = record_quality.assess(data)
        if found is None:
            return
        g = self.g
        metrics = V.quality_namespace()
        g.bind("dqv", V.DQV)
        values: list[tuple[str, Literal]] = [("score", Literal(found.score, datatype=XSD.integer))]
        values += [
            (name, Literal(round(value, 3), datatype=XSD.double))
            for name, value in found.dimensions.items()
            if value is not None
        ]
        for name, value in values:
            metric = metrics[name]
            measurement = URIRef(f"{ref}#quality-{name}")
            g.add((ref, V.DQV.hasQualityMeasurement, measurement))
            g.add((measurement, RDF.type, V.DQV.QualityMeasurement))
            g.add((measurement, V.DQV.computedOn, ref))
            g.add((measurement, V.DQV.isMeasurementOf, metric))
            g.add((measurement, V.DQV.value, value))
            g.add((metric, RDF.type, V.DQV.Metric))
            g.add((metric, V.DQV.expectedDataType, value.datatype))
            for lang in ("vi", "en"):
                g.add(
                    (metric, SKOS.prefLabel, Literal(V.quality_metric_label(name, lang), lang=lang))
                )

    def _add_publisher_identifier(self, ref, data: dict) -> None:
        """``dct:identifier`` of the publishing organization: its CKAN name.

        ``euro_dcat_ap_3`` writes the owning organization as the publisher
        (``<site>/organization/<id>``, ``foaf:name`` its title) and adds
        ``dct:identifier`` only when the organization has an ``identifier``
        extra. The name is what another CKAN can match an organization of its
        own against (ids differ between portals), see ``_parsed_owner_org``.
        """
        organization = data.get("organization") or {}
        if not organization.get("name"):
            return
        for publisher in self.g.objects(ref, DCT.publisher):
            if isinstance(publisher, URIRef) and (publisher, DCT.identifier, None) not in self.g:
                self.g.add((publisher, DCT.identifier, Literal(organization["name"])))

    def _bilingual(self, subject, predicate, vi: str, en: str | None) -> None:
        self.g.remove((subject, predicate, None))
        if vi:
            self.g.add((subject, predicate, Literal(vi, lang="vi")))
        if en:
            self.g.add((subject, predicate, Literal(en, lang="en")))

    def _add_themes(self, ref, record_type: str, *, is_record: bool = True) -> None:
        g = self.g
        eu_theme = V.eu_theme_uri(record_type)
        g.add((ref, DCAT.theme, eu_theme))
        g.add((eu_theme, RDF.type, SKOS.Concept))
        g.add((eu_theme, SKOS.inScheme, V.EU_DATA_THEME_SCHEME))
        g.add(
            (
                eu_theme,
                SKOS.prefLabel,
                Literal(V.EU_THEME_LABELS[spec_theme(record_type)], lang="en"),
            )
        )
        own = self._add_own_concept(record_type)
        g.add((ref, DCAT.theme, own))
        if is_record:
            # what the dataset *is*: a record of this type (a register is only about them)
            g.add((ref, DCT.type, own))

    def _add_own_concept(self, record_type: str) -> URIRef:
        g = self.g
        own = V.concept_uri(record_type)
        g.add((own, RDF.type, SKOS.Concept))
        g.add((own, SKOS.inScheme, V.scheme_uri()))
        spec = V.RECORD_TYPES[record_type]
        g.add((own, SKOS.prefLabel, Literal(spec.label_vi, lang="vi")))
        g.add((own, SKOS.prefLabel, Literal(spec.label_en, lang="en")))
        return own

    def _add_distribution_formats(self, ref) -> None:
        """dct:format as an EU file-type URI (DCAT-AP 3 wants a dct:MediaTypeOrExtent)."""
        g = self.g
        for distribution in g.objects(ref, DCAT.distribution):
            for fmt in list(g.objects(distribution, DCT["format"])):
                if not isinstance(fmt, Literal):
                    continue
                code = V.file_type_code(str(fmt))
                if code:
                    g.remove((distribution, DCT["format"], fmt))
                    uri = V.EU_FILE_TYPE[code]
                    g.add((distribution, DCT["format"], uri))
                    g.add((uri, RDF.type, DCT.MediaTypeOrExtent))
            for media_type in list(g.objects(distribution, DCAT.mediaType)):
                if isinstance(media_type, Literal) and "/" in str(media_type):
                    g.remove((distribution, DCAT.mediaType, media_type))
                    uri = V.IANA_MEDIA_TYPE[str(media_type).strip()]
                    g.add((distribution, DCAT.mediaType, uri))
                    g.add((uri, RDF.type, DCT.MediaType))

    def _add_languages(self, ref, languages) -> None:
        for code in languages:
            language = V.EU_LANGUAGE[V.LANGUAGE_AUTHORITY[code]]
            self.g.add((ref, DCT.language, language))
            self.g.add((language, RDF.type, DCT.LinguisticSystem))

    def _add_public_access(self, ref) -> None:
        public = V.EU_ACCESS_RIGHT["PUBLIC"]
        self.g.add((ref, DCT.accessRights, public))
        self.g.add((public, RDF.type, DCT.RightsStatement))

    def _add_license_uri(self, subject, uri: str) -> URIRef:
        license_ref = URIRef(uri)
        self.g.add((subject, DCT.license, license_ref))
        self.g.add((license_ref, RDF.type, DCT.LicenseDocument))
        return license_ref

    def _add_license(self, ref, license_id: str) -> None:
        uri = licenses.license_uri(license_id)
        if not uri:
            return
        self._add_license_uri(ref, uri)
        # Every distribution carries the record's licence unless it has its own.
        for distribution in list(self.g.objects(ref, DCAT.distribution)):
            if (distribution, DCT.license, None) not in self.g:
                self._add_license_uri(distribution, uri)

    def _add_uri_or_literal(self, subject, predicate, value: str) -> None:
        value = str(value).strip()
        if value.startswith(("http://", "https://")):
            self.g.add((subject, predicate, URIRef(value)))
        else:
            self.g.add((subject, predicate, Literal(value)))

    def _add_authority(self, subject, predicate) -> URIRef | None:
        """The configured provincial authority as a foaf:Agent."""
        authority = settings.publisher()
        if not authority["name"]:
            return None
        agent = URIRef(
            f"{V.base_uri()}/organization/{_organization_id(settings.curator_organization())}"
        )
        g = self.g
        g.remove((subject, predicate, None))
        g.add((subject, predicate, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDF.type, FOAF.Organization))
        g.add((agent, FOAF.name, Literal(authority["name"], lang="vi")))
        if authority["name_en"]:
            g.add((agent, FOAF.name, Literal(authority["name_en"], lang="en")))
        if authority["url"]:
            g.add((agent, FOAF.homepage, URIRef(authority["url"])))
            g.add((URIRef(authority["url"]), RDF.type, FOAF.Document))
        agent_type = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
        g.add((agent, DCT.type, agent_type))
        g.add((agent_type, RDF.type, SKOS.Concept))
        g.add((agent_type, SKOS.prefLabel, Literal("Regional authority", lang="en")))
        return agent

    def _add_address(self, ref, data: dict) -> BNode | None:
        street = data.get("street_address") or data.get("office_address")
        admin_unit = data.get("admin_unit")
        if not (street or admin_unit):
            return None
        g = self.g
        address = BNode()
        g.add((address, RDF.type, LOCN.Address))
        g.add((address, RDF.type, SCHEMA.PostalAddress))
        parts = [str(p) for p in (street,) if p]
        if street:
            g.add((address, LOCN.thoroughfare, Literal(street)))
            g.add((address, SCHEMA.streetAddress, Literal(street)))
        if admin_unit:
            # Commune-level unit code (Decision 19/2025/QĐ-TTg).
            g.add((address, LOCN.adminUnitL2, Literal(str(admin_unit))))
            g.add((address, SCHEMA.addressLocality, Literal(str(admin_unit))))
        g.add((address, LOCN.adminUnitL1, Literal("Khánh Hòa")))
        g.add((address, SCHEMA.addressRegion, Literal("Khánh Hòa")))
        g.add((address, SCHEMA.addressCountry, Literal("VN")))
        parts.append("Khánh Hòa, Việt Nam")
        g.add((address, LOCN.fullAddress, Literal(", ".join(parts))))
        g.add((ref, SCHEMA.address, address))
        g.add((ref, LOCN.address, address))
        return address

    def _add_location(self, ref, data: dict, address) -> None:
        """The record's ``dct:Location``, as the DCAT-AP 3.0.1 shapes accept it.

        The shapes want ``locn:geometry`` to be at most one node of class
        ``locn:Geometry``, which ckanext-dcat's parser (the stock harvester of the
        national network) cannot read. So no ``locn:geometry`` is published: the
        record's point is the location's ``dcat:centroid`` and the extent (the area,
        else the point) its ``dcat:bbox``, one WKT literal each, both of which
        ckanext-dcat reads (``spatial_centroid``, ``spatial_bbox``). The area itself
        stays a GeoJSON literal of the portal's vocabulary (``khtr:area``). A record
        with an area and no point has a bounding box and no centroid, so that the
        parser never invents a point.
        """
        point = _geometry(data.get("spatial"))
        area = _geometry(data.get("area"))
        if not (point or area or address):
            return
        g = self.g
        # Each geometry is parsed once (shapely parsing and WKT writing were a
        # visible share of building a record's graph).
        point_shape, area_shape = _shape(point), _shape(area)
        location = next(iter(g.objects(ref, DCT.spatial)), None)
        if location is None:
            location = BNode()
            g.add((ref, DCT.spatial, location))
        g.add((location, RDF.type, DCT.Location))
        # The generic profile's literal geometries (WKT and GeoJSON) are replaced.
        g.remove((location, LOCN.geometry, None))
        extent_shape = area_shape or point_shape
        if extent_shape is not None:
            # One WKT literal each: DCAT-AP 3 allows at most one bbox and centroid.
            envelope = extent_shape if extent_shape.geom_type == "Point" else extent_shape.envelope
            g.remove((location, DCAT.bbox, None))
            g.add((location, DCAT.bbox, Literal(envelope.wkt, datatype=GSP.wktLiteral)))
        g.remove((location, DCAT.centroid, None))
        if point_shape is not None and point_shape.geom_type == "Point":
            g.add((location, DCAT.centroid, Literal(point_shape.wkt, datatype=GSP.wktLiteral)))
        if address is not None:
            g.add((location, LOCN.address, address))
        if point_shape is not None and point_shape.geom_type == "Point":
            geo = BNode()
            g.add((ref, SCHEMA.geo, geo))
            g.add((geo, RDF.type, SCHEMA.GeoCoordinates))
            g.add((geo, SCHEMA.latitude, Literal(point_shape.y, datatype=XSD.decimal)))
            g.add((geo, SCHEMA.longitude, Literal(point_shape.x, datatype=XSD.decimal)))
        if area:
            shape = BNode()
            g.add((ref, SCHEMA.geo, shape))
            g.add((shape, RDF.type, SCHEMA.GeoShape))
            if area_shape is not None:
                g.add((shape, SCHEMA.polygon, Literal(area_shape.wkt)))

    def _add_contact(self, ref, data: dict, record_type: str, address) -> None:
        phone, email, website = data.get("phone"), data.get("email"), data.get("website")
        if not (phone or email or website):
            return
        g = self.g
        contact = BNode()
        g.add((ref, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        person = record_type in PERSON_TYPES
        kind = VCARD.Individual if person else VCARD.Organization
        g.add((contact, RDF.type, kind))
        name = data.get("full_name") if person else data.get("title")
        if name:
            g.add((contact, VCARD.fn, Literal(name)))
        if email:
            mailto = URIRef("mailto:" + str(email).replace("mailto:", ""))
            g.add((contact, VCARD.hasEmail, mailto))
            g.add((ref, SCHEMA.email, Literal(str(email))))
        if phone:
            tel = BNode()
            g.add((contact, VCARD.hasTelephone, tel))
            g.add((tel, RDF.type, VCARD.Voice))
            g.add((tel, VCARD.hasValue, URIRef("tel:" + "".join(str(phone).split()))))
            g.add((ref, SCHEMA.telephone, Literal(str(phone))))
        if website:
            self._add_uri_or_literal(contact, VCARD.hasURL, website)
            self._add_uri_or_literal(ref, SCHEMA.url, website)

    def _add_property_value(self, ref, field: str, value: Any, kind: str) -> None:
        self.g.add((ref, self._terms[field], self._typed(value, kind)))

    @staticmethod
    def _typed(value: Any, kind: str) -> Literal:
        if kind == F.INT:
            try:
                return Literal(int(value), datatype=XSD.integer)
            except (TypeError, ValueError):
                return Literal(str(value))
        if kind == F.DATE:
            text = str(value)
            if len(text) == 10:
                return Literal(text, datatype=XSD.date)
            return Literal(text)
        if kind == F.DATETIME:
            return Literal(str(value), datatype=XSD.dateTime)
        if kind == F.GEOJSON:
            geometry = _geometry(value)
            if geometry:
                return Literal(json.dumps(geometry, ensure_ascii=False), datatype=GEOJSON_DATATYPE)
        return Literal(str(value))

    def _add_property_values(self, ref, data: dict, record_type: str) -> None:
        for field, kind in F.public_fields(record_type).items():
            value = data.get(field)
            if F.is_empty(value):
                continue
            if kind == F.MULTI:
                for item in _as_list(value):
                    self._add_property_value(ref, field, item, F.TEXT)
            else:
                self._add_property_value(ref, field, value, kind)

    def _add_credential(self, ref, identifier, category, valid_from, expires, issuer) -> None:
        if not identifier:
            return
        g = self.g
        credential = BNode()
        g.add((ref, SCHEMA.hasCredential, credential))
        g.add((credential, RDF.type, SCHEMA.EducationalOccupationalCredential))
        g.add((credential, SCHEMA.identifier, Literal(str(identifier))))
        if category:
            g.add((credential, SCHEMA.credentialCategory, Literal(str(category))))
        if valid_from:
            g.add((credential, SCHEMA.validFrom, self._typed(valid_from, F.DATE)))
        if expires:
            g.add((credential, SCHEMA.expires, self._typed(expires, F.DATE)))
        if issuer:
            organization = BNode()
            g.add((credential, SCHEMA.recognizedBy, organization))
            g.add((organization, RDF.type, SCHEMA.Organization))
            g.add((organization, SCHEMA.name, Literal(str(issuer))))

    def _add_schema_properties(self, ref, data: dict, record_type: str) -> None:
        g = self.g
        declared = record_types.declarations().get(record_type)
        # the type's declared field -> schema.org property pairs (``schema_org_properties``)
        for field, prop in (
            (declared.option("schema_org_properties") or {}) if declared else {}
        ).items():
            for value in _as_list(data.get(field)):
                if not F.is_empty(value):
                    g.add((ref, SCHEMA[prop], Literal(str(value))))
        for language in _as_list(data.get("languages")):
            g.add((ref, SCHEMA.knowsLanguage, Literal(str(language))))
        if data.get("enterprise_code"):
            g.add((ref, SCHEMA.taxID, Literal(str(data["enterprise_code"]))))
        if record_type == "accommodation":
            stars = str(data.get("star_rating") or "")
            if stars.isdigit():
                rating = BNode()
                g.add((ref, SCHEMA.starRating, rating))
                g.add((rating, RDF.type, SCHEMA.Rating))
                g.add((rating, SCHEMA.ratingValue, Literal(int(stars), datatype=XSD.integer)))
                g.add((rating, SCHEMA.bestRating, Literal(5, datatype=XSD.integer)))
            if not F.is_empty(data.get("rooms")):
                g.add((ref, SCHEMA.numberOfRooms, self._typed(data["rooms"], F.INT)))
            for key, predicate in (
                ("checkin_time", SCHEMA.checkinTime),
                ("checkout_time", SCHEMA.checkoutTime),
            ):
                if data.get(key):
                    g.add((ref, predicate, Literal(str(data[key]))))
            for amenity in _as_list(data.get("amenities")):
                feature = BNode()
                g.add((ref, SCHEMA.amenityFeature, feature))
                g.add((feature, RDF.type, SCHEMA.LocationFeatureSpecification))
                g.add((feature, SCHEMA.name, Literal(str(amenity))))
                g.add((feature, SCHEMA.value, Literal(True)))
            low, high = data.get("price_min_vnd"), data.get("price_max_vnd")
            if not F.is_empty(low) or not F.is_empty(high):
                text = "–".join(str(v) for v in (low, high) if not F.is_empty(v))
                g.add((ref, SCHEMA.priceRange, Literal(f"{text} VND")))
        elif record_type == "tour-operator":
            g.add((ref, SCHEMA.legalName, Literal(data.get("title") or "", lang="vi")))
            if data.get("title_en"):
                g.add((ref, SCHEMA.alternateName, Literal(data["title_en"], lang="en")))
            self._add_credential(
                ref,
                data.get("licence_number"),
                data.get("licence_type"),
                data.get("licence_issue_date"),
                None,
                data.get("licence_issuer"),
            )
        elif record_type == "tour-guide":
            if data.get("full_name"):
                g.remove((ref, SCHEMA.name, None))
                g.add((ref, SCHEMA.name, Literal(data["full_name"])))
            occupation = BNode()
            g.add((ref, SCHEMA.hasOccupation, occupation))
            g.add((occupation, RDF.type, SCHEMA.Occupation))
            g.add((occupation, SCHEMA.name, Literal("Hướng dẫn viên du lịch", lang="vi")))
            g.add((occupation, SCHEMA.name, Literal("Tour guide", lang="en")))
            self._add_credential(
                ref,
                data.get("card_number"),
                data.get("card_type"),
                data.get("card_issue_date"),
                data.get("card_expiry_date"),
                data.get("issuing_province"),
            )
            if data.get("employer"):
                g.add((ref, SCHEMA.worksFor, Literal(str(data["employer"]))))
        elif record_type == "heritage-site":
            if data.get("opening_hours"):
                g.add((ref, SCHEMA.openingHours, Literal(str(data["opening_hours"]))))
            if data.get("managing_body"):
                g.add((ref, SCHEMA.maintainer, Literal(str(data["managing_body"]))))
            if data.get("ticket_price_vnd") not in (None, ""):
                g.add(
                    (
                        ref,
                        SCHEMA.isAccessibleForFree,
                        Literal(str(data["ticket_price_vnd"]) in ("0", "0.0")),
                    )
                )

    # ------------------------------------------------------------ registry

    def _add_data_service(self) -> URIRef:
        g = self.g
        service = URIRef(registry_names.data_service_uri())
        g.add((service, RDF.type, DCAT.DataService))
        self._bilingual(
            service, DCT.title, "API dữ liệu du lịch Khánh Hòa", "Khánh Hòa tourism data API"
        )
        self._bilingual(
            service,
            DCT.description,
            "API đọc hồ sơ du lịch đã công bố (JSON, GeoJSON, CSV, JSON-LD).",
            "Read API for the published tourism records (JSON, GeoJSON, CSV, JSON-LD).",
        )
        endpoint = URIRef(settings.api_base_url())
        g.add((service, DCAT.endpointURL, endpoint))
        description = URIRef(settings.api_description_url())
        g.add((service, DCAT.endpointDescription, description))
        for resource in (endpoint, description):
            g.add((resource, RDF.type, RDFS.Resource))
        g.add((service, DCT.conformsTo, URIRef("https://spec.openapis.org/oas/v3.1.0")))
        g.add((URIRef("https://spec.openapis.org/oas/v3.1.0"), RDF.type, DCT.Standard))
        self._add_public_access(service)
        self._add_authority(service, DCT.publisher)
        license_uri = licenses.license_uri("cc-by-4.0")
        if license_uri:
            self._add_license_uri(service, license_uri)
        for record_type in V.RECORD_TYPES:
            g.add((service, DCAT.theme, self._add_own_concept(record_type)))
        return service

    def _registry_graph(self, data: dict, ref: URIRef, record_type: str) -> None:
        g = self.g
        texts = registry_names.registry_texts(record_type)
        self._bilingual(ref, DCT.title, data.get("title") or texts["title_vi"], texts["title_en"])
        self._bilingual(
            ref, DCT.description, data.get("notes") or texts["notes_vi"], texts["notes_en"]
        )
        self._add_themes(ref, record_type, is_record=False)
        self._add_languages(ref, ("vi", "en"))
        self._add_public_access(ref)
        self._add_authority(ref, DCT.publisher)
        self._add_distribution_formats(ref)
        if data.get("license_id"):
            self._add_license(ref, data["license_id"])
        # The API as an access service of the register.
        service = self._add_data_service()
        g.add((service, DCAT.servesDataset, ref))
        api_distribution = URIRef(f"{ref}/distribution/api")
        g.add((ref, DCAT.distribution, api_distribution))
        g.add((api_distribution, RDF.type, DCAT.Distribution))
        self._bilingual(api_distribution, DCT.title, "API dữ liệu du lịch", "Tourism data API")
        g.add((api_distribution, DCAT.accessURL, URIRef(settings.api_base_url())))
        g.add((api_distribution, DCAT.accessService, service))
        g.add((api_distribution, DCAT.mediaType, V.IANA_MEDIA_TYPE["application/json"]))
        g.add((V.IANA_MEDIA_TYPE["application/json"], RDF.type, DCT.MediaType))
        if data.get("license_id") and (license_uri := licenses.license_uri(data["license_id"])):
            self._add_license_uri(api_distribution, license_uri)

    # --------------------------------------------------------------- input

    def parse_dataset(self, dataset_dict: dict, dataset_ref) -> dict:
        record_type = self._parsed_record_type(dataset_ref)
        if record_type is None:
            # A plain dataset (ckanext-dcat's own schema): its publisher, and its licence when
            # ckanext-dcat found none it knows (it only reads the distributions' licences
            # and keeps the ones its register has; the portal's default must not replace a
            # licence the source gave).
            owner_org = self._parsed_owner_org(dataset_ref)
            if owner_org:
                dataset_dict["owner_org"] = owner_org
            if not dataset_dict.get("license_id"):
                license_id = self._parsed_license(dataset_ref)
                if license_id:
                    dataset_dict["license_id"] = license_id
            return dataset_dict
        dataset_dict["type"] = record_type
        title_vi, title_en = self._language_values(dataset_ref, DCT.title)
        dataset_dict["title"] = title_vi
        if title_en:
            dataset_dict["title_en"] = title_en
        notes_vi, notes_en = self._language_values(
            dataset_ref, DCT.description, untagged_is_vi=False
        )
        dataset_dict["notes"] = notes_vi
        if notes_en:
            dataset_dict["notes_en"] = notes_en

        values = self._property_values(dataset_ref)
        for field, kind in F.public_fields(record_type).items():
            found = values.get(field)
            if not found:
                continue
            dataset_dict[field] = found if kind == F.MULTI else found[0]
        if values.get("name"):
            dataset_dict["name"] = values["name"][0]

        spatial = self._parsed_point(dataset_ref)
        if spatial:
            dataset_dict["spatial"] = spatial
        license_id = self._parsed_license(dataset_ref)
        if license_id:
            dataset_dict["license_id"] = license_id

        owner_org = self._parsed_owner_org(dataset_ref)
        if owner_org:
            dataset_dict["owner_org"] = owner_org

        # What the generic profiles parsed (into extras, or into the fields of the plain
        # `dataset` schema) is either mapped above or not part of the record types' schemas;
        # the dataset's URI stays, as the `uri` extra ckanext-dcat's harvester and ours read
        # (the record's identity at its source, and its `source_url`).
        uri = dataset_dict.get("uri") or (
            str(dataset_ref) if isinstance(dataset_ref, URIRef) else None
        )
        dataset_dict["extras"] = [{"key": "uri", "value": uri}] if uri else []
        known = {field["field_name"] for field in dataset_fields(record_type)}
        for key in list(dataset_dict):
            if key not in known and key not in RECORD_CORE_KEYS:
                del dataset_dict[key]
        for resource in dataset_dict.get("resources", []):
            label = V.file_type_label(str(resource.get("format") or ""))
            if label:
                resource["format"] = label
            media_prefix = str(V.IANA_MEDIA_TYPE)
            if str(resource.get("mimetype") or "").startswith(media_prefix):
                resource["mimetype"] = resource["mimetype"][len(media_prefix) :]
        landing = f"/{record_type}/"
        if landing in str(dataset_dict.get("url") or ""):
            dataset_dict.pop("url", None)
        return dataset_dict

    def _parsed_owner_org(self, ref) -> str | None:
        """The organization of this portal that is the record's ``dct:publisher``.

        Matched, in order, by the publisher's ``dct:identifier`` (our
        profile writes the organization's name there), by the last segment of
        an ``…/organization/<id-or-name>`` URI, then by its exact ``foaf:name``
        (the organization's title, as stock ckanext-dcat writes it). Only
        active organizations count. None when nothing matches or
        ``ckanext.khtourism.dcat.publisher_as_owner`` is off: the harvester
        then gives the record its harvest source's organization.
        """
        from ckan import model

        if not settings.publisher_as_owner():
            return None

        def active_organization(group) -> str | None:
            if group is not None and group.is_organization and group.state == "active":
                return group.id
            return None

        publishers = [p for p in self.g.objects(ref, DCT.publisher)]
        for publisher in publishers:
            candidates = [str(i) for i in self.g.objects(publisher, DCT.identifier)]
            if isinstance(publisher, URIRef) and "/organization/" in str(publisher):
                candidates.append(str(publisher).rstrip("/").rsplit("/", 1)[-1])
            for candidate in candidates:
                found = active_organization(model.Group.get(candidate.strip()))
                if found:
                    return found
        for publisher in publishers:
            for name in self.g.objects(publisher, FOAF.name):
                group = (
                    model.Session.query(model.Group)
                    .filter(
                        model.Group.title == str(name),
                        model.Group.is_organization.is_(True),
                        model.Group.state == "active",
                    )
                    .first()
                )
                if group is not None:
                    return group.id
        return None

    def _parsed_record_type(self, ref) -> str | None:
        """The record type a dataset *is* (``dct:type``); ``dcat:theme`` only says what a
        dataset is about (a register of accommodations is not an accommodation)."""
        for concept in self.g.objects(ref, DCT.type):
            record_type = V.record_type_from_concept(str(concept))
            if record_type:
                return record_type
        return None

    def _language_values(self, subject, predicate, untagged_is_vi: bool = True):
        vi = en = ""
        for literal in self.g.objects(subject, predicate):
            if not isinstance(literal, Literal):
                continue
            if literal.language == "en":
                en = str(literal)
            elif literal.language == "vi" or (
                literal.language is None and untagged_is_vi and not vi
            ):
                vi = str(literal)
        return vi, en

    def _property_values(self, ref) -> dict[str, list]:
        found: dict[str, list] = {}
        for predicate, value in self.g.predicate_objects(ref):
            field = V.field_from_term(str(predicate))
            if field is not None:
                found.setdefault(field, []).append(str(value))
        for values in found.values():
            values.sort()
        return found

    def _parsed_point(self, ref) -> str | None:
        """The record's point (GeoJSON): its location's ``dcat:centroid`` (what this
        profile writes), else a ``locn:geometry`` literal point (GeoJSON, then WKT), as
        earlier releases and other catalogues write it."""
        locations = list(self.g.objects(ref, DCT.spatial))
        for predicate in (DCAT.centroid, LOCN.geometry):
            for datatype in (GEOJSON_DATATYPE, GSP.wktLiteral):
                for location in locations:
                    for literal in self.g.objects(location, predicate):
                        if isinstance(literal, Literal) and literal.datatype == datatype:
                            point = _point_geojson(str(literal), datatype)
                            if point:
                                return point
        return None

    def _parsed_license(self, ref) -> str | None:
        """The dataset's licence, else its first distribution's (known licences by their
        id, others by their URI: licenses.license_id)."""
        subjects = [ref, *self.g.objects(ref, DCAT.distribution)]
        for subject in subjects:
            for license_ref in self.g.objects(subject, DCT.license):
                license_id = licenses.license_id(str(license_ref))
                if license_id:
                    return license_id
        return None
