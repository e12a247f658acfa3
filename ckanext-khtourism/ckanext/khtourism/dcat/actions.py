"""Chained ckanext-dcat actions: what any RDF output may contain.

* ``dcat_dataset_show`` serves a record only when it is public: an active,
  non-private dataset whose curation state (if any) is ``published``. Drafts,
  submitted/rejected records and private datasets are "not found", whoever
  asks — RDF is the open-data channel, not the back office.
* ``dcat_catalog_show`` / ``dcat_catalog_search`` accept ``record_type`` (one
  of the four types) and turn it into a ``dataset_type`` filter; the catalogue
  pages only list what ``package_search`` shows to anonymous users.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from . import vocabulary as V


def _as_anonymous(context: dict) -> None:
    """Serialize what anonymous users see, not what the requester may see.

    The caller's context is changed in place: CKAN's auth audit follows it.
    """
    context["user"] = ""
    context["auth_user_obj"] = None
    context["ignore_auth"] = False


def _is_public(package: model.Package) -> bool:
    if package.state != "active" or package.private:
        return False
    workflow_state = package.extras.get("workflow_state")
    return workflow_state in (None, "", "published")


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(next_action, context: dict, data_dict: dict) -> Any:
    package = model.Package.get(data_dict.get("id") or "")
    if package is None or not _is_public(package):
        raise tk.ObjectNotFound("Dataset not found")
    _as_anonymous(context)
    return next_action(context, data_dict)


def _with_record_type(data_dict: dict) -> dict:
    record_type = data_dict.get("record_type")
    if not record_type:
        return data_dict
    if record_type not in V.RECORD_TYPES:
        raise tk.ValidationError(
            {"record_type": [f"must be one of {', '.join(V.RECORD_TYPES)}"]})
    data_dict = dict(data_dict)
    type_filter = f"+dataset_type:{record_type}"
    data_dict["fq"] = f"{data_dict['fq']} {type_filter}" if data_dict.get("fq") else type_filter
    return data_dict


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(next_action, context: dict, data_dict: dict) -> Any:
    _as_anonymous(context)
    return next_action(context, _with_record_type(data_dict))


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(next_action, context: dict, data_dict: dict) -> Any:
    _as_anonymous(context)
    return next_action(context, _with_record_type(data_dict))
