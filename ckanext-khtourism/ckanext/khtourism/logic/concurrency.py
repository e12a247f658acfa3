"""No lost update when two people edit one record at once.

- ``package_update`` and ``package_patch`` lock the package row (``SELECT … FOR UPDATE``)
  before they read it, until their transaction commits: a patch reads what the patch before
  it wrote, so simultaneous patches of different fields all land.
- An update based on an older read is refused: the edit form sends the ``metadata_modified``
  it showed as ``if_unmodified_since`` (API clients may send it too); when the record changed
  since, ``package_update`` answers 409 with a message naming both times, in Vietnamese and
  English, instead of silently overwriting the other person's change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.records import messages

PARAMETER = "if_unmodified_since"


def lock(data_dict: dict[str, Any]) -> model.Package | None:
    """Lock the package ``data_dict`` names (id or name) and reload it from the row."""
    ref = data_dict.get("id") or data_dict.get("name")
    if not isinstance(ref, str) or not ref:
        return None
    query = model.Session.query(model.Package).populate_existing().with_for_update(of=model.Package)
    return (
        query.filter(model.Package.id == ref).first()
        or query.filter(model.Package.name == ref).first()
    )


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
