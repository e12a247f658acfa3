"""No lost update when two people edit one record at once.

- ``package_patch`` and ``package_update`` lock the package row (``SELECT … FOR UPDATE``)
  before they read it, until their transaction commits, and then read it afresh (:func:`lock`);
  the patch's read comes from the database, not from the search index's copy
  (``package_show`` chained: CKAN accepts a copy whose ``metadata_modified`` matches to
  10 ms). Simultaneous patches of different fields all land.
- An update based on an older read is refused: the edit form sends the ``metadata_modified``
  it showed as ``if_unmodified_since`` (API clients may send it too); when the record changed
  since, ``package_update`` answers 409 with a message naming both times, in Vietnamese and
  English, instead of silently overwriting the other person's change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import messages

PARAMETER = "if_unmodified_since"


def lock(data_dict: dict[str, Any]) -> None:
    """Lock the package ``data_dict`` names (id or name) until the transaction ends, then
    forget every object the session had loaded before the lock.

    The forgetting matters as much as the lock: the auth check loads the package (and its
    extras) before any lock; a ``FOR UPDATE`` query that waited for another update does not
    refresh objects already in the session, and the patch was built from those stale values
    (lost updates in 2 of 15 simultaneous patches). Pending changes are flushed first, so
    nothing of the caller's transaction is lost.
    """
    ref = data_dict.get("id") or data_dict.get("name")
    if not isinstance(ref, str) or not ref:
        return
    model.Session.flush()
    model.Session.execute(
        sa.text("SELECT 1 FROM package WHERE id = :ref OR name = :ref FOR UPDATE"), {"ref": ref}
    )
    model.Session.expire_all()


def _parse(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def refuse_if_stale(data_dict: dict[str, Any], read: Any) -> None:
    """ValidationError (409) when the record changed after ``read`` (its metadata_modified)."""
    if read in (None, ""):
        return
    ref = data_dict.get("id") or data_dict.get("name")
    pkg = model.Package.get(ref) if isinstance(ref, str) and ref else None
    if pkg is None or pkg.metadata_modified is None:
        return
    seen = _parse(read)
    if seen is None:
        raise tk.ValidationError({PARAMETER: [messages.text("bad_date", value=str(read)[:40])]})
    if abs((pkg.metadata_modified - seen).total_seconds()) > 0.000_5:
        model.Session.rollback()
        raise tk.ValidationError(
            {
                PARAMETER: [
                    messages.text(
                        "stale_edit",
                        current=pkg.metadata_modified.isoformat(),
                        read=seen.isoformat(),
                    )
                ]
            }
        )
