"""The change feed: one row per change a consumer of published data must know.

A record is *live* for consumers when it is published (public, active) and
not withdrawn. The feed records the transitions of that state and the
updates in between:

- ``created``: it became live (first publication, re-publication, or its
  operating status left ``withdrawn``);
- ``updated``: a live record changed;
- ``withdrawn``, ``unpublished``, ``deleted``: it stopped being live — these
  are removals (``removal: true``), a consumer drops the record.

Rows are written from IPackageController's ``after_dataset_*`` hooks in the
same database transaction as the change itself, so the feed never mentions a
change that was rolled back. ``dataset_purge`` has no such hook: the chained
``dataset_purge`` action (logic/action) writes the ``deleted`` row of a live
record before the purge, and the purge's own commit makes both durable
together. The cursor is the row's sequence number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.khtourism.core.record_types import is_record_type

metadata = sa.MetaData()

change_table = sa.Table(
    "khtourism_api_change",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("name", sa.UnicodeText, nullable=False),
    sa.Column("dataset_type", sa.UnicodeText, nullable=False),
    sa.Column("change", sa.UnicodeText, nullable=False),
    sa.Column("operating_status", sa.UnicodeText),
    sa.Column("changed_at", sa.DateTime, nullable=False),
    sa.Column("metadata_modified", sa.DateTime),
    # a merged record's removal names the record it was merged into (khts_0005)
    sa.Column("replaced_by", sa.UnicodeText),
)

LIVE_CHANGES = ("created", "updated")
REMOVALS = ("withdrawn", "unpublished", "deleted")


def _operating_status(data: dict[str, Any], package: model.Package) -> str | None:
    if "operating_status" in data:
        return data.get("operating_status") or None
    extras = package.extras or {}
    return extras.get("operating_status") or None


def _last_change(package_id: str) -> str | None:
    return model.Session.execute(
        sa.select(change_table.c.change)
        .where(change_table.c.package_id == package_id)
        .order_by(change_table.c.seq.desc())
        .limit(1)
    ).scalar()


def _insert(package: model.Package, change: str, status: str | None) -> None:
    model.Session.execute(
        change_table.insert().values(
            package_id=package.id,
            name=package.name,
            dataset_type=package.type,
            change=change,
            operating_status=status,
            changed_at=dt.datetime.utcnow(),
            metadata_modified=package.metadata_modified,
        )
    )


def record_purge(package: model.Package) -> None:
    """Add the ``deleted`` row for a record about to be purged, if consumers hold it.

    Called before the purge, in its transaction (not committed here). A record
    that is not live (never published, or already removed) gets no row: its
    removal, if any, is already in the feed.
    """
    if not is_record_type(package.type):
        return
    if _last_change(package.id) in LIVE_CHANGES:
        _insert(package, "deleted", _operating_status({}, package))


def record_change(data: dict[str, Any], event: str) -> None:
    """Add the feed row (if any) for ``event`` (create, update, delete) of one dataset."""
    package_id = data.get("id")
    package = model.Package.get(package_id) if package_id else None
    if package is None or not is_record_type(package.type):
        return
    status = _operating_status(data, package)
    public = event != "delete" and package.state == "active" and not package.private
    live_now = public and status != "withdrawn"
    # A new dataset has no live row before it: ids are not reused, and a purge (the only way
    # to free one) ends the dataset's rows with "deleted" (dataset_purge).
    live_before = event != "create" and _last_change(package.id) in LIVE_CHANGES
    if live_now:
        change = "updated" if live_before else "created"
    elif live_before:
        if event == "delete" or package.state == "deleted":
            change = "deleted"
        elif public:
            change = "withdrawn"
        else:
            change = "unpublished"
    else:
        return
    _insert(package, change, status)


def mark_replaced(package_id: str, replaced_by: str) -> None:
    """Name the record that replaces ``package_id`` on its last feed row, a removal (a merge).

    A record that was not live gets no row: consumers never held it."""
    seq = model.Session.execute(
        sa.select(sa.func.max(change_table.c.seq)).where(change_table.c.package_id == package_id)
    ).scalar()
    if seq is not None:
        model.Session.execute(
            change_table.update()
            .where(change_table.c.seq == seq, change_table.c.change.in_(REMOVALS))
            .values(replaced_by=replaced_by)
        )


def clear_changes() -> None:
    """Empty the feed (tests reset the database; CKAN's reset does not know this table)."""
    model.Session.execute(change_table.delete())
    model.Session.commit()


def read_changes(
    *,
    after_seq: int | None,
    since: dt.datetime | None,
    dataset_types: list[str],
    limit: int,
) -> tuple[list[dict[str, Any]], bool]:
    """Feed rows in order, at most ``limit``; and whether more follow."""
    query = sa.select(change_table).where(change_table.c.dataset_type.in_(dataset_types))
    if after_seq is not None:
        query = query.where(change_table.c.seq > after_seq)
    if since is not None:
        query = query.where(
            change_table.c.changed_at >= since.astimezone(dt.timezone.utc).replace(tzinfo=None)
        )
    rows = (
        model.Session.execute(query.order_by(change_table.c.seq).limit(limit + 1)).mappings().all()
    )
    more = len(rows) > limit
    return [
        {
            "cursor": str(row["seq"]),
            "change": row["change"],
            "removal": row["change"] in REMOVALS,
            "id": row["package_id"],
            "name": row["name"],
            "type": row["dataset_type"],
            "operating_status": row["operating_status"],
            "changed_at": row["changed_at"].isoformat(timespec="microseconds") + "Z",
            **({"replaced_by": row["replaced_by"]} if row["replaced_by"] else {}),
        }
        for row in rows[:limit]
    ], more


def monthly_counts(dataset_types: list[str], months: int) -> list[dict[str, Any]]:
    """Changes per calendar month (UTC), newest last, for the last ``months`` months."""
    today = dt.datetime.utcnow()
    first = dt.datetime(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    month = sa.func.to_char(change_table.c.changed_at, "YYYY-MM")
    rows = model.Session.execute(
        sa.select(month.label("month"), change_table.c.change, sa.func.count().label("n"))
        .where(change_table.c.dataset_type.in_(dataset_types))
        .where(change_table.c.changed_at >= first)
        .group_by("month", change_table.c.change)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    cursor = first
    while cursor <= today:
        counts[cursor.strftime("%Y-%m")] = {change: 0 for change in (*LIVE_CHANGES, *REMOVALS)}
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    for month_key, change, n in rows:
        counts.setdefault(month_key, {c: 0 for c in (*LIVE_CHANGES, *REMOVALS)})[change] = n
    return [{"month": key, **value} for key, value in sorted(counts.items())]
