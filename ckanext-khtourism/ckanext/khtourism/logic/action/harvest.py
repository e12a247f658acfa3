"""Chained ckanext-harvest actions: who sees which sources, and permission checks
ckanext-harvest's actions lack (rules: ``harvesters/access.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import has_request_context
from sqlalchemy import or_

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

from ckanext.khtourism.core import roles
from ckanext.khtourism.harvesters import secrets as harvest_secrets

__all__ = [
    "harvest_source_list",
    "harvest_source_reindex",
    "harvest_abort_failed_jobs",
    "harvest_jobs_run",
]


@tk.chained_action
@tk.side_effect_free
def harvest_source_list(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """The sources the user may read: all of them for curators and sysadmins, those of the
    user's organizations for everyone else (ckanext-harvest's own list gave anonymous users
    every source, configuration included, and signed-in non-sysadmins none).

    Same parameters as ckanext-harvest's: ``organization_id``, ``only_active``,
    ``only_to_run``, ``return_last_job_status``; at most ``ckan.harvest.harvest_source_limit``.
    """
    from ckanext.harvest.logic.dictization import harvest_source_dictize
    from ckanext.harvest.model import HarvestSource

    if context.get("ignore_auth") and roles.context_user(context) is None:
        # internal calls without a user; secrets stay masked all the same
        return harvest_secrets.mask_source_list(next_action(context, data_dict))
    tk.check_access("harvest_source_list", context, data_dict)
    user = roles.context_user(context)
    query = (
        model.Session.query(HarvestSource)
        .join(model.Package, model.Package.id == HarvestSource.id)
        .order_by(HarvestSource.created.desc())
    )
    if data_dict.get("organization_id"):
        org = model.Group.get(data_dict["organization_id"])
        query = query.filter(model.Package.owner_org == (org.id if org else None))
    if tk.asbool(data_dict.get("only_active", False)):
        query = query.filter(HarvestSource.active.is_(True))
    if tk.asbool(data_dict.get("only_to_run", False)):
        query = query.filter(HarvestSource.frequency != "MANUAL").filter(
            or_(
                HarvestSource.next_run <= dt.datetime.utcnow(),
                HarvestSource.next_run.is_(None),
            )
        )
    if not roles.is_curator(user):
        query = query.filter(model.Package.owner_org.in_(roles.organization_ids(user) or [""]))
    limit = tk.asint(tk.config.get("ckan.harvest.harvest_source_limit", 100) or 0)
    sources = query.limit(limit).all() if limit else query.all()
    last_job_status = tk.asbool(data_dict.get("return_last_job_status", False))
    # secrets of source configurations are write-only (harvesters/secrets.py)
    return harvest_secrets.mask_source_list(
        [harvest_source_dictize(source, context, last_job_status) for source in sources]
    )


def _internal_call(context: Context) -> bool:
    """No web request and no user: the CLI, a worker or another action's internal call."""
    return not context.get("user") and not has_request_context()


@tk.chained_action
def harvest_source_reindex(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's reindex of one source checks no permission (anyone could call it,
    even by GET): its managers only. Not side-effect free any more (POST).

    Internal calls (``harvest_sources_reindex`` from the CLI; clear and
    ``harvest_jobs_run`` pass their own, checked, context) go through.
    """
    if not context.get("ignore_auth") and not _internal_call(context):
        tk.check_access("harvest_source_reindex", context, data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def harvest_abort_failed_jobs(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest checks no permission here (anyone could abort every failed job):
    sysadmins only, like ``harvest_jobs_run`` (the CLI runs as the site user)."""
    if not context.get("ignore_auth") and not _internal_call(context):
        tk.check_access("harvest_jobs_run", context, data_dict)
    return next_action(context, data_dict)


@tk.chained_action
def harvest_jobs_run(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's ``harvest_jobs_run``, after the records of the jobs it is about to
    mark Finished are indexed (a finished job's records can be found at once)."""
    from ckanext.khtourism.harvesters import indexing

    tk.check_access("harvest_jobs_run", context, data_dict)
    indexing.before_jobs_run()
    return next_action(context, data_dict)


# CKAN exempts plugins' own actions from its check that an action called its auth function;
# a chained action carries only its own attributes: keep the exemption of the actions these
# wrap (internal calls skip the check above).
for _action in (harvest_source_list, harvest_source_reindex, harvest_abort_failed_jobs):
    _action.auth_audit_exempt = True
