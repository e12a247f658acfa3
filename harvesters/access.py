"""Who may harvest, and what a business's harvest source may do.

* **Curators and sysadmins** manage every harvest source (create, edit, run,
  clear, delete) of any organization.
* **A business** (an editor or admin of an organization) manages sources of
  its own organization only when ``ckanext.khtourism.harvest.business_sources``
  is on (default: off). Such a source must
  - read with one of the portal's record harvesters (never ckanext-harvest's
    plain ``ckan`` or ckanext-dcat's ``dcat_rdf``, which land public plain
    datasets),
  - import a record type a business may create (not heritage sites, not plain
    datasets),
  - be in review mode: ``publish: direct`` is refused with a validation error
    when a business saves a source (the configuration it leaves behind counts,
    also when it only changes the URL), and a source a business created
    imports in review mode whatever its configuration says.
* **Every source**, whoever configured it, matches, updates and withdraws
  only records of its own organization (``base.py`` checks each imported
  row; a row matching another organization's record is an object error and
  nothing is written).
* Harvest sources, their jobs, objects, logs and reports are **read** by
  members of the source's organization, curators and sysadmins. The public
  does not see that a source exists (the source datasets carry no ``public``
  permission label: ``workflow/labels.py``).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages, roles
from ckanext.khtourism.core.record_types import RECORD_TYPES

HARVEST_TYPE = "harvest"
BUSINESS_SOURCES_OPTION = "ckanext.khtourism.harvest.business_sources"


def business_sources_enabled() -> bool:
    return tk.asbool(tk.config.get(BUSINESS_SOURCES_OPTION, False))


def business_record_types() -> tuple[str, ...]:
    """Record types a business's source may import: the ones a business may create."""
    return tuple(t for t in RECORD_TYPES if t not in roles.CURATOR_ONLY_TYPES)


def business_source_types() -> list[str]:
    """The portal's record harvesters (their import stage is ours: ownership, review)."""
    from ckan.plugins import PluginImplementations

    from ckanext.harvest.interfaces import IHarvester

    from .base import KhTourismHarvesterBase

    return sorted(
        harvester.info()["name"]
        for harvester in PluginImplementations(IHarvester)
        if isinstance(harvester, KhTourismHarvesterBase)
    )


def source_package(ref: Any) -> model.Package | None:
    """The dataset of a harvest source, by id or name (None for any other dataset)."""
    if not ref or not isinstance(ref, str):
        return None
    pkg = model.Package.get(ref)
    return pkg if pkg is not None and pkg.type == HARVEST_TYPE else None


def can_read_source(user: Any, pkg: model.Package | None) -> bool:
    """Members of the source's organization (any capacity), curators and sysadmins."""
    if pkg is None:
        return roles.is_curator(user)
    return roles.is_curator(user) or roles.is_member_of(user, pkg.owner_org)


def can_manage_for(user: Any, org_id: str | None) -> bool:
    """May ``user`` manage harvest sources of organization ``org_id``?"""
    if roles.is_curator(user):
        return True
    return bool(
        org_id and business_sources_enabled() and roles.can_edit_business_record(user, org_id)
    )


def can_manage_source(user: Any, pkg: model.Package | None) -> bool:
    if pkg is None:
        return roles.is_curator(user)
    return can_manage_for(user, pkg.owner_org)


def is_business_source(pkg: model.Package | None) -> bool:
    """A source created by someone who is not a curator: it always imports in review mode."""
    if pkg is None:
        return True
    creator = model.User.get(pkg.creator_user_id) if pkg.creator_user_id else None
    return not roles.is_curator(creator)


def _raw_config(text: Any) -> dict[str, Any] | None:
    if text is None or text == "":
        return {}
    if isinstance(text, dict):
        return text
    try:
        raw = json.loads(text)
    except (TypeError, ValueError):
        return None  # the harvester's own validation names the JSON error
    return raw if isinstance(raw, dict) else None


def business_source_errors(
    data_dict: dict[str, Any], existing: model.Package | None
) -> dict[str, list[str]]:
    """What a business may not save in a harvest source: {field: [message]}.

    The values checked are the ones the source has after the write: what the
    business sends, else what the source has now.
    """
    from ckanext.harvest.model import HarvestSource

    stored = HarvestSource.get(existing.id) if existing is not None else None
    source_type = data_dict.get("source_type") or (stored.type if stored else None)
    config = data_dict.get("config", stored.config if stored else None)
    errors: dict[str, list[str]] = {}
    allowed = business_source_types()
    if source_type not in allowed:
        errors["source_type"] = [
            messages.text(
                "harvest_business_source_type", value=source_type, choices=", ".join(allowed)
            )
        ]
    raw = _raw_config(config)
    if raw is None:
        return errors
    if raw.get("publish", "review") != "review":
        errors.setdefault("config", []).append(messages.text("harvest_business_publish"))
    record_type = raw.get("record_type", "dataset")
    if record_type not in business_record_types():
        errors.setdefault("config", []).append(
            messages.text(
                "harvest_business_record_type",
                value=record_type,
                choices=", ".join(business_record_types()),
            )
        )
    return errors


def check_source_write(
    context: dict[str, Any], data_dict: dict[str, Any], existing: model.Package | None
) -> None:
    """Raise ValidationError when a business saves a source it may not (curators: no limit).

    Called by the chained ``package_create`` / ``package_update`` actions for harvest
    sources, after their permission check.
    """
    user = roles.context_user(context)
    if user is None or roles.is_curator(user):
        return  # curators, sysadmins, internal calls
    errors = business_source_errors(data_dict, existing)
    if errors:
        raise tk.ValidationError(errors)
