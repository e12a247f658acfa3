"""Personal data of tour guides: the access log, and what the export and erasure keep.

See docs/privacy.md for the purpose, the legal basis and what is kept by law.

* :func:`log_access` writes one ``khtourism_privacy_access`` row (migration
  khts_0005) each time a person is shown a record's private fields
  (``records.privacy.after_show``: pages, action API; the tourism API; the
  export; the erasure). Internal reads (indexing, activity, harvest imports:
  ``ignore_auth`` or the site user) are not accesses by a person. The row is
  written on its own connection: a read request has nothing to commit.
* The export and the erasure of one person's data (``logic/personal_data.py``)
  read the purpose, the legal basis and the fields kept by law (the public
  registry data of the guide card) from here.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core.side_connections import side_engine

log = logging.getLogger(__name__)

ACCESS_TABLE = sa.Table(
    "khtourism_privacy_access",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("accessed_at", sa.DateTime, nullable=False),
    sa.Column("user_name", sa.UnicodeText, nullable=False),
    sa.Column("user_id", sa.UnicodeText),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("package_name", sa.UnicodeText),
    sa.Column("access", sa.UnicodeText, nullable=False),
    sa.Column("via", sa.UnicodeText),
)
SHOW, EXPORT, ERASE, API = "show", "export", "erase", "api"
# public registry data of a guide card (Law on Tourism 09/2017/QH14, art. 58-62): kept
KEPT_BY_LAW = (
    "full_name",
    "card_number",
    "card_type",
    "card_issue_date",
    "card_expiry_date",
    "issuing_province",
)
PURPOSE = {
    "vi": (
        "Quản lý nhà nước về hướng dẫn viên du lịch: xác minh thẻ hướng dẫn viên, "
        "liên hệ khi cần và thống kê ngành; không công bố."
    ),
    "en": (
        "State management of tour guides: verifying guide cards, contacting the guide "
        "when needed and sector statistics; never published."
    ),
}
LEGAL_BASIS = (
    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; Nghị định 13/2023/NĐ-CP; "
    "Luật Du lịch 09/2017/QH14 (thẻ hướng dẫn viên du lịch)"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _request_path() -> str | None:
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - Flask is part of CKAN
        return None
    return request.path if has_request_context() else None


def _already_logged(key: tuple[str, str, str]) -> bool:
    """One row per person, record and kind of access per request."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover
        return False
    if not has_request_context():
        return False
    seen = g.setdefault("_khtourism_privacy_logged", set())
    if key in seen:
        return True
    seen.add(key)
    return False


def is_person(user: model.User | None, context: dict[str, Any]) -> bool:
    """A read by a person (not indexing, activity, harvest: internal calls)."""
    if user is None or context.get("ignore_auth"):
        return False
    site_user = tk.config.get("ckan.site_id")
    return user.name != site_user


def log_access(
    user: model.User, package_id: str, package_name: str | None, access: str = SHOW
) -> None:
    log_accesses(user, [(package_id, package_name)], access)


def log_accesses(
    user: model.User, records: list[tuple[str, str | None]], access: str = SHOW
) -> None:
    """One row per record (one statement for all), committed on a side connection
    (``core/side_connections.py``): the row stays even if the request rolls back."""
    via = _request_path()
    now = _now()
    rows = [
        {
            "accessed_at": now,
            "user_name": user.name,
            "user_id": user.id,
            "package_id": package_id,
            "package_name": package_name,
            "access": access,
            "via": via,
        }
        for package_id, package_name in records
        if not _already_logged((user.id, package_id, access))
    ]
    if not rows:
        return
    try:
        with side_engine().begin() as connection:
            connection.execute(ACCESS_TABLE.insert(), rows)
    except sa.exc.SQLAlchemyError:
        # the access itself must not fail for its log row; the failure is logged loudly
        log.exception("personal data access of %s could not be logged", user.name)


def access_log(
    package_id: str | None = None, user_name: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    query = sa.select(ACCESS_TABLE).order_by(ACCESS_TABLE.c.id.desc())
    if package_id:
        query = query.where(ACCESS_TABLE.c.package_id == package_id)
    if user_name:
        query = query.where(ACCESS_TABLE.c.user_name == user_name)
    rows = model.Session.execute(query.limit(limit).offset(offset)).mappings().all()
    return [{**row, "accessed_at": row["accessed_at"].isoformat()} for row in rows]
