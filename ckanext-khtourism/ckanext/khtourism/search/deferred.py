"""When CKAN's synchronous indexer writes a dataset: once per commit, or later in bulk.

CKAN indexes a dataset synchronously when its transaction commits
(``SynchronousSearchPlugin.notify`` from the session's ``before_commit``): a full
``package_show`` and an index write per notification. Compat entry
``search.notify_deferred`` wraps ``notify`` (:func:`install`, at start-up) for two rules.

Once per commit. CKAN notifies a new dataset twice in the same commit: as new, and again
as changed through the new rows that belong to it (its extras, tags, membership:
``DomainObjectModificationExtension.notify_observers`` adds their ``related_packages``).
Both notifications read the same flushed state, so the second index write repeated the
first: every ``package_create`` wrote its dataset's index row twice. A dataset is now
indexed at most once per commit of a transaction (a savepoint's commit and the enclosing
transaction's commit are two commits, each indexing what it was told).

Deferred. A writer of many datasets (the harvest import, ``harvesters/indexing.py``)
does not need the index until it is done, so:

* :func:`defer_in_session` flags the current session; the flag is dropped at the
  session's next commit or rollback. Packages notified in a flagged session are not
  indexed then;
* :func:`indexing_deferred` tells the rooms that react to dataset changes (the DCAT
  registry refresh) that the index does not show this session's writes yet;
* whoever deferred indexes the datasets later and then sends :data:`DEFERRED_INDEXED`
  (:func:`announce_indexed`) with their ids; listeners subscribe through CKAN's
  ``ISignal``.
"""

from __future__ import annotations

import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism import compat

SESSION_FLAG = "khtourism_defer_index"
# session.info key: (a weak reference to the transaction committing, ids indexed in it)
INDEXED_IN_COMMIT = "khtourism_indexed_in_commit"
# sent (sender: the list of package ids) when datasets written with deferred indexing are
# indexed
DEFERRED_INDEXED = tk.signals.ckanext.signal("khtourism_deferred_indexed")


def install() -> None:
    """Wrap CKAN's synchronous indexer once (idempotent)."""
    if compat.applied("search.notify_deferred"):
        return

    def wrapped(original_notify: Any) -> Any:
        def notify(self: Any, entity: Any, operation: str) -> None:
            indexed = isinstance(entity, model.Package) and (
                operation != model.DomainObjectOperation.deleted
            )
            if indexed and (_deferred(entity) or _indexed_in_this_commit(entity)):
                return
            original_notify(self, entity, operation)

        return notify

    compat.wrap("search.notify_deferred", wrapped)
    sa.event.listen(orm.Session, "after_commit", _clear_session_marks)
    sa.event.listen(orm.Session, "after_rollback", _clear_session_marks)


def _indexed_in_this_commit(entity: Any) -> bool:
    """True if ``entity`` was already indexed by the commit under way; else note it."""
    session = orm.object_session(entity)
    if not isinstance(session, orm.Session):
        return False
    # the transaction whose commit is notifying: a savepoint's, else the session's own
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        return False
    committing, indexed = session.info.get(INDEXED_IN_COMMIT, (None, set()))
    if committing is None or committing() is not transaction:
        indexed = set()
        session.info[INDEXED_IN_COMMIT] = (weakref.ref(transaction), indexed)
    if entity.id in indexed:
        return True
    indexed.add(entity.id)
    return False


def _deferred(entity: Any) -> bool:
    session = orm.object_session(entity)
    return session is not None and bool(session.info.get(SESSION_FLAG))


def _clear_session_marks(session: orm.Session) -> None:
    session.info.pop(SESSION_FLAG, None)
    session.info.pop(INDEXED_IN_COMMIT, None)


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
