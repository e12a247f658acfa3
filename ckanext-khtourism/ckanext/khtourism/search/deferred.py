"""Indexing deferred: a session whose datasets are indexed later, in bulk.

CKAN indexes a dataset synchronously when its transaction commits
(``SynchronousSearchPlugin.notify`` from the session's ``before_commit``): a full
``package_show`` and an index write per notification. A writer of many datasets (the
harvest import, ``harvesters/indexing.py``) does not need the index until it is done,
so:

* :func:`defer_in_session` flags the current session; the flag is dropped at the
  session's next commit or rollback. Packages notified in a flagged session are not
  indexed then (compat entry ``search.notify_deferred`` wraps ``notify``);
* :func:`indexing_deferred` tells the rooms that react to dataset changes (the DCAT
  registry refresh) that the index does not show this session's writes yet;
* whoever deferred indexes the datasets later and then sends :data:`DEFERRED_INDEXED`
  (:func:`announce_indexed`) with their ids; listeners subscribe through CKAN's
  ``ISignal``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism import compat

SESSION_FLAG = "khtourism_defer_index"
# sent (sender: the list of package ids) when datasets written with deferred indexing are
# indexed
DEFERRED_INDEXED = tk.signals.ckanext.signal("khtourism_deferred_indexed")


def install() -> None:
    """Wrap CKAN's synchronous indexer once (idempotent)."""
    if compat.applied("search.notify_deferred"):
        return

    def wrapped(original_notify: Any) -> Any:
        def notify(self: Any, entity: Any, operation: str) -> None:
            if (
                isinstance(entity, model.Package)
                and operation != model.DomainObjectOperation.deleted
                and _deferred(entity)
            ):
                return
            original_notify(self, entity, operation)

        return notify

    compat.wrap("search.notify_deferred", wrapped)
    sa.event.listen(orm.Session, "after_commit", _clear_flag)
    sa.event.listen(orm.Session, "after_rollback", _clear_flag)


def _deferred(entity: Any) -> bool:
    session = orm.object_session(entity)
    return session is not None and bool(session.info.get(SESSION_FLAG))


def _clear_flag(session: orm.Session) -> None:
    session.info.pop(SESSION_FLAG, None)


def indexing_deferred() -> bool:
    """True while the current session's datasets are not indexed as they commit."""
    return bool(model.Session().info.get(SESSION_FLAG))


def defer_in_session() -> None:
    """No synchronous indexing in this session until its next commit or rollback."""
    install()
    model.Session().info[SESSION_FLAG] = True


def announce_indexed(package_ids: list[str]) -> None:
    """Tell the listeners of :data:`DEFERRED_INDEXED` that these datasets are indexed now."""
    if package_ids:
        DEFERRED_INDEXED.send(list(package_ids))
