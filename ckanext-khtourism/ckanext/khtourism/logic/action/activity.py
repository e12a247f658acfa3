"""The header's badge of new dashboard activities, counted without loading them.

CKAN's activity plugin renders ``h.new_activities()`` in the header of every page a
signed-in user sees. Upstream, ``dashboard_new_activities_count`` calls
``dashboard_activity_list``: it loads the user's latest dashboard activities (31 by
default) whole — each with the full package dict it recorded — and dictizes them, only
to count those that are new. On a refusal or not-found page that was most of the
request's time.

This chained action gives the same number in two steps:

1. A user who follows nothing (most businesses) has a dashboard of her own activities
   (never new) and of those about her (``object_id`` is her id). When she follows nothing
   and no activity about her by someone else is later than her last view, nothing can be
   new: 0, from one statement on the follower tables and the ``(object_id, timestamp)``
   index (the hidden users and permission labels only ever remove activities).
2. Otherwise the same activities as upstream are counted (the same dashboard query, the
   same hidden users and permission labels, the same limit and order, the same "new":
   not the user's own and later than the dashboard was last viewed), reading only their
   author and time instead of the whole activities.

A call with any parameter of its own (paging, ``before``/``after``), or of a user without
a dashboard row, goes to the upstream action unchanged. Listed in ``compat/registry.py``
(re-implemented).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

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


# Anything the user follows, or an activity about her by someone else since her last view.
_MAYBE_NEW = text(
    """
    SELECT EXISTS (SELECT 1 FROM user_following_user WHERE follower_id = :me)
        OR EXISTS (SELECT 1 FROM user_following_dataset WHERE follower_id = :me)
        OR EXISTS (SELECT 1 FROM user_following_group WHERE follower_id = :me)
        OR EXISTS (
            SELECT 1 FROM activity
            WHERE object_id = :me AND timestamp > :since AND user_id IS DISTINCT FROM :me
        )
    """
)


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
    dashboard = model.Dashboard.get(user.id)
    last_viewed = dashboard.activity_stream_last_viewed if dashboard else None
    if last_viewed is None:
        return next_action(context, data_dict)
    if not model.Session.execute(_MAYBE_NEW, {"me": user.id, "since": last_viewed}).scalar():
        return 0
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
    return sum(1 for author, timestamp in rows if author != user.id and timestamp > last_viewed)
