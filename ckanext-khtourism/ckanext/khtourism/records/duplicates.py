"""Duplicate candidates: pairs of records that may be one establishment.

The ``khtourism_duplicate_pair`` table (migration khts_0006_establishment_id) keeps
what harvest matching could not decide (several candidates, or the same name nearby)
and every curator decision: ``not_duplicate`` is remembered (the pair never shows
again), ``merged`` records a merge. The curators' duplicates view lists the stored
candidates and the pairs found on the fly (same enterprise code, same name within
``ckanext.khtourism.duplicates.name_radius_m``, 100 m by default, same phone), minus the pairs already decided.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, Index, UnicodeText, UniqueConstraint
from sqlalchemy.orm import Mapped

import ckan.model as model

from ckanext.khtourism.core import record_types

if TYPE_CHECKING:
    # CKAN's BaseModel is a declarative base (registry().generate_base()), but CKAN has no
    # type information: the SQLAlchemy mypy plugin types the columns below from this one.
    from sqlalchemy.orm import declarative_base

    BaseModel = declarative_base()
else:
    from ckan.model.base import BaseModel

CANDIDATE = "candidate"
NOT_DUPLICATE = "not_duplicate"
MERGED = "merged"
DECIDED = (NOT_DUPLICATE, MERGED)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class DuplicatePair(BaseModel):
    __tablename__ = "khtourism_duplicate_pair"

    id: Mapped[str] = Column(UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    # the two package ids, in sorted order (one row per pair)
    record_a: Mapped[str] = Column(UnicodeText, nullable=False)
    record_b: Mapped[str] = Column(UnicodeText, nullable=False)
    state: Mapped[str] = Column(UnicodeText, nullable=False, default=CANDIDATE)
    reason: Mapped[str] = Column(UnicodeText, nullable=False, default="")
    found_by = Column(UnicodeText)  # the harvest source, or "curator"
    created: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=_now)
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


# --- the curators' view -----------------------------------------------------------------------
# Place types: a guide's phone is personal data, and guides are persons, not establishments.
PLACE_TYPES = record_types.PLACE_TYPES  # the types declared ``kind: place``
SAME_NAME_M = 100.0  # the default of ckanext.khtourism.duplicates.name_radius_m
NAME_RADIUS_SETTING = "ckanext.khtourism.duplicates.name_radius_m"
SUMMARY_KEYS = (
    "establishment_id",
    "enterprise_code",
    "household_business_number",
    "register_number",
    "street_address",
    "phone",
    "source_name",
    "workflow_state",
)


def name_radius_m() -> float:
    """Metres within which two place records with the same name are possible duplicates
    (the duplicates view and harvest matching alike)."""
    import ckan.plugins.toolkit as tk

    value = tk.config.get(NAME_RADIUS_SETTING)
    return SAME_NAME_M if value in (None, "") else float(value)


def _pairs_sharing(key: str) -> list[tuple[str, str, str]]:
    rows = model.Session.execute(
        sa.text(
            """
            SELECT e1.package_id, e2.package_id, e1.value
            FROM package_extra e1
            JOIN package_extra e2
              ON e2.key = e1.key AND e2.value = e1.value AND e1.package_id < e2.package_id
            JOIN package p1 ON p1.id = e1.package_id
            JOIN package p2 ON p2.id = e2.package_id
            WHERE e1.key = :key AND e1.state = 'active' AND e2.state = 'active'
              AND coalesce(e1.value, '') <> ''
              AND p1.state = 'active' AND p2.state = 'active'
              AND p1.type = p2.type AND p1.type = ANY(:types)
            """
        ),
        {"key": key, "types": list(PLACE_TYPES)},
    )
    return [(a, b, value) for a, b, value in rows]


def _pairs_same_name() -> list[tuple[str, str, str]]:
    from .geo import distance_m, point_of

    rows = model.Session.execute(
        sa.text(
            """
            SELECT p.id, lower(p.title) AS title, p.type,
                   (SELECT value FROM package_extra e
                     WHERE e.package_id = p.id AND e.key = 'spatial' AND e.state = 'active')
            FROM package p
            WHERE p.state = 'active' AND p.type = ANY(:types)
              AND lower(p.title) IN (
                  SELECT lower(title) FROM package
                  WHERE state = 'active' AND type = ANY(:types)
                  GROUP BY lower(title), type HAVING count(*) > 1)
            """
        ),
        {"types": list(PLACE_TYPES)},
    )
    groups: dict[tuple[str, str], list[tuple[str, Any]]] = {}
    for package_id, title, dataset_type, spatial in rows:
        groups.setdefault((title, dataset_type), []).append((package_id, point_of(spatial)))
    found = []
    radius = name_radius_m()
    for members in groups.values():
        for i, (a, here) in enumerate(members):
            for b, there in members[i + 1 :]:
                if here and there and (metres := distance_m(here, there)) <= radius:
                    one, other = sorted((a, b))
                    found.append((one, other, f"same name, {metres:.0f} m apart"))
    return found


def _summary(package: model.Package) -> dict[str, Any]:
    extras = package.extras or {}
    return {
        "id": package.id,
        "name": package.name,
        "title": package.title,
        "type": package.type,
        "owner_org": package.owner_org,
        "metadata_created": package.metadata_created.isoformat()
        if package.metadata_created
        else None,
        **{key: extras.get(key, "") for key in SUMMARY_KEYS},
    }


def list_pairs() -> list[dict[str, Any]]:
    """Possible duplicates, both records side by side: [{a, b, reasons}].

    Stored candidates (from harvests) and pairs found now: same enterprise code, same name
    within ``name_radius_m()``, same phone — minus the pairs curators have decided.
    """
    decided = decided_pairs()
    reasons: dict[tuple[str, str], list[str]] = {}
    for row in stored_candidates():
        reasons.setdefault((row["a"], row["b"]), []).extend(row["reasons"])
    for key, label in (("enterprise_code", "same enterprise code"), ("phone", "same phone")):
        for a, b, value in _pairs_sharing(key):
            reasons.setdefault((a, b), []).append(f"{label} {value}")
    for a, b, why in _pairs_same_name():
        reasons.setdefault((a, b), []).append(why)
    result = []
    for (a, b), pair_reasons in sorted(reasons.items()):
        if (a, b) in decided:
            continue
        one, other = model.Package.get(a), model.Package.get(b)
        if one is None or other is None or "active" not in (one.state, other.state):
            continue
        if one.state != "active" or other.state != "active":
            continue
        result.append(
            {"a": _summary(one), "b": _summary(other), "reasons": sorted(set(pair_reasons))}
        )
    return result


def _age_key(package: model.Package) -> tuple[int, Any]:
    """Older first: the smaller identifier number, then the earlier creation."""
    identifier = (package.extras or {}).get("establishment_id") or ""
    digits = identifier.rsplit("-", 1)[-1]
    return (int(digits) if digits.isdigit() else 10**12, package.metadata_created)


def survivor_of(one: model.Package, other: model.Package) -> tuple[model.Package, model.Package]:
    """(kept, removed): a merge keeps the record with the older identifier."""
    kept, removed = sorted((one, other), key=_age_key)
    return kept, removed


def replaced_by(package_id: str) -> str | None:
    """The record a merged (removed) record was merged into, or None."""
    row = (
        model.Session.query(DuplicatePair)
        .filter(
            DuplicatePair.state == MERGED,
            sa.or_(DuplicatePair.record_a == package_id, DuplicatePair.record_b == package_id),
        )
        .first()
    )
    if row is None:
        return None
    other = row.record_b if row.record_a == package_id else row.record_a
    package = model.Package.get(package_id)
    return other if package is not None and package.state != "active" else None
