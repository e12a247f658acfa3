"""Record factories in the style of ``ckan.tests.factories``.

Each factory creates one valid record of its type through ``package_create`` (scheming's
validation, the workflow, indexing: what a user's create goes through) as CKAN's site
user, with the field values of ``tests.record_fixtures.VALID``; keyword arguments
override any field::

    from tests import factories

    hotel = factories.Accommodation(star_rating="5")
    guide = factories.TourGuide(published=True, owner_org=org["id"])

``published=True`` publishes it directly (the site user is a sysadmin, who may);
without it the record is a draft. ``owner_org`` defaults to a new organization.
Like CKAN's factories, they need the plugins (``with_plugins``) and a clean database.
"""

from __future__ import annotations

import copy
from typing import Any

import factory

from ckan.tests import factories as ckan_factories

from tests.record_fixtures import VALID


def _defaults(record_type: str) -> dict[str, Any]:
    """The valid field values of a record type as factory declarations (lists copied)."""
    return {
        field: factory.LazyFunction(lambda value=value: copy.deepcopy(value))
        if isinstance(value, list | dict)
        else value
        for field, value in VALID[record_type].items()
    }


class Record(ckan_factories.Dataset):
    """A tourism record; the subclasses name the type and its valid values."""

    license_id = "cc-by-4.0"
    owner_org = factory.LazyFunction(lambda: ckan_factories.Organization()["id"])

    class Params:
        published = factory.Trait(workflow_state="published")


def _record_factory(class_name: str, record_type: str) -> type[Record]:
    prefix = record_type.replace("-", "")
    attributes: dict[str, Any] = {
        "__doc__": f"A valid {record_type} record (``VALID['{record_type}']``).",
        "type": record_type,
        "name": factory.Sequence(lambda n: f"{prefix}-{n}"),
        **_defaults(record_type),
    }
    return type(class_name, (Record,), attributes)


Accommodation = _record_factory("Accommodation", "accommodation")
TourOperator = _record_factory("TourOperator", "tour-operator")
TourGuide = _record_factory("TourGuide", "tour-guide")
HeritageSite = _record_factory("HeritageSite", "heritage-site")

# Organizations, users and tokens: CKAN's own factories.
Organization = ckan_factories.Organization
User = ckan_factories.User
Sysadmin = ckan_factories.Sysadmin
APIToken = ckan_factories.APIToken
