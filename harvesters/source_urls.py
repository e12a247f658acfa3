"""A harvest source's URL checked against the others' in one query.

ckanext-harvest's ``harvest_source_url_validator`` refuses a source whose URL (normalised)
and configuration are those of another source. It reads the URL of every other source,
then each one's configuration with a query of its own: with N sources, every creation or
edit of a source runs N + 1 queries (12,570 of the test suite's statements). Here the
same rows come from one query — the sources' datasets joined to their ``harvest_source``
rows (an outer join: a dataset without one compares with no configuration, as upstream) —
and are compared the same way, with the same message. Compat entry
``harvest.source_url_validator``; ``tests/harvesters/test_source_urls.py`` compares both.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism import compat

# modules that hold the validator by name (the source schema is built from it)
_HOLDERS = ("ckanext.harvest.logic.validators", "ckanext.harvest.logic.schema")


def harvest_source_url_validator(key: Any, data: Any, errors: Any, context: Any) -> Any:
    """ckanext-harvest 1.6.3's validator, the other sources read in one query."""
    from ckanext.harvest.logic.validators import DATASET_TYPE_NAME, _normalize_url
    from ckanext.harvest.model import HarvestSource

    package = context.get("package")
    package_id = package.id if package else data.get(key[:-1] + ("id",))
    try:
        new_config = data.get(key[:-1] + ("config",))
    except Exception:  # noqa: BLE001 - upstream's own guard, kept
        new_config = None
    new_url = _normalize_url(data[key])

    query = (
        model.Session.query(model.Package.id, model.Package.url, HarvestSource.config)
        .outerjoin(HarvestSource, HarvestSource.id == model.Package.id)
        .filter(model.Package.type == DATASET_TYPE_NAME)
    )
    if package_id:
        # when editing a source, leave its own URL out
        query = query.filter(model.Package.id != package_id)
    for _id, url, config in query.all():
        if _normalize_url(url) == new_url and config == new_config:
            raise tk.Invalid(
                "There already is a Harvest Source for this URL (& "
                f"config): url={new_url} config={new_config}"
            )
    return data[key]


def install() -> None:
    """Put :func:`harvest_source_url_validator` in place of upstream's (idempotent)."""
    compat.replace_everywhere(
        "harvest.source_url_validator", harvest_source_url_validator, _HOLDERS
    )
