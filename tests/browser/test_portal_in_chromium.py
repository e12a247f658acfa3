"""The portal in a real browser (headless Debian Chromium): maps, the record form's
location picker, the curator's queue, the activity tab and the English pages.

Each page is checked for console errors, uncaught exceptions and requests leaving
127.0.0.1 (``Watch`` in conftest.py); the maps run with no basemap (the test
configuration's ``ckanext.khtourism.maps.tile_url = none``).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from tests.browser.conftest import closed_port, settled
from tests.record_fixtures import World

PASSWORD = "Duyet-ban-do-2026"  # noqa: S105 - a test user's password
PHAN_RANG = {"type": "Point", "coordinates": [108.9886, 11.5643]}
MAP_READY = ".khtourism-map[data-ready='true']"

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _published(world: World, record_type: str, name: str, **overrides: Any) -> dict[str, Any]:
    _no_remote_avatars()
    if record_type == "heritage-site":  # the Department's own records
        record = world.create("curator", record_type, owner="curator", name=name, **overrides)
        world.call("curator", "khtourism_record_submit", id=record["id"])
    else:
        record = world.create("member_a", record_type, name=name, **overrides)
        world.call("member_a", "khtourism_record_submit", id=record["id"])
    return world.call("curator", "khtourism_record_approve", id=record["id"])


def _no_remote_avatars() -> None:
    """CKAN's user factory gives every user a picture on a photo site; the portal's own
    users have none (a remote picture would be a request leaving 127.0.0.1)."""
    model.Session.query(model.User).update({"image_url": None})
    model.Session.query(model.Group).update({"image_url": ""})
    model.Session.commit()


def _person_with_password(world: World, org: dict[str, Any]) -> dict[str, Any]:
    user = factories.User(password=PASSWORD, image_url=None)
    helpers.call_action(
        "organization_member_create",
        context={"ignore_auth": True},
        id=org["id"],
        username=user["name"],
        role="editor",
    )
    return user


def _log_in(page: Any, portal: str, user: dict[str, Any]) -> None:
    page.goto(f"{portal}/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", PASSWORD)
    # the page the form leads to, loaded (not the login page's own load state, which is
    # already reached when the click returns before the navigation has begun)
    with page.expect_navigation(wait_until="load"):
        page.locator("form:has(#field-password) button[type='submit']").click()
    settled(page)
    assert "/user/login" not in page.url, page.content()[:2000]


def _modules_started(page: Any) -> None:
    """Wait until CKAN's JavaScript modules of a record form have started: the slug
    modules add their URL preview then, and a title typed before leaves the name empty."""
    page.wait_for_selector(".slug-preview", state="attached")


def _map_markers(page: Any, container: str = "") -> int:
    try:
        page.wait_for_selector(f"{container} {MAP_READY}", timeout=15_000)
    except Exception:  # noqa: BLE001 - say why the map did not start
        maps = page.locator(".khtourism-map").evaluate_all("els => els.map(e => e.outerHTML)")
        problems = page.khtourism_watch.problems()
        pytest.fail(f"no map started on {page.url}: {problems} {maps!r:.600}", pytrace=False)
    # clusters and single markers are both marker icons
    return page.locator(f"{container} {MAP_READY} .leaflet-marker-icon").count()


def _eventually(probe: Any, seconds: float = 10) -> Any:
    """``probe()``'s first true value within ``seconds`` (polled from Python: the page's
    Content-Security-Policy refuses Playwright's evaluated predicates)."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _outline_drawn(page: Any) -> None:
    page.wait_for_selector(f"{MAP_READY} .leaflet-overlay-pane path")


def test_home_and_record_pages_show_maps_with_markers_and_nothing_from_outside(
    world, portal, page, watch
):
    _published(world, "accommodation", "ks-nha-trang")
    _published(world, "accommodation", "ks-phan-rang", spatial=json.dumps(PHAN_RANG))
    heritage = _published(world, "heritage-site", "thap-ba")

    page.goto(f"{portal}/")
    assert _map_markers(page) >= 1
    _outline_drawn(page)
    features = json.loads(page.locator(MAP_READY).first.get_attribute("data-features"))
    assert {f["properties"]["url"].rsplit("/", 1)[-1] for f in features["features"]} >= {
        "ks-nha-trang",
        "ks-phan-rang",
        "thap-ba",
    }

    page.goto(f"{portal}/accommodation/ks-nha-trang")
    assert _map_markers(page) == 1
    _outline_drawn(page)
    assert page.locator(".khtourism-coordinates").inner_text() == "12.26540, 109.19530"

    page.goto(f"{portal}/heritage-site/{heritage['name']}")
    assert _map_markers(page) == 1
    # the province outline and the heritage area polygon
    assert _eventually(lambda: page.locator(f"{MAP_READY} .leaflet-overlay-pane path").count() >= 2)
    # a popup names the record and links to it
    page.locator(f"{MAP_READY} .leaflet-marker-icon").first.click()
    popup = page.locator(".leaflet-popup-content a")
    assert popup.get_attribute("href").endswith(f"/heritage-site/{heritage['name']}")
    assert watch.problems() == {}


