"""The ``khtourism_pending_revision`` table (created by migration khts_0002_workflow).

One row per proposed edit of a published record by its business. While a
revision is ``pending`` the dataset keeps the approved version; a curator
approves it (the proposal is applied through ``package_update`` with full
validation) or rejects it with a reason. A newer proposal supersedes an
older pending one.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, DateTime, ForeignKey, Index, UnicodeText
from sqlalchemy.orm import Mapped

import ckan.model as model

if TYPE_CHECKING:
    # CKAN's BaseModel is a declarative base (registry().generate_base()), but CKAN has no
    # type information: the SQLAlchemy mypy plugin types the columns below from this one.
    from sqlalchemy.orm import declarative_base

    BaseModel = declarative_base()
else:
    from ckan.model.base import BaseModel

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
SUPERSEDED = "superseded"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class PendingRevision(BaseModel):
    __tablename__ = "khtourism_pending_revision"

    id: Mapped[str] = Column(UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    package_id: Mapped[str] = Column(
        UnicodeText, ForeignKey("package.id", ondelete="CASCADE"), nullable=False
    )
    state: Mapped[str] = Column(UnicodeText, nullable=False, default=PENDING)
    data: Mapped[str] = Column(UnicodeText, nullable=False)
    submitted_by: Mapped[str] = Column(UnicodeText, nullable=False)
    submitted_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=_now)
    reviewed_by = Column(UnicodeText)
    reviewed_at = Column(DateTime)
    reason = Column(UnicodeText)

    __table_args__ = (Index("khtourism_pending_revision_package_state_idx", "package_id", "state"),)

    @property
    def proposed(self) -> dict[str, Any]:
        return json.loads(self.data)

    @classmethod
    def pending_for(cls, package_id: str) -> PendingRevision | None:
        return (
            model.Session.query(cls)
            .filter(cls.package_id == package_id, cls.state == PENDING)
            .order_by(cls.submitted_at.desc())
            .first()
        )

    @classmethod
    def all_pending(cls) -> list[PendingRevision]:
        return (
            model.Session.query(cls).filter(cls.state == PENDING).order_by(cls.submitted_at).all()
        )

    @classmethod
    def latest_for(cls, package_id: str) -> PendingRevision | None:
        return (
            model.Session.query(cls)
            .filter(cls.package_id == package_id)
            .order_by(cls.submitted_at.desc())
            .first()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "package_id": self.package_id,
            "state": self.state,
            "submitted_by": self.submitted_by,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "reason": self.reason,
        }


def now() -> dt.datetime:
    return _now()
