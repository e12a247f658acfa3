"""JSON-LD with schema.org: an ``ItemList`` of typed things, or one thing.

Accommodation -> ``LodgingBusiness`` (``Hotel``, ``Resort``, ``Campground``…
by type), tour operator -> ``TravelAgency``, tour guide -> ``Person`` with
the guide card as ``hasCredential``, heritage site ->
``LandmarksOrHistoricalBuildings`` (also a ``TouristAttraction``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ckanext.khtourism.core import messages, record_types

from ..collections import BY_DATASET_TYPE
from .json import dumps

if TYPE_CHECKING:
    from . import Page

CONTEXT = "https://schema.org"
ACCOMMODATION_TYPES = {
    "khach_san": "Hotel",
    "biet_thu_du_lich": "LodgingBusiness",
    "can_ho_du_lich": "LodgingBusiness",
    "nha_nghi_du_lich": "Motel",
    "homestay": "BedAndBreakfast",
    "bai_cam_trai": "Campground",
}


BUSINESS_PLACES = tuple(
    rt.name for rt in record_types.declarations().values() if rt.is_place and not rt.curator_only
)


def _lang_value(item: dict[str, Any], field: str, lang: str) -> Any:
    """The field in both languages, tagged, the request's language first.

    ``title``/``notes`` are already in the request's language; ``title_vi`` and
    ``title_en`` say which language is which (without them, e.g. after
    ``fields=title``, the value is given untagged)."""
    vi, en = item.get(f"{field}_vi"), item.get(f"{field}_en")
    if vi is None and en is None:
        return item.get(field)
    values = [{"@value": vi, "@language": "vi"}] if vi else []
    if en:
        values.append({"@value": en, "@language": "en"})
    if not values:
        return None
    values.sort(key=lambda value: value["@language"] != lang)
    return values if len(values) > 1 else values[0]


def thing(item: dict[str, Any], lang: str) -> dict[str, Any]:
    dataset_type = item.get("type") or ""
    collection = BY_DATASET_TYPE.get(dataset_type)
    schema_type = collection.schema_org_type if collection else "Thing"
    declared = record_types.declarations().get(dataset_type)
    if dataset_type == "accommodation":
        schema_type = ACCOMMODATION_TYPES.get(
            item.get("accommodation_type") or "", "LodgingBusiness"
        )
        if item.get("hotel_subtype") == "resort":
            schema_type = "Resort"
    elif declared and declared.schema_org_subclass(item):
        schema_type = declared.schema_org_subclass(item) or schema_type
    node: dict[str, Any] = {
        "@id": item.get("url"),
        # the declared classes (core/record_types.py), the main one perhaps refined above
        "@type": [schema_type, *declared.schema_org[1:]]
        if declared and len(declared.schema_org) > 1
        else schema_type,
        "identifier": item.get("id"),
        "url": item.get("url"),
        "name": _lang_value(item, "title", lang),
        "description": _lang_value(item, "notes", lang),
        "dateModified": item.get("metadata_modified"),
        "telephone": item.get("phone"),
        "email": item.get("email"),
        "sameAs": item.get("website"),
        "keywords": item.get("tags") or None,
        "knowsLanguage": item.get("languages") or None,
    }
    if item.get("street_address") or item.get("admin_unit"):
        node["address"] = {
            "@type": "PostalAddress",
            "streetAddress": item.get("street_address"),
            "addressLocality": (item.get("labels") or {}).get("admin_unit")
            or item.get("admin_unit"),
            "addressRegion": "Khánh Hòa",
            "addressCountry": "VN",
        }
    if item.get("latitude") is not None and item.get("longitude") is not None:
        node["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": item["latitude"],
            "longitude": item["longitude"],
        }
    # an establishment kept by its business: the business is its parent organization
    if item.get("organization") and dataset_type in BUSINESS_PLACES:
        node["parentOrganization"] = {
            "@type": "Organization",
            "name": item["organization"].get("title"),
        }
    if dataset_type == "accommodation":
        if item.get("star_rating") in ("1", "2", "3", "4", "5"):
            node["starRating"] = {"@type": "Rating", "ratingValue": int(item["star_rating"])}
        node["numberOfRooms"] = item.get("rooms")
        node["checkinTime"] = item.get("checkin_time")
        node["checkoutTime"] = item.get("checkout_time")
        if item.get("amenities"):
            node["amenityFeature"] = [
                {"@type": "LocationFeatureSpecification", "name": amenity, "value": True}
                for amenity in item["amenities"]
            ]
        if item.get("price_min_vnd") is not None or item.get("price_max_vnd") is not None:
            node["priceRange"] = (
                f"{item.get('price_min_vnd') or ''}–{item.get('price_max_vnd') or ''} VND"
            )
        node["taxID"] = item.get("enterprise_code")
    elif dataset_type == "tour-operator":
        node["taxID"] = item.get("enterprise_code")
        node["hasCredential"] = _credential(
            "Giấy phép kinh doanh lữ hành",
            item.get("licence_number"),
            item.get("licence_issue_date"),
            None,
        )
    elif dataset_type == "tour-guide":
        node["name"] = item.get("full_name") or item.get("title")
        node["jobTitle"] = messages.translate(messages.N_("Tour guide"), lang)
        node["hasCredential"] = _credential(
            "Thẻ hướng dẫn viên du lịch",
            item.get("card_number"),
            item.get("card_issue_date"),
            item.get("card_expiry_date"),
        )
        node.pop("geo", None)
    elif dataset_type == "heritage-site":
        node["openingHours"] = item.get("opening_hours")
        if item.get("ticket_price_vnd") is not None:
            node["isAccessibleForFree"] = item["ticket_price_vnd"] in (0, "0")
    # the type's declared field -> schema.org property pairs (``schema_org_properties``)
    for field, prop in (
        (declared.option("schema_org_properties") or {}) if declared else {}
    ).items():
        if item.get(field) not in (None, "", []):
            node.setdefault(prop, item[field])
    if "distance_m" in item:
        node["additionalProperty"] = {
            "@type": "PropertyValue",
            "name": "distance_m",
            "value": item["distance_m"],
            "unitCode": "MTR",
        }
    return {key: value for key, value in node.items() if value not in (None, [], {})}


def _credential(
    category: str, number: str | None, issued: str | None, expires: str | None
) -> dict | None:
    if not number:
        return None
    credential = {
        "@type": "EducationalOccupationalCredential",
        "credentialCategory": category,
        "identifier": number,
        "dateCreated": issued,
        "expires": expires,
    }
    return {key: value for key, value in credential.items() if value is not None}


def render_page(page: Page, lang: str) -> bytes:
    return dumps(
        {
            "@context": CONTEXT,
            "@type": "ItemList",
            "numberOfItems": page.total,
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": (page.page - 1) * page.limit + index + 1,
                    "item": thing(item, lang),
                }
                for index, item in enumerate(page.items)
            ],
        }
    )


def render_item(item: dict[str, Any], lang: str) -> bytes:
    return dumps({"@context": CONTEXT, **thing(item, lang)})
