"""Issue 16's curator and developer pages as seen in headless Chromium: the revision page's
before/after map, the developers page's "try it" form answering live, the harvest source
form's examples and error list, and the header language switch's computed contrast — in
Vietnamese and under /en/, with no console error and no request leaving 127.0.0.1.

With ``KHTOURISM_SHOTS=<folder>`` in the environment each page is also saved there as a
PNG (a walk to look at; the test judges the pages either way)."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_portal_in_chromium import (
    MAP_READY,
    _log_in,
    _person_with_password,
    _published,
)
from tests.browser.walk import open_page, shot, shot_suffix

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

MOVED = {"type": "Point", "coordinates": [109.2041, 12.2719]}
LANGS = (("", "Trước", "Sau"), ("/en", "Before", "After"))


def test_revision_page_shows_before_and_after_on_one_map(world, portal, page, watch):
    record = _published(world, "accommodation", "ks-doi-cho")
    world.call("member_a", "package_patch", id=record["id"], spatial=json.dumps(MOVED))
    curator = _person_with_password(world, world.curator_org)
    _log_in(page, portal, curator)
    for prefix, before, after in LANGS:
        page.goto(f"{portal}{prefix}/khtourism/record/ks-doi-cho/revision")
        page.wait_for_selector(f".khtourism-revision-map {MAP_READY}")
        assert (
            page.locator(".khtourism-revision-map .khtourism-map").get_attribute(
                "data-marker-count"
            )
            == "2"
        )
        labels = page.locator(".khtourism-diff-label")
        assert sorted(labels.all_inner_texts()) == sorted([before, after])
        for index in range(labels.count()):
            assert labels.nth(index).is_visible()
        shot(page, f"revision{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()


def test_developers_try_it_answers_live(world, portal, page, watch):
    _published(world, "accommodation", "ks-thu-api")
    for prefix, status_word in (("", "200"), ("/en", "200")):
        open_page(page, f"{portal}{prefix}/developers")
        # each parameter described in the page's language
        assert page.locator("details table td:nth-child(3)").all_inner_texts()
        page.select_option("[data-try-endpoint]", "/api/tourism/v1/accommodations")
        page.fill("[data-try-query]", "limit=5")
        assert page.locator("[data-try-url] code").inner_text() == (
            "/api/tourism/v1/accommodations?limit=5"
        )
        page.click("[data-try-send]")
        page.wait_for_selector("[data-try-response][data-status]")
        assert page.locator("[data-try-response]").get_attribute("data-status") == status_word
        answer = json.loads(page.locator("[data-try-response]").inner_text())
        assert [item["name"] for item in answer["items"]] == ["ks-thu-api"]
        shot(page, f"developers{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()


def test_harvest_form_shows_examples_and_every_error(world, portal, page, watch):
    curator = _person_with_password(world, world.curator_org)
    _log_in(page, portal, curator)
    for prefix, key_text in (("", "không phải một trong"), ("/en", "is not one of")):
        page.goto(f"{portal}{prefix}/harvest/new")
        example = page.locator(".khtourism-example-config[open] pre")
        assert example.is_visible()
        assert json.loads(example.inner_text())["record_type"] == "accommodation"
        page.fill("#field-url", "http://127.0.0.1:9/so.csv")
        page.fill("#field-title", "Nguồn thử")
        page.fill("#field-config", '{"publish": "sometimes", "timeout": 0, "colour": 1}')
        page.click("#save")
        page.wait_for_selector(".khtourism-config-problems")
        problems = page.locator(".khtourism-config-problems li").all_inner_texts()
        assert [p.split(":")[0] for p in problems] == ["colour", "publish", "timeout"]
        assert key_text in problems[1]
        assert page.locator(".khtourism-config-problems").is_visible()
        shot(page, f"harvest-form{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()


def _relative_luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


COLOURS = """(selector) => {
  const link = document.querySelector(selector);
  const parse = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  let node = link, background = null;
  while (node && node.nodeType === 1) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { background = colour; break; }
    node = node.parentElement;
  }
  return {text: parse(getComputedStyle(link).color), background: background};
}"""


def test_language_switch_contrast_as_rendered(portal, page, watch):
    for prefix, other in (("", "en"), ("/en", "vi")):
        page.goto(f"{portal}{prefix}/")
        selector = f".khtourism-language-switch a[lang='{other}']"
        colours = page.evaluate(COLOURS, selector)
        assert colours["background"], "no background behind the language switch"
        light, dark = sorted(
            (
                _relative_luminance(colours["text"]),
                _relative_luminance(colours["background"]),
            ),
            reverse=True,
        )
        ratio = (light + 0.05) / (dark + 0.05)
        assert ratio >= 4.5, (prefix, colours, ratio)
    assert not watch.problems(), watch.problems()


def test_csv_preview_and_source_page_after_a_job(world, portal, page, watch):
    import io

    from werkzeug.datastructures import FileStorage

    from ckan.tests import helpers

    from tests.harvesters.harvest_fixtures import FixtureServer, run_job

    record = _published(world, "accommodation", "ks-co-bang")
    resource = helpers.call_action(
        "resource_create",
        {"user": world.person("curator").name},
        package_id=record["id"],
        name="Bảng giá",
        format="CSV",
        url="bang-gia.csv",
        upload=FileStorage(
            io.BytesIO("title,rooms,price_min_vnd\nPhòng đôi,2,800000\n".encode()),
            filename="bang-gia.csv",
        ),
    )
    for prefix, label in (("", "Số phòng"), ("/en", "Number of rooms")):
        page.goto(f"{portal}{prefix}/accommodation/ks-co-bang/resource/{resource['id']}")
        header = page.locator(".khtourism-csv-preview th[data-column='rooms']")
        assert header.is_visible() and label in header.inner_text()
        assert page.locator(".khtourism-csv-preview tbody td").first.inner_text() == "Phòng đôi"
        shot(page, f"csv-preview{shot_suffix(prefix)}")

    server = FixtureServer()
    server.thread.start()
    try:
        url = server.file("/so/buoc.csv", "spreadsheets/hotels-utf8.csv")
        source = helpers.call_action(
            "harvest_source_create",
            {"user": world.person("sysadmin").name},
            name="nguon-buoc",
            title="Nguồn bước",
            url=url,
            source_type="khtourism_spreadsheet",
            config='{"record_type": "accommodation"}',
            owner_org=world.curator_org["id"],
            frequency="MANUAL",
        )
        result = run_job(source)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    added = sum(1 for o in result.objects.values() if o["report_status"] == "added")
    curator = _person_with_password(world, world.curator_org)
    _log_in(page, portal, curator)
    for prefix in ("", "/en"):
        page.goto(f"{portal}{prefix}/harvest/nguon-buoc")
        box = page.locator(".khtourism-last-job")
        assert box.is_visible()
        assert box.locator("dd[data-stat='added']").inner_text() == str(added)
        shot(page, f"harvest-source{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()


def test_statistics_commune_map_is_visible(world, portal, page, watch):
    _published(world, "accommodation", "ks-ban-do-xa")
    for prefix in ("", "/en"):
        open_page(page, f"{portal}{prefix}/thong-ke")
        circle = page.locator(".khtourism-commune-map circle[data-code='22366']")
        assert circle.get_attribute("data-count") == "1"
        box = circle.bounding_box()
        assert box and box["width"] > 4 and box["height"] > 4
        # the commune map's legend fits the map (the Vietnamese one was cut off)
        svg = page.locator(".khtourism-commune-map").bounding_box()
        legend = page.locator(".khtourism-commune-map .khtourism-map-legend").bounding_box()
        assert svg and legend
        assert legend["x"] + legend["width"] <= svg["x"] + svg["width"] + 1, (legend, svg)
        shot(page, f"statistics{shot_suffix(prefix)}")
    assert not watch.problems(), watch.problems()
