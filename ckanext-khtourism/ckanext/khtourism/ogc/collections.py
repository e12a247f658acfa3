"""The OGC collections: one per public record type.

The list comes from the record-type declaration through this one function, so
that a single declaration of the types (``core.record_types`` and the tourism
API's ``COLLECTIONS`` today) changes it in one place.
"""

from __future__ import annotations

from ckanext.khtourism.api.collections import BY_DATASET_TYPE, Collection
from ckanext.khtourism.api.collections import COMMON_FIELDS as API_COMMON_FIELDS
from ckanext.khtourism.core.record_types import RECORD_TYPES


def public_collections() -> dict[str, Collection]:
    """Record type (the OGC collection id) -> its tourism-API collection, in declared order."""
    return {
        record_type: BY_DATASET_TYPE[record_type]
        for record_type in RECORD_TYPES
        if record_type in BY_DATASET_TYPE
    }


# The facets a collection's items can be filtered on, besides bbox and datetime: the
# place and status filters every type has, then the type's own category filters.
COMMON_FILTERS = ("admin_unit", "former_district", "operating_status")


def filter_names(collection: Collection) -> tuple[str, ...]:
    return COMMON_FILTERS + tuple(f.name for f in collection.filters)


# Item fields never given as OGC feature properties: the point is the geometry, labels are
# the API's display helpers, the organization is flattened.
NOT_PROPERTIES = {"latitude", "longitude", "labels", "display_title", "distance_m", "organization"}


def property_names(collection: Collection) -> list[str]:
    """The feature properties of a collection's items, in order (the tourism API's public
    item fields: never a private field, see ``api.collections``)."""
    # the title first: clients take the first text property as a feature's label, and a
    # harvester mapping both ``title`` and ``name`` to the title keeps the first
    names = ["title"]
    names += [name for name in API_COMMON_FIELDS if name not in NOT_PROPERTIES | {"title"}]
    names += ["organization_name", "organization_title"]
    names += [name for name in collection.fields if name not in names]
    return names
