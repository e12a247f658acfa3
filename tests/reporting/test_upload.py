"""Upload of many monthly reports in one CSV/XLSX file: all rows or none, every error
named by row and field in the user's language."""

from __future__ import annotations

import base64
import io
import unicodedata

import pytest

import ckan.plugins.toolkit as tk

from .reporting_fixtures import establishment

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

VI_HEADER = (
    "Mã cơ sở,Tháng,Khách quốc tế lưu trú qua đêm,Khách trong nước lưu trú qua đêm,"
    "Ngày khách quốc tế,Ngày khách trong nước,Số đêm phòng đã bán,nationality_KR,"
    "revenue_domestic"
)


def _csv(rows: list[str], header: str = VI_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _upload(world, role: str, content: bytes, name: str = "bao-cao.csv"):
    return world.call(
        role,
        "khtourism_visitor_report_upload",
        content=base64.b64encode(content).decode(),
        name=name,
    )


def _refused(world, role, content, name="bao-cao.csv") -> list[str]:
    with pytest.raises(tk.ValidationError) as caught:
        _upload(world, role, content, name)
    return caught.value.error_dict["upload"]


def test_many_establishments_and_months_in_one_csv(world):
    one = establishment(world, rooms="20")
    two = establishment(world, rooms="30")
    rows = [
        f"{one['establishment_id']},2026-01,10,20,15,30,200,6,5000000",
        f"{one['establishment_id']},2026-02,11,21,16,31,210,,5100000",
        f"{two['establishment_id'].lower()},2026-01,5,50,9,80,300,2,",
        f"{two['establishment_id']},2026-02-01,6,51,9,81,310,,",
    ]
    result = _upload(world, "member_a", _csv(rows))
    assert result == {"rows": 4, "created": 4, "updated": 0, "corrections": 0}
    saved = world.call("member_a", "khtourism_visitor_report_list")
    by_key = {(r["establishment_id"], r["period"]): r for r in saved}
    assert len(by_key) == 4
    first = by_key[(one["establishment_id"], "2026-01")]
    assert first["rooms_available"] == 20  # prefilled from the record
    assert first["nationalities"] == {"KR": 6}
    assert first["revenue_domestic"] == 5_000_000
    assert by_key[(two["establishment_id"], "2026-02")]["room_nights_sold"] == 310
    # the same file again edits the same reports
    again = _upload(world, "member_a", _csv(rows))
    assert again == {"rows": 4, "created": 0, "updated": 4, "corrections": 0}


def test_an_xlsx_file_with_a_title_line(world):
    from openpyxl import Workbook

    hotel = establishment(world, rooms="20")
    book = Workbook()
    sheet = book.active
    sheet.append(["BÁO CÁO THÁNG"])
    sheet.append(VI_HEADER.split(","))
    sheet.append([hotel["establishment_id"], "2026-03", 1, 2, 3, 4, 5, None, 1000])
    buffer = io.BytesIO()
    book.save(buffer)
    result = _upload(world, "member_a", buffer.getvalue(), name="bao-cao.xlsx")
    assert result["created"] == 1
    (report,) = world.call("member_a", "khtourism_visitor_report_list")
    assert (report["period"], report["guest_nights_domestic"]) == ("2026-03", 4)


def test_every_bad_row_is_named_and_nothing_is_written(world):
    hotel = establishment(world, rooms="20")
    other = establishment(world, owner="b", rooms="20")
    rows = [
        f"{hotel['establishment_id']},2026-01,10,20,15,30,200,,",  # row 2: good
        f"{hotel['establishment_id']},2026-02,10,-20,15,30,200,,",  # row 3: negative
        f"{hotel['establishment_id']},2026-03,10,20,5,30,200,,",  # row 4: nights < guests
        f"{hotel['establishment_id']},2026-04,10,20,15,30,9999,,",  # row 5: rooms × days
        f"{hotel['establishment_id']},2099-01,10,20,15,30,200,,",  # row 6: future
        "KH-LT-999999,2026-01,1,1,1,1,1,,",  # row 7: unknown establishment
        f"{other['establishment_id']},2026-01,1,1,1,1,1,,",  # row 8: another business
        f"{hotel['establishment_id']},2026-01,1,1,1,1,1,,",  # row 9: same as row 2
    ]
    errors = _refused(world, "member_a", _csv(rows))
    assert errors == [
        "dòng 3: Khách trong nước lưu trú qua đêm: không được là số âm",
        "dòng 4: Ngày khách quốc tế: số ngày khách (5) không thể ít hơn số khách lưu trú"
        " qua đêm (10)",
        "dòng 5: Số đêm phòng đã bán: 9999 đêm phòng đã bán vượt quá 20 phòng × 30 ngày (600)",
        "dòng 6: Tháng: tháng 2099-01 chưa kết thúc: chỉ báo cáo sau khi hết tháng",
        "dòng 7: Mã cơ sở: “KH-LT-999999” không phải mã của cơ sở lưu trú hoặc doanh nghiệp"
        " lữ hành",
        f"dòng 8: Mã cơ sở: bạn không được báo cáo cho cơ sở “{other['establishment_id']}”",
        "dòng 9: Tháng: cùng cơ sở và tháng này đã có ở dòng 2",
    ]
    # nothing half-written: not even the good row 2
    assert world.call("curator", "khtourism_visitor_report_list") == []


def test_unknown_and_missing_columns_are_named(world):
    errors = _refused(world, "member_a", _csv(["x,1"], header="Tên khách,Số hộ chiếu"))
    assert errors == [
        "cột không xác định: Tên khách, Số hộ chiếu",
        "thiếu cột: Mã cơ sở, Tháng",
    ]


def _cp1258(text: str) -> bytes:
    """As Vietnamese Windows software writes it: a letter cp1258 lacks is written as its
    base letter and a combining tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            composed = unicodedata.normalize("NFC", base + "".join(marks[:-1]))
            out += composed.encode("cp1258") + marks[-1].encode("cp1258")
    return out


def test_windows_1258_file(world):
    hotel = establishment(world, rooms="20")
    content = _csv([f"{hotel['establishment_id']},2026-01,1,2,3,4,5,,"]).decode()
    result = _upload(world, "member_a", _cp1258(content))
    assert result["created"] == 1
