"""Search reads on PostgreSQL hot-standby replicas (``search.read_replicas``).

With one or more replica URLs configured, a search statement runs on a replica
(round robin) instead of the primary, unless

* the session wrote to the index (``cache.note_change``) since it began — the
  writer's own request reads its writes on the primary (CKAN removes the scoped
  session at the end of every request, so the next request may read a replica);
* the replica is behind by more than ``search.replica_max_lag`` seconds, is not
  streaming from the primary, or is not a standby at all (checked at most once a
  second per replica);
* the replica failed (connection refused, server gone): it is left alone for
  ``RETRY_AFTER`` seconds and the search goes to the primary — never an error to
  the user.

Writes never go to a replica. Lag: 0 when the replica has replayed everything it
received, otherwise the age of the last replayed transaction.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

REPLICAS_OPTION = "ckanext.khtourism.search.read_replicas"
MAX_LAG_OPTION = "ckanext.khtourism.search.replica_max_lag"
WROTE = "khtourism_search_wrote"
RETRY_AFTER = 30.0  # seconds a failed replica is left alone
CHECK_EVERY = 1.0  # seconds between lag checks of one replica

LAG_SQL = sa.text(
    """SELECT pg_is_in_recovery() AS standby,
              (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver,
              CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                   ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
              END AS lag"""
)


@dataclass
class Replica:
    url: str
    engine: Any
    down_until: float = 0.0
    checked_at: float = 0.0
    usable: bool = False
    reason: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


_replicas: dict[str, Replica] = {}
_round_robin = itertools.count()
_registry_lock = threading.Lock()


def urls() -> list[str]:
    from ckan.common import config

    value = config.get(REPLICAS_OPTION) or []
    if isinstance(value, str):
        value = value.split()
    return [str(v).strip() for v in value if str(v).strip()]


def max_lag() -> float:
    from ckan.common import config

    return float(config.get(MAX_LAG_OPTION, 10) or 0)


def note_write(session: Any) -> None:
    """The session wrote to the index: its searches stay on the primary."""
    session.info[WROTE] = True


def _replica(url: str) -> Replica:
    with _registry_lock:
        if url not in _replicas:
            engine = sa.create_engine(
                url, pool_pre_ping=True, pool_size=2, max_overflow=2, pool_recycle=600
            )
            _replicas[url] = Replica(url, engine)
        return _replicas[url]


def _check(replica: Replica, now: float) -> bool:
    """Whether the replica may answer now (lag checked at most every CHECK_EVERY s)."""
    with replica.lock:
        if now < replica.down_until:
            return False
        if now - replica.checked_at < CHECK_EVERY:
            return replica.usable
        replica.checked_at = now
        try:
            with replica.engine.connect() as connection:
                row = connection.execute(LAG_SQL).one()
        except sa.exc.DBAPIError as error:
            _failed(replica, error, now)
            return False
        if not row.standby:
            replica.usable, replica.reason = False, "not a standby"
        elif row.receiver != "streaming":
            replica.usable, replica.reason = False, f"not streaming ({row.receiver})"
        elif row.lag is not None and float(row.lag) > max_lag():
            replica.usable, replica.reason = False, f"{float(row.lag):.1f} s behind"
        else:
            replica.usable, replica.reason = True, ""
        if not replica.usable:
            log.info("search replica %s not used: %s", _redacted(replica.url), replica.reason)
        return replica.usable


def _failed(replica: Replica, error: BaseException, now: float) -> None:
    replica.down_until = now + RETRY_AFTER
    replica.usable = False
    replica.reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    log.warning(
        "search replica %s failed (%s); searches go to the primary for %.0f s",
        _redacted(replica.url),
        replica.reason,
        RETRY_AFTER,
    )


def _redacted(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for a log line
        return "<replica>"


def run(session: Any, statement: Callable[[Any], Any]) -> tuple[bool, Any]:
    """Run ``statement(connection)`` on a usable replica: ``(True, result)``, or
    ``(False, None)`` when the primary must answer (no replica, the session wrote,
    every replica lagging or failed)."""
    configured = urls()
    if not configured or session.info.get(WROTE):
        return False, None
    now = time.monotonic()
    start = next(_round_robin)
    for offset in range(len(configured)):
        replica = _replica(configured[(start + offset) % len(configured)])
        if not _check(replica, now):
            continue
        try:
            with replica.engine.connect() as connection, connection.begin():
                return True, statement(connection)
        except sa.exc.OperationalError as error:
            with replica.lock:
                _failed(replica, error, time.monotonic())
        except sa.exc.DBAPIError as error:
            if getattr(error, "connection_invalidated", False):
                with replica.lock:
                    _failed(replica, error, time.monotonic())
            else:
                raise
    return False, None


def reset() -> None:
    """Forget the replicas' state and connections (tests; settings changed)."""
    with _registry_lock:
        for replica in _replicas.values():
            replica.engine.dispose()
        _replicas.clear()
