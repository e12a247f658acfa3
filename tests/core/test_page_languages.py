"""Issue 16: no English leftovers on Vietnamese pages and no Vietnamese leftovers on
English pages — the type search page, a record page, the login page and the harvest
screens, rendered at ``/`` (Vietnamese, the default) and under ``/en/``."""

from __future__ import annotations

import pytest

from ckan.tests import helpers

from tests.harvesters.harvest_fixtures import FixtureServer

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# page -> (texts of the Vietnamese page, texts of the English page): each page must show
# its own language's texts and none of the other language's
TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "search": (
        ("Tìm thấy 1 cơ sở lưu trú", "Tìm cơ sở lưu trú...", "Thêm cơ sở lưu trú", ">đóng<"),
        ("1 accommodation found", "Search accommodations...", "Add accommodation", ">close<"),
    ),
    "record": (
        ("Bộ dữ liệu này chưa có dữ liệu", "Theo dõi</a>", "Chuyển đến nội dung chính"),
        ("This dataset has no data", "Follow</a>", "Skip to main content"),
    ),
    "login": (
        ("Tên đăng nhập hoặc e-mail", "Chuyển đến nội dung chính"),
        ("Username or Email", "Skip to main content"),
    ),
    "new": (
        ("Tạo cơ sở lưu trú", "định dạng Markdown"),
        ("Create accommodation", "Markdown formatting"),
    ),
    "harvest source": (
        ("Nguồn thu thập", "Giấy phép dữ liệu", "Giấy phép mặc định của cổng"),
        ("Harvest Sources", "Data licence", "The portal's default"),
    ),
    "harvest admin": (
        ("Thu thập lại", "Xóa dữ liệu nguồn", "Công việc thu thập gần nhất"),
        ("Reharvest", "Clear", "Last Harvest Job"),
    ),
    "harvest form": (
        ("Loại nguồn", 'value="Lưu"', "Tần suất cập nhật", "Sổ đăng ký bảng tính (CSV/XLSX)"),
        ("Source type", 'value="Save"', "Update frequency", "Spreadsheet register (CSV/XLSX)"),
    ),
    "harvest list": (
        ("Tìm thấy 1 nguồn thu thập", "Tìm nguồn thu thập..."),
        ("1 harvest source found", "Search harvest sources..."),
    ),
}


@pytest.fixture
def pages(world):
    server = FixtureServer()
    server.thread.start()
    url = server.file("/so/nguon.csv", "spreadsheets/hotels-utf8.csv")
    helpers.call_action(
        "harvest_source_create",
        {"user": world.person("curator").name},
        name="nguon",
        title="nguon",
        url=url,
        source_type="khtourism_spreadsheet",
        config='{"record_type": "accommodation"}',
        owner_org=world.curator_org["id"],
        frequency="MANUAL",
    )
    record = world.create("curator", "accommodation", owner="curator", name="ks-ngon-ngu")
    world.call("curator", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    yield {
        "search": "/accommodation/",
        "record": "/accommodation/ks-ngon-ngu",
        "login": "/user/login",
        "new": "/accommodation/new",
        "harvest source": "/harvest/nguon",
        "harvest admin": "/harvest/admin/nguon",
        "harvest form": "/harvest/new",
        "harvest list": "/harvest/",
    }
    server.httpd.shutdown()
    server.httpd.server_close()


def test_each_page_speaks_one_language(app, world, pages):
    curator = {"REMOTE_USER": world.person("curator").name}
    for page, path in pages.items():
        environ = None if page == "login" else curator
        vietnamese = app.get(path, extra_environ=environ).get_data(as_text=True)
        english = app.get(f"/en{path}", extra_environ=environ).get_data(as_text=True)
        vi_texts, en_texts = TEXTS[page]
        for text in vi_texts:
            assert text in vietnamese, (page, text)
            assert text not in english, (page, "Vietnamese leftover on the English page", text)
        for text in en_texts:
            assert text in english, (page, text)
            assert text not in vietnamese, (page, "English leftover on the Vietnamese page", text)


def test_error_pages_speak_the_pages_language(app):
    """A 404 and a 403 in Vietnamese at ``/`` and in English under ``/en/``: the status's
    name, CKAN's message and its login hint (they were English on Vietnamese pages)."""
    cases = {
        "/accommodation/khong-co-ban-ghi": (
            ("404 Không tìm thấy", "Không tìm thấy dữ liệu hoặc bạn không có quyền xem"),
            ("404 Not Found", "Dataset not found or you have no permission to view it"),
        ),
        "/ckan-admin/config": (
            ("403 Không có quyền truy cập", "Có thể bạn cần đăng nhập", "Bấm vào đây để đăng nhập"),
            ("403 Forbidden", "You might need to login", "Click here to login"),
        ),
    }
    for path, (vi_texts, en_texts) in cases.items():
        vietnamese = app.get(path, status=None)
        english = app.get(f"/en{path}", status=None)
        assert vietnamese.status_code == english.status_code == int(vi_texts[0][:3]), path
        vi_body, en_body = vietnamese.get_data(as_text=True), english.get_data(as_text=True)
        for vi_text, en_text in zip(vi_texts, en_texts, strict=True):
            assert vi_text in vi_body and en_text not in vi_body, (path, vi_text, en_text)
            assert en_text in en_body and vi_text not in en_body, (path, en_text, vi_text)
