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


def _raw_rows() -> list[str]:
    return [
        c
        for c in model.Session.execute(sa.text("SELECT content FROM harvest_object")).scalars()
        if c
    ]


def test_raw_rows_lose_the_personal_columns_once_imported(fixture_server):
    org = factories.Organization()
    csv = HEADER.rstrip("\n") + ",Giới tính\n" + ROW_AN.rstrip("\n") + ",Nam\n"
    source = _source(fixture_server, org, "/so.csv", csv)
    result = run_job(source)
    assert set(result.statuses().values()) == {"added"}, result.objects
    rows = _raw_rows()
    assert rows
    for row in rows:
        assert not _leaks(row), row
        assert "Giới tính" not in row  # a column mapped to no public field is not kept either
        assert "156123456" in row and "Nguyễn Văn An" in row  # public columns stay
    sysadmin = {"user": factories.Sysadmin()["name"]}
    guide = helpers.call_action(
        "package_show", dict(sysadmin), id=result.objects["156123456"]["package_id"]
    )
    assert guide["date_of_birth"] == "1987-07-31"  # imported before the row was redacted
    # the same register again: recognised as not modified (from the kept digest)
    again = run_job(source)
    assert set(again.statuses().values()) == {"not modified"}, again.objects
    # a changed personal column is a change (the digest covers the whole row)
    csv2 = csv.replace("0905 111 222", "0905 999 888")
    source2_url = fixture_server.handler(
        "/so.csv", lambda _q: Reply(csv2.encode(), content_type="text/csv; charset=utf-8")
    )
    assert source2_url
    changed = run_job(source)
    assert set(changed.statuses().values()) == {"updated"}, changed.objects
    guide = helpers.call_action("package_show", dict(sysadmin), id=guide["id"])
    assert guide["personal_phone"] == "0905 999 888"
    assert not any(_leaks(row, ("0905 999 888",)) for row in _raw_rows())


def test_a_purged_guide_leaves_no_raw_row(fixture_server):
    org = factories.Organization()
    source = _source(fixture_server, org, "/so.csv", HEADER + ROW_AN + ROW_BINH)
    result = run_job(source)
    an = result.objects["156123456"]["package_id"]
    sysadmin = factories.Sysadmin()
    helpers.call_action("dataset_purge", {"user": sysadmin["name"]}, id=an)
    rows = _raw_rows()
    assert len(rows) == 1 and "Trần Thị Bình" in rows[0]
    assert not any("Nguyễn Văn An" in row or "156123456" in row for row in rows)


@pytest.mark.ckan_config("ckanext.khtourism.harvest.raw_retention_days", "7")
def test_raw_rows_older_than_the_retention_are_purged(fixture_server, cli):
    import datetime as dt

    from ckanext.khtourism.cli import khtourism

    org = factories.Organization()
    source = _source(fixture_server, org, "/so.csv", HEADER + ROW_AN + ROW_BINH)
    run_job(source)
    run_job(source)  # the second job's objects: not modified, no content
    model.Session.execute(
        sa.text("UPDATE harvest_object SET gathered = :old"),
        {"old": dt.datetime.utcnow() - dt.timedelta(days=8)},
    )
    # a raw row imported before redaction existed (an older release) is redacted too
    model.Session.execute(
        sa.text("UPDATE harvest_object SET content = :raw WHERE guid = '156123457' AND current"),
        {"raw": json.dumps({"ref": "row 3", "properties": {"Số CCCD": "056195004321"}})},
    )
    model.Session.commit()
    result = cli.invoke(khtourism, ["privacy", "purge-raw-rows"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    rows = _raw_rows()
    assert rows and all("Nguyễn Văn An" not in row and not _leaks(row) for row in rows)
    assert all(json.loads(row).get("content_sha256") for row in rows)
    # still recognised as not modified after the purge (the digest is kept)
    assert set(run_job(source).statuses().values()) == {"not modified"}
