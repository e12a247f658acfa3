"""The tables of migration khts_0009_visitor_reports: a monthly report per establishment
and month (counts only) and its international guests by nationality."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, UnicodeText
from sqlalchemy.orm import Mapped, relationship

from .indicators import ALL_COUNTS

if TYPE_CHECKING:
    from sqlalchemy.orm import declarative_base

    BaseModel = declarative_base()
else:
    from ckan.model.base import BaseModel


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class ReportNationality(BaseModel):
    __tablename__ = "khtourism_visitor_report_nationality"

    report_id: Mapped[str] = Column(
        UnicodeText,
        ForeignKey("khtourism_visitor_report.id", ondelete="CASCADE"),
        primary_key=True,
    )
    country: Mapped[str] = Column(UnicodeText, primary_key=True)
    guests: Mapped[int] = Column(BigInteger, nullable=False)


class VisitorReport(BaseModel):
    __tablename__ = "khtourism_visitor_report"

    id: Mapped[str] = Column(UnicodeText, primary_key=True, default=lambda: str(uuid.uuid4()))
    establishment_id: Mapped[str] = Column(UnicodeText, nullable=False)
    period: Mapped[str] = Column(UnicodeText, nullable=False)
    kind: Mapped[str] = Column(UnicodeText, nullable=False)
    package_id: Mapped[str] = Column(UnicodeText, nullable=False)
    owner_org = Column(UnicodeText)
    admin_unit = Column(UnicodeText)
    former_district = Column(UnicodeText)
    accommodation_type = Column(UnicodeText)
    state: Mapped[str] = Column(UnicodeText, nullable=False)
    demo: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    created_by = Column(UnicodeText)
    created: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=now)
    modified: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=now)
    submitted_by = Column(UnicodeText)
    submitted_at = Column(DateTime)
    reviewed_by = Column(UnicodeText)
    reviewed_at = Column(DateTime)
    reason = Column(UnicodeText)
    pending = Column(UnicodeText)
    pending_by = Column(UnicodeText)
    pending_at = Column(DateTime)

    nationalities: Mapped[list[ReportNationality]] = relationship(
        ReportNationality,
        uselist=True,
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


for _name in ALL_COUNTS:
    setattr(VisitorReport, _name, Column(_name, BigInteger))
