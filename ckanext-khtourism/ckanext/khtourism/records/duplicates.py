"""Duplicate candidates: pairs of records that may be one establishment.

The ``khtourism_duplicate_pair`` table (migration khts_0005_establishment_id) keeps
what harvest matching could not decide (several candidates, or the same name nearby)
and every curator decision: ``not_duplicate`` is remembered (the pair never shows
again), ``merged`` records a merge. The curators' duplicates view lists the stored
candidates and the pairs found on the fly (same enterprise code, same name within
100 m, same phone), minus the pairs already decided.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Column, DateTime, Index, UnicodeText, UniqueConstraint

import ckan.model as model
from ckan.model.base import BaseModel

CANDIDATE = "candidate"
NOT_DUPLICATE = "not_duplicate"
MERGED = "merged"
DECIDED = (NOT_DUPLICATE, MERGED)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class DuplicatePair(BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = "khtourism_duplicate_pair"

    id = Column(UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    # the two package ids, in sorted order (one row per pair)
    record_a = Column(UnicodeText, nullable=False)
    record_b = Column(UnicodeText, nullable=False)
    state = Column(UnicodeText, nullable=False, default=CANDIDATE)
    reason = Column(UnicodeText, nullable=False, default="")
    found_by = Column(UnicodeText)  # the harvest source, or "curator"
    created = Column(DateTime, nullable=False, default=_now)
    decided_by = Column(UnicodeText)
    decided_at = Column(DateTime)

    __table_args__ = (
        UniqueConstraint("record_a", "record_b", name="khtourism_duplicate_pair_uq"),
        Index("khtourism_duplicate_pair_state_idx", "state"),
    )

    @classmethod
    def get_pair(cls, one: str, other: str) -> DuplicatePair | None:
        a, b = sorted((one, other))
        return model.Session.query(cls).filter_by(record_a=a, record_b=b).first()


def add_candidates(
    package_id: str | None, candidates: list[tuple[str, str]], *, found_by: str
) -> None:
    """Queue ``package_id`` as a possible duplicate of each candidate (no commit).

    A pair a curator has already decided stays decided.
    """
    if not package_id:
        return
    for other, reason in candidates:
        if other == package_id:
            continue
        if DuplicatePair.get_pair(package_id, other) is not None:
            continue
        a, b = sorted((package_id, other))
        model.Session.add(DuplicatePair(record_a=a, record_b=b, reason=reason, found_by=found_by))


def decide(one: str, other: str, state: str, user: str, reason: str = "") -> DuplicatePair:
    """Record a curator's decision on a pair (no commit)."""
    pair = DuplicatePair.get_pair(one, other)
    if pair is None:
        a, b = sorted((one, other))
        pair = DuplicatePair(record_a=a, record_b=b, reason=reason, found_by="curator")
        model.Session.add(pair)
    pair.state = state
    pair.decided_by = user
    pair.decided_at = _now()
    return pair


def decided_pairs() -> set[tuple[str, str]]:
    rows = model.Session.query(DuplicatePair.record_a, DuplicatePair.record_b).filter(
        DuplicatePair.state.in_(DECIDED)
    )
    return {(a, b) for a, b in rows}


def stored_candidates() -> list[dict[str, Any]]:
    rows = model.Session.query(DuplicatePair).filter(DuplicatePair.state == CANDIDATE)
    return [
        {"a": row.record_a, "b": row.record_b, "reasons": [row.reason], "found_by": row.found_by}
        for row in rows
    ]
