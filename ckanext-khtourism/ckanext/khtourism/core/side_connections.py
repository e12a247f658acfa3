"""Connections beside the request's own session, from a pool of their own.

Some work of a request must not share the request's transaction: the personal-data access
log commits its row even when the request rolls back, and the webhook check after a record
action must not leave the session in a failed transaction should it fail. Taking that
connection from CKAN's pool (``model.meta.engine``) deadlocked the portal under load: the
request's session already holds one connection of that pool and waits for a second, and
once as many requests as the pool has connections (5 + 10 overflow by default) do that at
the same time, every one of them waits for the others until the pool's 30 s timeout — and
requests that wanted their first connection got a 500 (seen with 20 simultaneous
``harvest_source_create`` calls on ``make run``).

:func:`side_engine` is an engine of its own for the same database, with a small pool: a
connection of it is held for one statement or one short transaction and its holder waits
for nothing else meanwhile, so a request waiting for one never waits on another request's
session. It is made once per process for each CKAN engine (tests rebind the model).
"""

from __future__ import annotations

import threading
import weakref

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# a connection per concurrent side statement, at most POOL_SIZE + MAX_OVERFLOW at once
POOL_SIZE = 2
MAX_OVERFLOW = 8

_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def side_engine() -> Engine:
    """The side engine of CKAN's current engine (same database and driver options)."""
    from ckan.model import meta

    main = meta.engine
    if main is None:
        raise RuntimeError("CKAN's model is not bound to a database yet")
    with _lock:
        engine = _engines.get(main)
        if engine is None:
            engine = sa.create_engine(
                main.url,
                pool_size=POOL_SIZE,
                max_overflow=MAX_OVERFLOW,
                pool_pre_ping=True,
                pool_recycle=600,
            )
            _engines[main] = engine
        return engine
