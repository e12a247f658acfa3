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
    paths = [openapi.BASE_PATH + path for path in openapi.document()["paths"]]
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
    assert len(options) == len(openapi.document()["paths"]) - 1  # all but openapi.json
    answered = 0
    for path, request in options:
        if "{id}" in path:
            continue
        response = app.get(html.unescape(request))
        assert response.status_code == 200, (request, response.get_data(as_text=True)[:300])
        answered += 1
    assert answered >= len(COLLECTIONS) + 3
