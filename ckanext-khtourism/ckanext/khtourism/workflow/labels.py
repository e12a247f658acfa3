"""Permission labels: curators see every business's private tourism records.

CKAN (and our search engine, through ``permission_labels``) shows a dataset
to a user when a dataset label matches a user label. On top of CKAN's
defaults, every record of our four types carries ``khtourism-curator`` and
every curator holds it.

Harvest sources (datasets of type ``harvest``) are never public, whatever
their ``private`` flag: their configurations may hold internal URLs and
credentials. They carry the label of their organization's members (or of
their creator when they have no organization) and ``khtourism-curator``; so
``package_show``, ``package_search`` (also with ``fq=dataset_type:harvest``),
``harvest_source_show`` and the ``/harvest`` pages hide them from everyone
else (harvesters/access.py).
"""

from __future__ import annotations

import ckan.model as model
from ckan.lib.plugins import DefaultPermissionLabels

from ckanext.khtourism.core import roles
from ckanext.khtourism.core.record_types import is_record_type

CURATOR_LABEL = "khtourism-curator"
HARVEST_SOURCE_TYPE = "harvest"  # ckanext-harvest's dataset type of harvest sources


class CuratorPermissionLabels(DefaultPermissionLabels):
    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        if dataset_obj.type == HARVEST_SOURCE_TYPE:
            owner = (
                f"member-{dataset_obj.owner_org}"
                if dataset_obj.owner_org
                else f"creator-{dataset_obj.creator_user_id}"
            )
            return [owner, CURATOR_LABEL]
        labels = super().get_dataset_labels(dataset_obj)
        if is_record_type(dataset_obj.type) and CURATOR_LABEL not in labels:
            labels.append(CURATOR_LABEL)
        return labels

    def get_user_dataset_labels(self, user_obj: model.User | str | None) -> list[str]:
        # CKAN's activity actions pass ``context['auth_user_obj']``, which is the empty
        # string for an anonymous visitor, not None.
        labels = super().get_user_dataset_labels(user_obj)
        if (
            isinstance(user_obj, model.User)
            and not user_obj.is_anonymous
            and roles.is_curator(user_obj)
        ):
            labels.append(CURATOR_LABEL)
        return labels
