"""CKAN's ``User.get`` and ``Group.get`` answered from the session that already holds
the object.

CKAN looks a user up by name or id (``SELECT … WHERE name = :ref OR id = :ref``) on
every authorization check of an action called without a signed-in user in the request
(harvest consumers, the jobs worker, CLI commands, an action calling another as the
site user), in ``owner_org_validator`` and in the activity stream; and a group or
organization by id, then by name (two queries for a name: ``owner_org`` given by name,
the curators' organization). The query's answer is an object the session already holds
after the first lookup: SQLAlchemy returns that same object with its attributes as they
are in the session (CKAN's sessions keep objects across commits,
``expire_on_commit=False``), so the query only costs its round trip and SQL building
(~11 % of the time of action-heavy test files, ``docs/performance.md``).

Here a lookup that found an object is remembered in its session (``Session.info``), by
class and reference. The next lookup of the same reference in that session returns it
without a query while the session still holds it, not deleted, its attributes loaded
and its name or id still the reference. Anything else — a lookup that found nothing, a
new session (every request ends its session), a detached, expired, deleted or renamed
object — asks the database, as CKAN does.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ckanext.khtourism import compat

_CACHE_KEY = "khtourism_lookups"


def _held(session: Any, cls: type, reference: Any) -> Any:
    remembered = session.info.get(_CACHE_KEY)
    if not remembered or not isinstance(reference, str):
        return None
    found = remembered.get((cls, reference))
    if found is None:
        return None
    state = sa.inspect(found)
    loaded = state.dict
    if (
        state.session_id != session.hash_key
        or not state.persistent
        or state.expired
        or reference not in (loaded.get("id"), loaded.get("name"))
    ):
        del remembered[(cls, reference)]
        return None
    return found


def _remember(session: Any, cls: type, reference: Any, found: Any) -> None:
    if found is not None and isinstance(reference, str):
        session.info.setdefault(_CACHE_KEY, {})[(cls, reference)] = found


def _held_first(upstream_get: Any, cls: type) -> Any:
    def get(reference: Any) -> Any:
        from ckan.model import meta

        session = meta.Session()
        found = _held(session, cls, reference)
        if found is None:
            found = upstream_get(reference)
            _remember(session, cls, reference, found)
        return found

    get.__doc__ = upstream_get.__doc__
    return staticmethod(get)


def install() -> None:
    """Put the session-first lookups in place of ``User.get`` and ``Group.get`` (compat
    entries ``model.user_get`` and ``model.group_get``; once per process)."""
    from ckan.model.group import Group
    from ckan.model.user import User

    compat.wrap("model.user_get", lambda upstream: _held_first(upstream, User))
    compat.wrap("model.group_get", lambda upstream: _held_first(upstream, Group))
