"""The developers' page documents the tourism API (issue 16): every endpoint of the OpenAPI
document with a request and a response example, the fields of each record type from the
scheming schemas with their labels in the page's language, and a "try it" form whose
example requests really answer."""

from __future__ import annotations

import html
import json
import re

import pytest

from ckanext.khtourism.api import openapi
from ckanext.khtourism.api.collections import COLLECTIONS
from tests.portal.portal_helpers import publish


def _data_paths() -> list[str]:
    """The document's paths the page documents: all but the client systems' endpoints and
    the dumps (docs/integration.md documents those)."""
    return [
        path for path in openapi.document()["paths"] if path not in openapi.base()["client_paths"]
    ]


pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _sections(body: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<section class="khtourism-endpoint" data-endpoint="([^"]+)">(.*?)</section>',
            body,
            re.S,
        )
    )


@pytest.mark.parametrize(
    "prefix, heading, example, room_label",
    [
        ("", "Các trường của từng loại bản ghi", "Ví dụ yêu cầu", "Số phòng"),
        ("/en", "Fields of each record type", "Example request", "Number of rooms"),
    ],
)
def test_every_endpoint_and_every_field_is_documented(app, prefix, heading, example, room_label):
    body = app.get(f"{prefix}/developers").get_data(as_text=True)
    assert heading in body
    sections = _sections(body)
    paths = [openapi.BASE_PATH + path for path in _data_paths()]
    assert sorted(sections) == sorted(paths)
    for path, section in sections.items():
        assert example in section, path
        request = html.unescape(re.search(r'GET <a href="([^"]+)"', section).group(1))
        assert request.startswith(openapi.BASE_PATH)
        if not path.endswith("openapi.json"):
            response = re.search(
                r'<pre class="khtourism-example-response">(.*?)</pre>', section, re.S
            )
            assert response, path
            json.loads(html.unescape(response.group(1)))  # the example is JSON
    # the list example of a record type has the list envelope and the type's fields
    accommodations = sections[f"{openapi.BASE_PATH}/accommodations"]
    sample = json.loads(
        html.unescape(
            re.search(
                r'<pre class="khtourism-example-response">(.*?)</pre>', accommodations, re.S
            ).group(1)
        )
    )
    assert {"total", "page", "limit", "items"} <= set(sample)
    assert "rooms" in sample["items"][0]
    # the fields: every field of each type's API items, labelled from its schema
    for collection in COLLECTIONS.values():
        block = re.search(
            rf'data-record-type="{collection.dataset_type}">(.*?)</details>', body, re.S
        ).group(1)
        assert re.findall(r'<tr data-field="([^"]+)">', block) == list(collection.all_fields)
    rooms = re.search(
        r'<tr data-field="rooms">\s*<td><code>rooms</code></td>\s*<td>([^<]*)</td>', body
    )
    assert rooms.group(1) == room_label


def test_the_try_it_form_offers_working_example_requests(app, world):
    publish(world, "accommodation", name="try-it-hotel")
    body = app.get("/developers").get_data(as_text=True)
    assert "data-khtourism-try" in body
    assert re.search(r'<script src="[^"]*khtourism-developers[^"]*\.js"', body)
    assert "<script>" not in body.split("khtourism-try-it")[1].split("</section>")[0]
    options = re.findall(r'<option value="([^"]+)" data-example="([^"]+)">', body)
    assert len(options) == len(_data_paths()) - 1  # all but openapi.json
    answered = 0
    for path, request in options:
        if "{id}" in path:
            continue
        response = app.get(html.unescape(request))
        assert response.status_code == 200, (request, response.get_data(as_text=True)[:300])
        answered += 1
    assert answered >= len(COLLECTIONS) + 3


def _parameter_descriptions(body: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(
            r"<tr><td><code>[^<]+</code></td><td>[^<]+</td><td>(.*?)</td></tr>", body, re.S
        )
    ]


def test_parameter_descriptions_speak_the_page_language(app):
    """Issue 16: the parameters' descriptions come from the API's definitions (English in
    the OpenAPI document); the Vietnamese page shows each in Vietnamese, the English page
    in English, and the OpenAPI document stays English."""
    from ckanext.khtourism.api import params as api_params

    vietnamese = _parameter_descriptions(app.get("/developers").get_data(as_text=True))
    english = _parameter_descriptions(app.get("/en/developers").get_data(as_text=True))
    assert vietnamese and len(vietnamese) == len(english)
    published = {
        p["description"]
        for path, item in openapi.document()["paths"].items()
        if path in _data_paths()
        for p in item["get"].get("parameters", [])
    }
    assert set(english) <= published, set(english) - published
    untranslated = [text for text in vietnamese if text in published]
    assert not untranslated, untranslated
    assert "Lọc theo mã loại sự kiện, nhiều giá trị cách nhau bằng dấu phẩy (khớp bất kỳ)." in (
        vietnamese
    )
    assert "Filter by event category code(s), comma-separated (any of them)." in english
    # every parameter has its Vietnamese, and the English text is the published one
    for param in api_params.PARAMS:
        assert param.text("vi") != param.text("en"), param.name


def test_every_endpoint_says_what_it_does(app):
    """Walked: /statistics/visitors was described as "Other" ("Khác")."""
    for prefix, other in (("", "Khác"), ("/en", "Other")):
        sections = _sections(app.get(f"{prefix}/developers").get_data(as_text=True))
        assert sections
        vague = [path for path, text in sections.items() if f"<p>{other}</p>" in text]
        assert not vague, vague
