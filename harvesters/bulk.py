"""New records written many at a time: what ``package_create`` does, once per batch.

(A re-implementation of upstream code: compat entries ``harvest.package_create``,
``harvest.package_dict_save``, ``harvest.package_extras_save``,
``harvest.package_owner_org_update``, ``harvest.create_package_activity`` and
``harvest.activity_package_changed`` in ``compat/registry.py``.)

A first import of a register creates thousands of records. Through
``package_create`` each one costs about 60 ms of one core here: validation,
an ORM flush of the package and its ~30 extras, the organization membership,
the plugins' hooks, then the activity — a second ``package_show`` of the new
record, which first asks the search index for a copy it cannot have yet —
and, at the end of the job, a third pass to index it.

:func:`create_many` writes a batch of new records in the caller's
transaction (it never commits) with the same steps, in the same order, as
``package_create`` followed by the activity stream's subscriber, but shares
what can be shared across the batch:

1. each record is checked (``package_create`` auth, once per record type and
   organization) and validated with its type's scheming schema through
   ``plugin_validate``, exactly as ``package_create`` validates it; a record
   with errors is reported and nothing of it is written;
2. the valid records' packages and extras are built as
   ``package_dict_save`` builds a new package (``from_dict``; the extras'
   rows as ``package_extras_save`` adds them), with the organization
   membership ``package_owner_org_update`` adds, and written together (one
   multi-row insert per table);
3. every ``IPackageController.create`` / ``after_dataset_create`` hook runs
   for each record, then every ``action_succeeded`` receiver of
   ``package_create`` except the activity stream's, which is replaced by 5;
4. the records are indexed in the same transaction
   (:func:`..search.reindex.index_in_session`: one ``package_show`` dictize
   for the batch, CKAN's ``index_package`` per record, one upsert);
5. each record's activity is created with ``activity_create``, from the
   validated copy of the record the indexer has just built — the copy
   ``package_show`` itself returns from the index (its cached path), with
   the same ``read`` / ``after_dataset_show`` hooks.

What is not handled here goes back to the caller, which imports those
records one at a time through ``package_create``: records with resources,
tags, groups, relationships or plugin data.
``tests/harvesters/test_batch_import.py::test_a_batch_writes_the_rows_package_create_writes``
proves that a record written here leaves the same rows — package, extras,
membership, activity, search index, change feed — as ``package_create``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.lib import signals
from ckan.model.types import make_uuid

from ckanext.activity import subscriptions as activity_subscriptions

from ckanext.khtourism.search import dictize, postgres_enabled
from ckanext.khtourism.search import reindex as search_reindex
from ckanext.khtourism.security import field_limits

log = logging.getLogger(__name__)

# keys of a validated record that package_dict_save would write to other tables
ONE_BY_ONE_KEYS = (
    "resources",
    "tags",
    "groups",
    "relationships_as_subject",
    "relationships_as_object",
    "plugin_data",
)


@dataclass
class NewRecord:
    """One record to create: ``data`` is what ``package_create`` would be given."""

    data: dict[str, Any]
    package_id: str | None = None
    error: tk.ValidationError | None = None
    # not for this path (see ONE_BY_ONE_KEYS): import it through package_create
    one_by_one: bool = False


def available() -> bool:
    """Whether batches can be written here: the PostgreSQL search engine, and a
    ``package_show`` known to equal the batched dictize (no other plugin chains it)."""
    return postgres_enabled() and dictize.batchable()


def create_many(
    user_name: str,
    records: list[NewRecord],
    on_created: Callable[[NewRecord], None] | None = None,
) -> None:
    """Create ``records`` in the current transaction (no commit); see the module's doc.

    Sets each record's ``package_id``, or its ``error`` (nothing written for it), or
    ``one_by_one``. ``on_created`` is called for each created record before the batch is
    indexed (the harvester links its harvest object, which the index shows). Raises when
    writing fails: the caller rolls the transaction back.
    """
    user_obj = model.User.by_name(user_name)
    base_context: dict[str, Any] = {
        "model": model,
        "session": model.Session,
        "user": user_name,
        "auth_user_obj": user_obj,
        "defer_commit": True,
        "return_id_only": True,
    }
    allowed: set[tuple[Any, Any]] = set()
    written: list[tuple[NewRecord, dict[str, Any], dict[str, Any], model.Package]] = []
    organizations: dict[str, model.Group | None] = {}
    extra_rows: list[dict[str, Any]] = []
    for record in records:
        data_dict = record.data
        package_plugin = lib_plugins.lookup_package_plugin(data_dict["type"])
        context = dict(base_context)
        schema = package_plugin.create_package_schema()
        auth_key = (data_dict["type"], data_dict.get("owner_org"))
        if auth_key not in allowed:
            tk.check_access("package_create", dict(context), data_dict)
            allowed.add(auth_key)
        # security: the size limits package_create applies (security/field_limits.py)
        record.error = field_limits.validation_error(data_dict)
        if record.error is not None:
            continue
        data, errors = lib_plugins.plugin_validate(
            package_plugin, context, data_dict, schema, "package_create"
        )
        if errors:
            record.error = tk.ValidationError(errors)
            continue
        if any(data.get(key) for key in ONE_BY_ONE_KEYS):
            record.one_by_one = True
            continue
        if user_obj is not None:
            data["creator_user_id"] = user_obj.id
        pkg, extras = _new_package(data)
        extra_rows.extend(extras)
        owner_org = pkg.owner_org
        if owner_org not in organizations:
            organizations[owner_org] = model.Group.get(owner_org) if owner_org else None
        _owner_org_membership(pkg, organizations[owner_org])
        written.append((record, context, data, pkg))
    if not written:
        return
    model.Session.flush()
    if extra_rows:  # one multi-row insert (the ORM would build ~30 objects per record)
        model.Session.execute(model.package_extra_table.insert(), extra_rows)
    for record, context, data, pkg in written:
        data["id"] = record.package_id = pkg.id
        for item in plugins.PluginImplementations(plugins.IPackageController):
            item.create(pkg)
            item.after_dataset_create(context, data)
        context.pop("schema", None)
    for record, context, _data, pkg in written:
        _action_succeeded(context, record.data, pkg.id)
        if on_created is not None:
            on_created(record)
    model.Session.flush()
    packages = [pkg for *_rest, pkg in written]
    documents = {doc["id"]: doc for doc in search_reindex.index_in_session(packages)}
    for _record, context, _data, pkg in written:
        _create_activity(context, user_obj, pkg, documents[pkg.id])


def _new_package(data: dict[str, Any]) -> tuple[model.Package, list[dict[str, Any]]]:
    """A new package as ``package_dict_save`` builds it (no resources, tags or groups),
    and the rows of its extras (``package_extras_save``: the ``PackageExtra`` objects it
    would add, with their column defaults)."""
    pkg_dict = dict(data)
    pkg_dict.pop("metadata_created", None)
    pkg_dict.pop("metadata_modified", None)
    pkg_dict.pop("plugin_data", None)
    pkg = model.Package()
    pkg.from_dict(pkg_dict)  # what table_dict_save does with a new object
    if not pkg.id:
        pkg.id = str(uuid.uuid4())
    new_extras: dict[str, Any] = {}
    for extra in pkg_dict.get("extras") or []:  # package_extras_save, for a new package
        if extra.get("deleted") or extra["value"] is None:
            continue
        new_extras[extra["key"]] = extra["value"]
    model.Session.add(pkg)
    extra_rows = [
        {"id": make_uuid(), "package_id": pkg.id, "key": key, "value": value, "state": "active"}
        for key, value in new_extras.items()
    ]
    return pkg, extra_rows


def _owner_org_membership(pkg: model.Package, org: model.Group | None) -> None:
    """What ``package_owner_org_update`` does for a new package."""
    if org is None or not org.is_organization:
        if pkg.owner_org:
            raise tk.ObjectNotFound("Organization was not found.")
        return
    pkg.owner_org = org.id
    model.Session.add(
        model.Member(
            table_id=pkg.id,
            table_name="package",
            group=org,
            capacity="organization",
            group_id=org.id,
            state="active",
        )
    )


def _action_succeeded(context: dict[str, Any], data_dict: dict[str, Any], package_id: str) -> None:
    """``action_succeeded`` for ``package_create``, to every receiver but the activity
    stream's (its activity is created from the batch's documents, :func:`_create_activity`)."""
    for receiver in signals.action_succeeded.receivers_for("package_create"):
        if receiver is activity_subscriptions.package_changed:
            continue
        receiver("package_create", context=context, data_dict=data_dict, result=package_id)


def _create_activity(
    context: dict[str, Any], user_obj: model.User | None, pkg: model.Package, document: dict
) -> None:
    """The activity subscriber's ``_create_package_activity("new", …)``, with the
    ``package_show`` dict taken from the index document (package_show's cached path)."""
    if user_obj is None:
        raise tk.ValidationError({"user_id": ["User not found"]})
    show_context: dict[str, Any] = {
        "model": model,
        "session": model.Session,
        "user": "",
        "for_view": False,
        "ignore_auth": True,
    }
    show_data_dict = {"id": pkg.id, "include_tracking": False}
    package_dict = json.loads(document["validated_data_dict"])
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.read(pkg)
    for item in plugins.PluginImplementations(plugins.IResourceController):
        for resource_dict in package_dict.get("resources", []):
            item.before_resource_show(resource_dict)
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.after_dataset_show(show_context, package_dict)
    signals.action_succeeded.send(
        "package_show", context=show_context, data_dict=show_data_dict, result=package_dict
    )
    activity_context = tk.fresh_context(context)
    activity_context["ignore_auth"] = True
    activity_dict = {
        "user_id": user_obj.id,
        "object_id": pkg.id,
        "activity_type": "new package",
        "data": {"package": package_dict, "actor": user_obj.name},
        "permission_labels": lib_plugins.get_permission_labels().get_dataset_labels(pkg),
    }
    tk.get_action("activity_create")(activity_context, activity_dict)
