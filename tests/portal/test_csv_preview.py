"""CSV resources on a record's resource page (issue 16): an uploaded CSV shows its first
rows as a table with each column's label from the schemas (and its code name); a CSV that
is a link is never fetched by the server, and the page says so."""

from __future__ import annotations

import html
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from werkzeug.datastructures import FileStorage

from ckan.tests import helpers

from tests.portal.portal_helpers import publish

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

CSV_TEXT = "title,star_rating,rooms,ghi_chu\n" + "".join(
    f"Khách sạn {n},{n % 5 + 1},{10 * n},dòng {n}\n" for n in range(1, 15)
)


def _resource(world, record, **fields):
    return helpers.call_action(
        "resource_create", {"user": world.person("curator").name}, package_id=record["id"], **fields
    )


def _page(app, record, resource, prefix=""):
    response = app.get(f"{prefix}/accommodation/{record['name']}/resource/{resource['id']}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "prefix, star_label, note",
    [
        ("", "Hạng sao", "10 dòng đầu"),
        ("/en", "Star rating", "first 10 rows"),
    ],
)
def test_an_uploaded_csv_is_previewed_with_column_labels(app, world, prefix, star_label, note):
    record = publish(world, "accommodation", name="csv-preview-hotel")
    resource = _resource(
        world,
        record,
        name="Danh sách",
        format="CSV",
        url="danh-sach.csv",
        upload=FileStorage(io.BytesIO(CSV_TEXT.encode("utf-8")), filename="danh-sach.csv"),
    )
    body = _page(app, record, resource, prefix)
    preview = re.search(
        r'<section class="module-content khtourism-csv-preview">(.*?)</section>', body, re.S
    )
    assert preview, "no preview"
    table = preview.group(1)
    headers = re.findall(r'<th scope="col" data-column="([^"]+)">\s*(.*?)\s*</th>', table, re.S)
    assert [name for name, _ in headers] == ["title", "star_rating", "rooms", "ghi_chu"]
    star = dict(headers)["star_rating"]
    assert star.startswith(star_label) and "<code>star_rating</code>" in star
    assert dict(headers)["ghi_chu"] == "ghi_chu"  # not a field: its name only
    rows = re.findall(r"<tr>(<td>.*?)</tr>", table)
    assert len(rows) == 10
    assert re.findall(r"<td>(.*?)</td>", rows[0]) == ["Khách sạn 1", "2", "10", "dòng 1"]
    assert note in table


class _Counting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(b"title\nx\n")

    def log_message(self, *args):
        pass


def test_a_linked_csv_is_not_fetched_and_the_page_says_so(app, world):
    server = HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        record = publish(world, "accommodation", name="csv-link-hotel")
        url = f"http://127.0.0.1:{server.server_port}/du-lieu/danh-sach.csv"
        resource = _resource(world, record, name="Liên kết", format="CSV", url=url)
        _Counting.hits.clear()
        for prefix, text in (
            ("", "không tải tệp từ trang khác"),
            ("/en", "does not fetch files from other sites"),
        ):
            body = _page(app, record, resource, prefix)
            note = re.search(r'<p class="khtourism-csv-link-note">(.*?)</p>', body, re.S)
            assert note and text in note.group(1) and "127.0.0.1" in note.group(1)
            assert '<th scope="col" data-column=' not in body
        assert _Counting.hits == []  # the server never requested the link
    finally:
        server.shutdown()
