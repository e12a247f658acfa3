"""The harvest source form and page (issue 16): this portal's source types first and
preselected, an example configuration per type, every configuration problem reported at
once naming its key in the user's language, and the last job's counts on the source page."""

from __future__ import annotations

import html
import json
import re

import pytest

from ckan.tests import helpers

from ckanext.khtourism.harvesters.config import ConfigError, parse
from ckanext.khtourism.harvesters.plugins import SpreadsheetHarvester, WFSHarvester

from .harvest_fixtures import run_job

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

BAD_CONFIG = {
    "record_type": "accommodation",
    "publish": "sometimes",
    "timeout": 0,
    "colour": "red",
    "mapping": {"Số thẻ": "card_number"},
    "header_row": "two",
}


def test_every_configuration_problem_is_reported_at_once_naming_its_key():
    with pytest.raises(ConfigError) as raised:
        parse(
            json.dumps(BAD_CONFIG),
            type_keys=SpreadsheetHarvester.TYPE_KEYS,
            lang="en",
        )
    lines = str(raised.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "colour",
        "header_row",
        "publish",
        "timeout",
        "mapping.Số thẻ",
    ]
    assert lines[2] == "publish: “sometimes” is not one of review, direct"
    assert "“card_number” is not a field of accommodation" in lines[4]
    with pytest.raises(ConfigError) as raised:
        parse("{}", type_keys=WFSHarvester.TYPE_KEYS, required=("type_name",), lang="vi")
    assert str(raised.value) == "type_name: bắt buộc với loại nguồn này"


def test_examples_are_valid_configurations():
    import ckan.plugins as p

    from ckanext.harvest.interfaces import IHarvester

    checked = []
    for harvester in p.PluginImplementations(IHarvester):
        example = getattr(harvester, "EXAMPLE_CONFIG", None)
        if example:
            harvester.parse_config(json.dumps(example, ensure_ascii=False))
            checked.append(harvester.info()["name"])
    assert {"khtourism_spreadsheet", "khtourism_arcgis", "khtourism_wfs"} <= set(checked)


def _form(app, world, prefix=""):
    curator = world.person("curator")
    response = app.get(f"{prefix}/harvest/new", extra_environ={"REMOTE_USER": curator.name})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_form_preselects_our_source_type_and_shows_examples(app, world):
    body = _form(app, world)
    types = re.findall(r'name="source_type" value="([^"]+)"', body)
    assert types[0].startswith("khtourism_")
    checked = re.search(r'name="source_type" value="([^"]+)" checked', body).group(1)
    assert checked == types[0]
    examples = re.findall(r'data-source-type="([^"]+)"', body)
    assert "khtourism_spreadsheet" in examples and "khtourism_wfs" in examples
    assert "Cấu hình mẫu" in body  # "Example configuration" in Vietnamese
    assert '"record_type": "accommodation"' in html.unescape(body)


@pytest.mark.parametrize(
    "prefix, expected",
    [
        ("", ["“sometimes” không phải một trong review, direct", "không phải là trường của"]),
        ("/en", ["“sometimes” is not one of review, direct", "is not a field of accommodation"]),
    ],
)
def test_the_form_lists_every_problem_in_the_users_language(app, world, prefix, expected):
    curator = world.person("curator")
    environ = {"REMOTE_USER": curator.name}
    client = app.test_client(use_cookies=True)
    page = client.get(f"{prefix}/harvest/new", extra_environ=environ).get_data(as_text=True)
    field = re.search(r'<meta name="csrf_field_name" content="([^"]+)"', page).group(1)
    token = re.search(rf'<meta name="{field}" content="([^"]+)"', page).group(1)
    response = client.post(
        f"{prefix}/harvest/new",
        data={
            field: token,
            "url": "http://127.0.0.1:9/so.csv",
            "title": "Nguồn lỗi",
            "name": "nguon-loi",
            "source_type": "khtourism_spreadsheet",
            "frequency": "MANUAL",
            "config": json.dumps(BAD_CONFIG, ensure_ascii=False),
            "owner_org": world.curator_org["id"],
            "save": "1",
        },
        extra_environ=environ,
    )
    body = html.unescape(response.get_data(as_text=True))
    problems = re.search(r'<ul class="khtourism-config-problems[^>]*>(.*?)</ul>', body, re.S)
    assert problems, body[:2000]
    items = re.findall(r"<li>(.*?)</li>", problems.group(1), re.S)
    assert [item.split(":")[0] for item in items] == [
        "colour",
        "header_row",
        "publish",
        "timeout",
        "mapping.Số thẻ",
    ]
    for text in expected:
        assert text in problems.group(1)
    assert "Error parsing the configuration options" not in body
    assert (
        helpers.call_action("package_search", q="name:nguon-loi", include_private=True)["count"]
        == 0
    )


def test_the_source_page_shows_the_last_jobs_counts(app, world, fixture_server):
    url = fixture_server.file("/so/dem.csv", "spreadsheets/hotels-utf8.csv")
    source = helpers.call_action(
        "harvest_source_create",
        {"user": world.person("sysadmin").name},
        name="nguon-dem",
        title="Nguồn đếm",
        url=url,
        source_type="khtourism_spreadsheet",
        config='{"record_type": "accommodation", "publish": "direct"}',
        owner_org=world.curator_org["id"],
        frequency="MANUAL",
    )
    environ = {"REMOTE_USER": world.person("curator").name}
    before = app.get("/harvest/nguon-dem", extra_environ=environ).get_data(as_text=True)
    assert "Chưa có lần thu thập nào." in before
    result = run_job(source)
    added = sum(1 for o in result.objects.values() if o["report_status"] == "added")
    errored = sum(1 for o in result.objects.values() if o["errors"])
    assert added > 0
    for prefix, label in (("", "Lần thu thập gần nhất"), ("/en", "Last harvest job")):
        body = app.get(f"{prefix}/harvest/nguon-dem", extra_environ=environ).get_data(as_text=True)
        assert label in body
        stats = dict(re.findall(r'<dd data-stat="([^"]+)">(\d+)</dd>', body))
        assert stats["added"] == str(added)
        assert stats["updated"] == "0"
        assert stats["errored"] == str(errored + len(result.gather_errors))
        assert "UTC+07:00" in body
