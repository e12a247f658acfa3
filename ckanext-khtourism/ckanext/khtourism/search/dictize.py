"""``package_show`` for many datasets at once (``ckan search-index rebuild``).

(A re-implementation of upstream code: compat entries ``search.package_dictize`` and
``search.package_show`` in ``compat/registry.py``.)

CKAN's rebuild calls ``package_show`` once per dataset: ``package_dictize``
then runs about ten SQL statements per dataset (the package, its resources,
tags, extras, groups and their member counts, organization, relationships).
:func:`show_many` gives, for a batch of ids, the same dicts ``package_show``
returns with the rebuild's context (``ignore_auth``, ``validate=False``,
``use_cache=False``), with one statement per related table per batch:

* the rows are selected exactly as ``package_dictize`` selects them (same
  tables, same columns, same conditions), only for many packages at once, and
  turned into dicts by CKAN's own functions (``table_dictize``,
  ``resource_list_dictize``, ``obj_list_dictize``, ``extras_list_dictize``,
  ``group_list_dictize``). Tags and groups need the package id in their rows
  to be grouped: it is selected as an extra last column and its key removed
  from the dicts (key order unchanged);
* a group's dict depends on its row only (``package_dictize`` asks for no
  package counts), so it is built once per batch and copied, instead of once
  (with a member-count query) per dataset;
* then what ``package_show`` does after dictizing, in the same order: each
  ``IPackageController.read``, each ``IResourceController.before_resource_show``,
  no validation (``validate=False``), each ``after_dataset_show``, and the
  ``action_succeeded`` signal.

A package for which ``package_dictize``'s sorts meet a tie (see
:meth:`_Batch.ambiguous`) is shown by ``package_show`` itself. :func:`batchable`
says when this is *not* known to equal ``package_show`` (another plugin chains
or replaces the action): the rebuild then uses the per-dataset path. The equivalence is proven by ``tests/search/test_rebuild_batched.py``.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import select

import ckan.lib.dictization as d
import ckan.lib.dictization.model_dictize as model_dictize
import ckan.lib.helpers as h
import ckan.plugins as plugins
from ckan import logic, model
from ckan.lib import signals

log = logging.getLogger(__name__)

# the extra column that carries the package id in tag and group rows
_PACKAGE_KEY = "_khtourism_package_id"
# plugins whose ``package_show`` (chained) is known not to change what the rebuild gets
_KNOWN_SHOW_CHAINS = frozenset({"khtourism"})


def show_context() -> dict[str, Any]:
    """The context ``package_show`` gets in a rebuild (as CKAN's action wrapper fills it)."""
    try:
        from ckan.common import g

        user = g.user
    except (AttributeError, RuntimeError, TypeError):  # no request, or no user in it
        user = ""
    return {
        "ignore_auth": True,
        "validate": False,
        "use_cache": False,
        "model": model,
        "session": model.Session,
        "user": user,
    }


def batchable() -> bool:
    """True when no plugin other than ours chains or replaces ``package_show``."""
    for plugin in plugins.PluginImplementations(plugins.IActions):
        if "package_show" in plugin.get_actions() and plugin.name not in _KNOWN_SHOW_CHAINS:
            log.info("%s provides package_show: the rebuild shows datasets one by one", plugin.name)
            return False
    return True


def _grouped(rows: Iterable[Any], key: str) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _without_package_key(dicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in dicts:
        item.pop(_PACKAGE_KEY, None)
    return dicts


class _Batch:
    """The related rows of a batch of packages, selected as ``package_dictize`` selects them."""

    def __init__(self, packages: Sequence[model.Package]) -> None:
        session = model.Session
        ids = [pkg.id for pkg in packages]
        res = model.resource_table
        self.resources = _grouped(
            session.execute(select(res).where(res.c["package_id"].in_(ids))), "package_id"
        )
        tag, pkg_tag = model.tag_table, model.package_tag_table
        self.tags = _grouped(
            session.execute(
                select(tag, pkg_tag.c["state"], pkg_tag.c["package_id"].label(_PACKAGE_KEY))
                .join(pkg_tag, tag.c["id"] == pkg_tag.c["tag_id"])
                .where(pkg_tag.c["package_id"].in_(ids))
            ),
            _PACKAGE_KEY,
        )
        extra = model.package_extra_table
        self.extras = _grouped(
            session.execute(select(extra).where(extra.c["package_id"].in_(ids))), "package_id"
        )
        member, group = model.member_table, model.group_table
        self.groups = _grouped(
            session.execute(
                select(group, member.c["capacity"], member.c["table_id"].label(_PACKAGE_KEY))
                .join(member, group.c["id"] == member.c["group_id"])
                .where(
                    member.c["table_id"].in_(ids),
                    member.c["state"] == "active",
                    group.c["is_organization"] == sa.false(),
                )
            ),
            _PACKAGE_KEY,
        )
        owners = {pkg.owner_org for pkg in packages if pkg.owner_org}
        self.organizations = (
            {
                row.id: row
                for row in session.execute(
                    select(group).where(group.c["id"].in_(owners), group.c["state"] == "active")
                )
            }
            if owners
            else {}
        )
        rel = model.package_relationship_table
        self.as_subject = _grouped(
            session.execute(select(rel).where(rel.c["subject_package_id"].in_(ids))),
            "subject_package_id",
        )
        self.as_object = _grouped(
            session.execute(select(rel).where(rel.c["object_package_id"].in_(ids))),
            "object_package_id",
        )
        self._group_dicts: dict[tuple[str, str], dict[str, Any]] = {}

    def ambiguous(self, package_id: str) -> bool:
        """True when ``package_dictize``'s sorts meet a tie for this package.

        Its lists are sorted (resources by position, tags by name, extras by key,
        groups by title) and keep the database's row order for equal keys, which
        depends on the query plan: a batch's statement may order such rows
        differently from the per-dataset statement. These packages are shown by
        ``package_show`` itself.
        """
        checks = (  # rows, sort key, only active rows are listed
            (self.resources, lambda r: r.position, True),
            (self.tags, lambda r: r.name, True),
            (self.extras, lambda r: r.key, True),
            (self.groups, lambda r: h.strxfrm(r.title or r.name), False),
        )
        for rows, key, active_only in checks:
            keys = [
                key(row)
                for row in rows.get(package_id, [])
                if not active_only or row.state == "active"
            ]
            if len(keys) != len(set(keys)):
                return True
        return False

    def group_dicts(self, package_id: str, context: dict[str, Any]) -> list[dict[str, Any]]:
        """``group_list_dictize(rows, context, with_package_counts=False)``, one build per group."""
        dicts = []
        for row in self.groups.get(package_id, []):
            key = (row.id, row.capacity)
            if key not in self._group_dicts:
                self._group_dicts[key] = _without_package_key(
                    model_dictize.group_list_dictize([row], context, with_package_counts=False)
                )[0]
            dicts.append(copy.deepcopy(self._group_dicts[key]))
        # group_list_dictize's sort (stable: rows keep the order the database gave)
        return sorted(dicts, key=lambda x: h.strxfrm(x["display_name"]))


def _dictize(pkg: model.Package, batch: _Batch, context: dict[str, Any]) -> dict[str, Any]:
    """``model_dictize.package_dictize(pkg, context)`` from the batch's rows."""
    result_dict = d.table_dictize(pkg, context)
    if result_dict.get("title"):
        result_dict["title"] = result_dict["title"].strip()
    result_dict.pop("plugin_data", None)

    result_dict["resources"] = model_dictize.resource_list_dictize(
        batch.resources.get(pkg.id, []), context
    )
    result_dict["num_resources"] = len(result_dict.get("resources", []))

    result_dict["tags"] = _without_package_key(
        d.obj_list_dictize(batch.tags.get(pkg.id, []), context, lambda x: x["name"])
    )
    result_dict["num_tags"] = len(result_dict.get("tags", []))
    for tag_dict in result_dict["tags"]:
        tag_dict["display_name"] = tag_dict["name"]

    result_dict["extras"] = model_dictize.extras_list_dictize(batch.extras.get(pkg.id, []), context)

    context["with_capacity"] = False
    result_dict["groups"] = batch.group_dicts(pkg.id, context)

    organization = batch.organizations.get(pkg.owner_org) if pkg.owner_org else None
    organizations = d.obj_list_dictize([organization], context) if organization else []
    result_dict["organization"] = organizations[0] if organizations else None

    result_dict["relationships_as_subject"] = d.obj_list_dictize(
        batch.as_subject.get(pkg.id, []), context
    )
    result_dict["relationships_as_object"] = d.obj_list_dictize(
        batch.as_object.get(pkg.id, []), context
    )

    result_dict["isopen"] = pkg.isopen if isinstance(pkg.isopen, bool) else pkg.isopen()
    result_dict["type"] = pkg.type or "dataset"
    if pkg.license and pkg.license.url:
        result_dict["license_url"] = pkg.license.url
        result_dict["license_title"] = pkg.license.title.split("::")[-1]
    elif pkg.license:
        result_dict["license_title"] = pkg.license.title
    else:
        result_dict["license_title"] = pkg.license_id
    result_dict["metadata_modified"] = pkg.metadata_modified.isoformat()
    result_dict["metadata_created"] = (
        pkg.metadata_created.isoformat() if pkg.metadata_created else None
    )
    return result_dict


def _show(pkg: model.Package, batch: _Batch) -> dict[str, Any]:
    """What ``package_show`` does with ``pkg``, the rebuild's context and no cache."""
    if batch.ambiguous(pkg.id):
        return logic.get_action("package_show")(
            {"ignore_auth": True, "validate": False, "use_cache": False}, {"id": pkg.id}
        )
    context = show_context()
    data_dict = {"id": pkg.id}
    context["package"] = pkg
    logic.check_access("package_show", context, data_dict)
    package_dict = _dictize(pkg, batch, context)
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.read(pkg)
    for item in plugins.PluginImplementations(plugins.IResourceController):
        for resource_dict in package_dict["resources"]:
            item.before_resource_show(resource_dict)
    # validate=False: package_show skips the schema
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.after_dataset_show(context, package_dict)
    signals.action_succeeded.send(
        "package_show", context=context, data_dict=data_dict, result=package_dict
    )
    return package_dict


def load_packages(ids: Sequence[str]) -> list[model.Package]:
    """The packages of ``ids`` (one statement), in the order of ``ids``; unknown ids left out."""
    found = {
        pkg.id: pkg
        for pkg in model.Session.query(model.Package).filter(model.Package.id.in_(list(ids)))
    }
    return [found[i] for i in ids if i in found]


def show_many(packages: Sequence[model.Package]) -> Iterable[tuple[model.Package, Any]]:
    """``(package, package_show dict)`` for each package, or ``(package, exception)``.

    The related rows of the whole batch are read first; an error while
    building one dataset's dict is yielded in its place (the caller decides).
    Keep ``packages`` referenced while using the dicts: CKAN's indexer looks
    each package up again (``model.Package.get``), which the session then
    answers from its identity map.
    """
    batch = _Batch(packages)
    for pkg in packages:
        try:
            yield pkg, _show(pkg, batch)
        except Exception as error:  # noqa: BLE001 - handed to the caller, which reports it
            yield pkg, error