def test_requests_to_other_hosts_are_stopped_and_seen(portal, page, watch):
    """What keeps every walk on the machine (``conftest.no_way_out``): a request to any
    host but 127.0.0.1 is recorded and refused by the browser's proxy (``localhost``,
    which Chromium never proxies, stays on the machine); the portal's own are answered.
    (Opened as pages: the portal's pages forbid requests to other hosts themselves, by
    their Content-Security-Policy, before any reaches the network.)"""
    from playwright.sync_api import Error

    response = page.goto(f"{portal}/api/3/action/status_show")
    assert response is not None and response.status == 200
    assert watch.outside_requests == []
    with closed_port() as port:
        outside = {
            "http://198.51.100.7/tiles/1/2/3.png": "net::ERR_PROXY_CONNECTION_FAILED",
            "https://127.0.0.1.example.org/lib.js": "net::ERR_PROXY_CONNECTION_FAILED",
            "HTTPS://CDN.EXAMPLE.ORG/x.css": "net::ERR_PROXY_CONNECTION_FAILED",
            f"http://localhost:{port}/": "net::ERR_CONNECTION_REFUSED",
        }
        for url, refusal in outside.items():
            # refused on the machine, not answered from elsewhere
            with pytest.raises(Error, match=refusal):
                page.goto(url)
    assert [url.lower() for url in watch.outside_requests] == [url.lower() for url in outside]


CHAINED_PAGE = b"""<!doctype html><html><head><title>0</title></head><body><script>
fetch("/slow").then(r => r.json()).then(a => fetch("/next?n=" + a.n))
  .then(r => r.text()).then(t => { document.title = t; });
</script></body></html>"""


def test_a_page_settles_after_the_requests_its_answers_start(page):
    """``settled`` waits for what a page starts after its ``load`` event and after an
    answer: the page fetches a slow answer, then a second request built from it. No request
    is in flight between the two; the page's turn (``conftest.PAGE_TURN``) lets the
    answer's handler run, and its request is seen before the page counts as settled."""
    import http.server

    from tests.serving import serve_in_thread

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.path)
            body, kind = {
                "/": (CHAINED_PAGE, "text/html"),
                "/slow": (b'{"n": 1}', "application/json"),
                "/next?n=1": (b"settled", "text/plain"),
            }.get(self.path, (b"", "text/plain"))
            if self.path == "/slow":
                time.sleep(0.2)
            self.send_response(200 if body else 204)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = serve_in_thread(server)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        settled(page)
        assert "/next?n=1" in seen, seen
        assert page.title() == "settled"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_search_page_map_has_every_result_and_search_this_area_sets_ext_bbox(
    world, portal, page, watch
):
    _published(world, "accommodation", "ks-nha-trang")
    _published(world, "accommodation", "ks-phan-rang", spatial=json.dumps(PHAN_RANG))

    page.goto(f"{portal}/accommodation/")
    assert _map_markers(page) >= 1
    assert page.locator(MAP_READY).get_attribute("data-marker-count") == "2"
    # zoom to Nha Trang once the page has settled, then "search this area"
    settled(page)
    page.evaluate(
        "document.querySelector('.khtourism-map').khtourismMap.setView([12.2654, 109.1953], 12, {animate: false})"
    )
    with page.expect_navigation():
        page.locator("[data-khtourism-search-area]").click()
    assert "ext_bbox=" in page.url
    bbox = [float(n) for n in re.search(r"ext_bbox=([^&]+)", page.url).group(1).split("%2C")]
    assert bbox[0] < 109.1953 < bbox[2] and bbox[1] < 12.2654 < bbox[3], bbox
    assert not bbox[1] < 11.5643 < bbox[3], bbox  # Phan Rang is outside the area
    results = page.locator(".dataset-list").inner_text()
    assert "Khách sạn Thử Nghiệm" in results
    assert page.locator(".dataset-item").count() == 1
    # the filter is the map's initial view, and its markers are the filtered results
    assert page.locator(MAP_READY).get_attribute("data-bbox")
    assert page.locator(MAP_READY).get_attribute("data-marker-count") == "1"
    # the catalogue's own search page has the map too
    page.goto(f"{portal}/dataset/")
    page.wait_for_selector(MAP_READY)
    assert watch.problems() == {}


