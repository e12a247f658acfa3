"""Reminders of missing monthly reports: from the 15th of the following month, one
e-mail per establishment and month to the establishment's address and its business's
editors and admins (CKAN's mailer and ``smtp.*`` settings), when
``ckanext.khtourism.statistics.send_reminders`` is on; otherwise the list is only shown
on the curators' dashboard. Run daily by ``ckan khtourism statistics remind``."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import dashboard, reports

log = logging.getLogger(__name__)

SUBJECT = "Nhắc nộp báo cáo khách tháng {period} / Reminder: monthly visitor report {period}"
BODY = """Kính gửi {title} ({establishment_id}),

Cơ sở chưa gửi báo cáo khách tháng {period} cho Sở Văn hóa, Thể thao và Du lịch
Khánh Hòa. Hạn nộp: {deadline}. Vui lòng nộp tại: {url}
(chỉ nhập số liệu, không nhập tên hay giấy tờ tùy thân của khách).

Dear {title} ({establishment_id}),

Your monthly visitor report for {period} has not been submitted yet. Deadline:
{deadline}. Please report at: {url}
"""


def enabled() -> bool:
    return tk.asbool(tk.config.get("ckanext.khtourism.statistics.send_reminders"))


def _recipients(row: dict[str, Any]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    if row.get("email"):
        found[str(row["email"]).strip().lower()] = row["title"]
    if row.get("owner_org"):
        members = (
            model.Session.query(model.User)
            .join(model.Member, model.Member.table_id == model.User.id)
            .filter(
                model.Member.group_id == row["owner_org"],
                model.Member.table_name == "user",
                model.Member.state == "active",
                model.Member.capacity.in_(["editor", "admin"]),
                model.User.state == "active",
            )
        )
        for user in members:
            if user.email:
                found.setdefault(user.email.strip().lower(), user.display_name)
    return [(name, email) for email, name in sorted(found.items())]


def _already_sent(period: str) -> set[str]:
    rows = model.Session.execute(
        sa.text("SELECT establishment_id FROM khtourism_visitor_reminder WHERE period = :p"),
        {"p": period},
    ).scalars()
    return set(rows)


def send(period: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Send the reminders due for ``period`` (default: last month); returns what was
    due and what was sent."""
    from ckan.lib.mailer import MailerException, mail_recipient

    today = today or reports.local_date(reports.now())
    period = period or dashboard.shift(today.strftime("%Y-%m"), -1)
    due = dashboard.reminders(period, today=today)
    result: dict[str, Any] = {"period": period, "due": len(due), "sent": 0, "skipped": 0}
    if not enabled():
        return result
    done = _already_sent(period)
    url = tk.config.get("ckan.site_url", "").rstrip("/") + "/khtourism/visitor-reports/"
    for row in due:
        if row["establishment_id"] in done:
            result["skipped"] += 1
            continue
        recipients = _recipients(row)
        body = BODY.format(
            title=row["title"],
            establishment_id=row["establishment_id"],
            period=period,
            deadline=reports.deadline(period).isoformat(),
            url=url,
        )
        sent = 0
        for name, email in recipients:
            try:
                mail_recipient(name, email, SUBJECT.format(period=period), body)
                sent += 1
            except MailerException:
                log.exception("reminder to %s not sent", email)
        if sent:
            model.Session.execute(
                sa.text(
                    "INSERT INTO khtourism_visitor_reminder"
                    " (establishment_id, period, sent_at, recipients)"
                    " VALUES (:e, :p, :at, :n)"
                ),
                {"e": row["establishment_id"], "p": period, "at": reports.now(), "n": sent},
            )
            result["sent"] += 1
    model.Session.commit()
    return result
