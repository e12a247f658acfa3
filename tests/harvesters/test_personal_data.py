"""A guide register's personal columns in harvest job reports and raw rows (issue 14).

Job reports (object errors, ``harvest_source_show_status``, ``harvest_job_report``)
name a private field but never quote its value; the raw rows kept in
``harvest_object.content`` lose the personal columns once imported, and go
entirely when the guide is purged or the row is older than the retention.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import Reply, create_source, run_job

HEADER = (
    "Họ và tên,Số thẻ,Loại thẻ,Ngày cấp thẻ,Ngày hết hạn,Ngoại ngữ,Ngày sinh,Số CCCD,"
    "Điện thoại cá nhân,Email cá nhân,Địa chỉ thường trú\n"
)
ROW_AN = (
    'Nguyễn Văn An,156123456,Quốc tế,15/03/2022,14/03/2027,"Tiếng Anh, Tiếng Nga",'
    '31/07/1987,056187001234,0905 111 222,an.rieng@example.vn,"9 Hẻm Riêng, Nha Trang"\n'
)
ROW_BINH = (
    "Trần Thị Bình,156123457,Nội địa,01/07/2023,30/06/2028,,03/11/1995,056195004321,"
    "0914 333 444,binh.rieng@example.vn,7 Ngõ Kín\n"
)
GUIDES = {
    "record_type": "tour-guide",
    "publish": "direct",
    "mapping": {
        "Ngày sinh": "date_of_birth",
        "Số CCCD": "id_number",
        "Điện thoại cá nhân": "personal_phone",
        "Email cá nhân": "personal_email",
        "Địa chỉ thường trú": "home_address",
    },
}
AN_PRIVATE = (
    "1987-07-31",
    "31/07/1987",
    "056187001234",
    "0905 111 222",
    "an.rieng@example.vn",
    "9 Hẻm Riêng",
)
BINH_PRIVATE = ("03/11/1995", "1995-11-03", "056195004321", "0914 333 444", "binh.rieng@example.vn")

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _leaks(text: str, values=AN_PRIVATE + BINH_PRIVATE) -> list[str]:
    found = []
    for value in values:
        escaped = json.dumps(value)[1:-1]
        if value in text or escaped in text:
            found.append(value)
    return found


def _source(fixture_server, org, path: str, csv: str, name: str | None = None):
    url = fixture_server.handler(
        path, lambda _q: Reply(csv.encode(), content_type="text/csv; charset=utf-8")
    )
    return create_source("khtourism_spreadsheet", url, GUIDES, owner_org=org["id"], name=name)


def _reports(source, result) -> str:
    texts = [
        helpers.call_action("harvest_source_show_status", {"ignore_auth": True}, id=source["id"]),
        helpers.call_action("harvest_job_report", {"ignore_auth": True}, id=result.job.id),
        result.object_errors(),
        result.gather_errors,
    ]
    return json.dumps(texts, ensure_ascii=False, default=str)


def test_conflict_messages_name_private_fields_without_their_values(fixture_server):
    org = factories.Organization()
    first = _source(fixture_server, org, "/so-du-lich.csv", HEADER + ROW_AN + ROW_BINH)
    assert set(run_job(first).statuses().values()) == {"added"}
    # another register lists the same guide (same card) with other personal data
    other_an = ROW_AN.replace("31/07/1987", "01/01/1980").replace("056187001234", "056180009999")
    second = _source(fixture_server, org, "/hiep-hoi.csv", HEADER + other_an)
    result = run_job(second)
    errors = result.object_errors()
    assert len(errors) == 1, result.objects
    assert "date_of_birth" in errors[0] and "id_number" in errors[0]
    text = _reports(second, result)
    assert not _leaks(text, AN_PRIVATE + ("1980-01-01", "01/01/1980", "056180009999")), text
    stored = model.Session.execute(sa.text("SELECT message FROM harvest_object_error")).scalars()
    assert not any(_leaks(m, AN_PRIVATE + ("1980-01-01", "056180009999")) for m in stored)


def test_bad_private_values_are_reported_without_the_value(fixture_server):
    org = factories.Organization()
    bad = ROW_AN.replace("31/07/1987", "31/13/1987").replace(
        "an.rieng@example.vn", "an.rieng-at-example"
    )
    source = _source(fixture_server, org, "/bad.csv", HEADER + bad)
    result = run_job(source)
    errors = result.object_errors()
    assert errors and any("Ngày sinh" in e or "date_of_birth" in e for e in errors), errors
    assert not _leaks(_reports(source, result), ("31/13/1987", "an.rieng-at-example")), errors
    fixed = ROW_AN.replace("an.rieng@example.vn", "an.rieng-at-example")
    source = _source(fixture_server, org, "/bad2.csv", HEADER + fixed)
    result = run_job(source)
    errors = result.object_errors()
    assert errors and any("personal_email" in e for e in errors), errors
    assert not _leaks(_reports(source, result), ("an.rieng-at-example",)), errors
