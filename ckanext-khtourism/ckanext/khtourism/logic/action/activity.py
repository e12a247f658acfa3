"""The header's badge of new dashboard activities, counted without loading them.

CKAN's activity plugin renders ``h.new_activities()`` in the header of every page a
signed-in user sees. Upstream, ``dashboard_new_activities_count`` calls
``dashboard_activity_list``: it loads the user's latest dashboard activities (31 by
default) whole — each with the full package dict it recorded — and dictizes them, only
to count those that are new. On a refusal or not-found page that was most of the
request's time.

This chained action counts the same activities (the same dashboard query, the same
hidden users and permission labels, the same limit and order, the same "new": not the
user's own and later than the dashboard was last viewed) reading only their author and
time. A call with any parameter of its own (paging, ``before``/``after``) goes to the
upstream action unchanged. Listed in ``compat/registry.py`` (re-implemented).
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels
from ckan.types import Action, Context, DataDict

__all__ = ["dashboard_new_activities_count"]


def _limit() -> int:
    """The limit ``dashboard_activity_list`` applies when none is given (its schema:
    ``ckan.activity_list_limit``, at most ``ckan.activity_list_limit_max``)."""
    limit = tk.asint(tk.config.get("ckan.activity_list_limit") or 31)
    maximum = tk.asint(tk.config.get("ckan.activity_list_limit_max") or 100)
    return min(limit, maximum)


@tk.chained_action
@tk.side_effect_free
def dashboard_new_activities_count(
    next_action: Action, context: Context, data_dict: DataDict
) -> Any:
    if data_dict:
        return next_action(context, data_dict)
    from ckanext.activity.model import activity as model_activity

    tk.check_access("dashboard_new_activities_count", context, data_dict)
    tk.check_access("dashboard_activity_list", context, data_dict)
    user = model.User.get(context["user"])
    if user is None:
        raise tk.ObjectNotFound("user")
    labels = (
        None
        if authz.is_sysadmin(context.get("user"))
        else get_permission_labels().get_user_dataset_labels(context.get("auth_user_obj"))
    )
    Activity = model_activity.Activity  # noqa: N806 - the mapped class
    query = model_activity._dashboard_activity_query(user.id)  # noqa: SLF001
    query = model_activity._filter_activitites_from_users(query)  # noqa: SLF001
    query = model_activity._filter_activities_by_permission_labels(query, labels)  # noqa: SLF001
    query = query.order_by(Activity.timestamp.desc()).limit(_limit())
    rows = query.with_entities(Activity.user_id, Activity.timestamp).all()
    dashboard = model.Dashboard.get(user.id)
    last_viewed = dashboard.activity_stream_last_viewed if dashboard else None
    return sum(
        1
        for author, timestamp in rows
        if author != user.id and last_viewed is not None and timestamp > last_viewed
    )