def test_business_picks_a_point_on_the_map_and_a_curator_approves_it_from_the_queue(
    world, portal, chromium, browser_context, page, watch
):
    from tests.browser.conftest import watched_page

    business = _person_with_password(world, world.business_a)
    curator = _person_with_password(world, world.curator_org)
    _no_remote_avatars()

    _log_in(page, portal, business)
    page.goto(f"{portal}/accommodation/new")
    # CKAN's slug modules listen for typing only once they have started (the preview
    # they add is the sign); a title typed before that leaves the URL name empty
    page.wait_for_selector(".slug-preview", state="attached")
    page.fill("#field-title", "Khach san Ban Do")
    # the slug the page makes of the title
    name = _eventually(lambda: page.locator("#field-name").input_value())
    assert name == "khach-san-ban-do", name
    page.select_option("#field-accommodation_type", "khach_san")
    page.wait_for_selector(MAP_READY)

    # typed coordinates: a clear message for bad input, both orders understood
    typed = page.locator("[data-khtourism-picker-input]")
    message = page.locator("[data-khtourism-picker-message]")
    typed.fill("mười hai")
    typed.press("Enter")
    assert "12.25, 109.19" in message.inner_text()
    assert "text-danger" in message.get_attribute("class")
    typed.fill("21.03, 105.85")  # Hà Nội
    typed.press("Enter")
    assert "Khánh Hòa" in message.inner_text()
    typed.fill("109.19, 12.25")  # longitude first: swapped, and said so
    typed.press("Enter")
    assert "text-success" in message.get_attribute("class")
    point = json.loads(page.locator("#field-spatial").input_value())
    assert point == {"type": "Point", "coordinates": [109.19, 12.25]}

    # pick the point by clicking the map: the GeoJSON box follows the marker
    picker = page.locator(MAP_READY)
    size = picker.bounding_box()
    picker.click(position={"x": size["width"] * 0.3, "y": size["height"] * 0.7})
    picked = json.loads(page.locator("#field-spatial").input_value())
    assert picked["type"] == "Point" and picked["coordinates"] != [109.19, 12.25]
    lon, lat = picked["coordinates"]
    assert 108.5 < lon < 109.55 and 11.2 < lat < 12.95, picked
    assert page.locator("[data-khtourism-picker-input]").input_value() == f"{lat:.5f}, {lon:.5f}"

    page.locator("form#dataset-edit button[name='save']").click()
    page.wait_for_load_state("networkidle")
    # stage 2: a link to the price list, then finish
    page.locator("#resource-link-button").click()
    page.fill("#field-resource-url", "https://example.vn/bang-gia.csv")
    page.fill("#field-name", "Bảng giá")
    page.locator("button[name='save'][value='go-metadata']").click()
    page.wait_for_load_state("networkidle")
    assert f"/accommodation/{name}" in page.url, page.url
    assert _map_markers(page) == 1
    page.locator(".khtourism-workflow-actions button[type='submit']").first.click()
    page.wait_for_load_state("networkidle")

    stored = world.call("sysadmin", "package_show", id=name)
    assert stored["workflow_state"] == "submitted"
    assert json.loads(stored["spatial"])["coordinates"] == [round(lon, 6), round(lat, 6)]

    curator_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        curator_page = watched_page(curator_context, watch)
        _log_in(curator_page, portal, curator)
        curator_page.goto(f"{portal}/khtourism/review")
        row = curator_page.locator(f"tr[data-record='{name}']")
        assert row.get_attribute("data-state") == "submitted"
        row.locator("a").first.click()
        curator_page.wait_for_load_state("networkidle")
        curator_page.locator(f"form[action$='/khtourism/record/{name}/approve'] button").click()
        curator_page.wait_for_load_state("networkidle")
    finally:
        curator_context.close()
    assert world.call("sysadmin", "package_show", id=name)["workflow_state"] == ("published")
    assert watch.problems() == {}


def test_activity_tab_is_open_to_anonymous_visitors(world, portal, page, watch):
    record = _published(world, "accommodation", "ks-hoat-dong")
    response = page.goto(f"{portal}/dataset/activity/{record['name']}")
    assert response.status == 200
    assert watch.problems() == {}


def test_english_pages_show_the_english_title(world, portal, page, watch):
    record = _published(world, "accommodation", "ks-tieng-anh")
    page.goto(f"{portal}/en/accommodation/{record['name']}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Test Hotel" in page.locator("h1").first.inner_text()
    page.goto(f"{portal}/accommodation/{record['name']}")
    assert "Khách sạn Thử Nghiệm" in page.locator("h1").first.inner_text()
    assert watch.problems() == {}
