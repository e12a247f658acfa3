"""Does the search index agree with the database? (``ckan khtourism doctor``, and
``ckan khtourism search repair`` to make it agree again.)

After a fault (a worker killed between a commit and the index write of a batch, a restored
database, an index row removed by hand) the index can miss datasets, keep removed ones, or
hold an older version. One statement compares every dataset row with its index row:

- **missing**: a dataset that should be indexed (any state but ``deleted`` when
  ``ckan.search.remove_deleted_packages`` is on, CKAN's default) with no index row;
- **extra**: an index row of this site with no such dataset (or a deleted one);
- **stale**: both exist but the index holds another ``metadata_modified`` or state.

:func:`repair` re-indexes the missing and stale datasets through the engine's own rebuild
(only those ids) and deletes the extra rows, in one transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from .index import TABLE

_DRIFT_SQL = f"""
SELECT coalesce(p.id, d.id) AS id,
       coalesce(p.type, d.dataset_type) AS type,
       coalesce(p.state, d.state) AS state,
       p.id IS NULL AS extra,
       d.id IS NULL AS missing
FROM (SELECT id, type, state, metadata_modified FROM package
      WHERE :keep_deleted OR state <> 'deleted') p
FULL OUTER JOIN (SELECT id, dataset_type, state, metadata_modified FROM {TABLE}
                 WHERE site_id = :site_id AND entity_type = 'package') d
  ON d.id = p.id
WHERE p.id IS NULL OR d.id IS NULL
   OR d.state IS DISTINCT FROM p.state
   OR d.metadata_modified IS NULL
   OR abs(extract(epoch FROM d.metadata_modified
                  - (p.metadata_modified AT TIME ZONE 'UTC'))) > 0.001
ORDER BY 1
"""


@dataclass
class Drift:
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    # (type, state) -> drifted datasets of that kind
    by_kind: Counter = field(default_factory=Counter)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def describe(self, limit: int = 5) -> str:
        parts = []
        for label, ids in (("missing", self.missing), ("extra", self.extra), ("stale", self.stale)):
            if ids:
                shown = ", ".join(ids[:limit]) + (" …" if len(ids) > limit else "")
                parts.append(f"{len(ids)} {label} ({shown})")
        kinds = ", ".join(f"{t}/{s}: {n}" for (t, s), n in sorted(self.by_kind.items()))
        return "; ".join(parts) + (f" — by type/state: {kinds}" if kinds else "")


def find() -> Drift:
    keep_deleted = not tk.asbool(tk.config.get("ckan.search.remove_deleted_packages", True))
    rows = model.Session.execute(
        sa.text(_DRIFT_SQL),
        {"keep_deleted": keep_deleted, "site_id": tk.config.get("ckan.site_id") or ""},
    )
    drift = Drift()
    for row in rows:
        target = drift.extra if row.extra else drift.missing if row.missing else drift.stale
        target.append(row.id)
        drift.by_kind[(row.type or "?", row.state or "?")] += 1
    return drift


def repair() -> Drift:
    """Re-index the missing and stale datasets, delete the extra rows; the drift repaired."""
    from ckan.lib.search import rebuild

    from . import index

    drift = find()
    if drift.clean:
        return drift
    if drift.extra:
        index.delete_ids(model.Session, drift.extra)
    ids = drift.missing + drift.stale
    if ids:
        rebuild(package_ids=ids, defer_commit=True, quiet=True)
    model.Session.commit()
    from . import cache

    cache.invalidate()
    return drift
