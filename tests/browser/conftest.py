"""Browser tests: Debian's Chromium, headless, driven by Playwright for Python.

The portal is the test session's own CKAN (its PostgreSQL, Redis and configuration,
``ckanext.khtourism.maps.tile_url = none``) served by werkzeug in a thread on
127.0.0.1; Playwright launches the system browser (``/usr/bin/chromium``, installed by
``deployment/ensure-system-packages.sh``), never a browser build of its own.

Every page the tests open is watched: console errors, uncaught exceptions and any
request to a host other than 127.0.0.1 are collected in :class:`Watch`, and a test
asserts that there are none.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.record_fixtures import world  # noqa: F401
from tests.serving import serve_in_thread

CHROMIUM = os.environ.get("KHTOURISM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
LOCAL_HOSTS = {"127.0.0.1"}
# A script that ends after the page's next animation frame and one timer turn after it:
# what the page had queued has run by then (see settled())
PAGE_TURN = (
    "() => new Promise(done => requestAnimationFrame(() => setTimeout(() => done(true), 0)))"
)


def _chromium_path() -> str:
    found = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    if not found:
        pytest.fail(
            f"Chromium is not installed ({CHROMIUM} is missing): the browser tests need "
            "Debian's `chromium` package — `make install` installs it as root on Debian "
            "(deployment/ensure-system-packages.sh), or run `apt-get install chromium`; "
            "set KHTOURISM_CHROMIUM to use another Chromium binary.",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """The headless system Chromium (one per test module: Playwright's event loop
    does not outlive the browser tests of a worker)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements.txt pins it
        pytest.fail("Playwright for Python is not installed (requirements.txt)", pytrace=False)
    path = _chromium_path()
    with closed_port() as port, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=[*CHROMIUM_ARGS, *no_way_out(port)]
        )
        yield browser
        browser.close()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port of 127.0.0.1 that refuses every connection for as long as it is held (bound,
    never listening: no other program can listen on it meanwhile)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def no_way_out(port: int) -> list[str]:
    """Chromium's arguments that keep every request on the machine: all of them go through
    a proxy at ``port`` of 127.0.0.1, which refuses them, except those to the loopback
    addresses and ``localhost``, which Chromium never sends through a proxy.

    Not Playwright's request routing (``page.route`` with an abort): routing turns off
    the browser's HTTP cache, and every page would fetch its scripts, styles and images
    again (~11 files a page), where a visitor's browser keeps them
    (``core/static_files.py``); and Playwright would stop every request for the route to
    look at it. :class:`Watch` still sees every request that tried to leave."""
    return [f"--proxy-server=http://127.0.0.1:{port}"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def portal_ports() -> list[int]:
    """The port of the module's portal: one for all its tests, so that its URL
    (``ckan.site_url``) — and with it the configuration — is the same from test to test
    and the application built for the first is reused (``tests/fast_ckan.py``) instead of
    built again for each (plugins loaded again and ~900 URL rules compiled: ~1.5 s)."""
    return [_free_port()]


@pytest.fixture
def ckan_config(ckan_config, monkeypatch, portal_ports):
    """CKAN's ``ckan_config``, with the module's portal URL as ``ckan.site_url`` from the
    start: ``with_plugins`` then loads the plugins for the configuration the portal runs
    with, and they and the application are reused from test to test."""
    monkeypatch.setitem(ckan_config, "ckan.site_url", f"http://127.0.0.1:{portal_ports[-1]}")
    return ckan_config


class InFlight:
    """A WSGI application counting the requests it is answering (a request ends when its
    response is written or closed). The browser context closes before the portal stops, but
    a request it had sent may still be answered then: its thread ends its database session
    while the next test's database reset closes every session (``Session.close_all``), and
    the two closing the same session at once failed a setup (``'NoneType' object has no
    attribute 'dispatch'``). The portal waits for them before it stops."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.count = 0
        self.changed = threading.Condition()

    def _add(self, step: int) -> None:
        with self.changed:
            self.count += step
            self.changed.notify_all()

    def __call__(self, environ: dict, start_response: object) -> object:
        self._add(1)
        try:
            response = self.app(environ, start_response)  # type: ignore[operator]
        except BaseException:
            self._add(-1)
            raise
        return _Closing(response, lambda: self._add(-1))

    def wait_idle(self, timeout: float) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.count == 0, timeout):
                raise TimeoutError(f"{self.count} requests still answered after {timeout} s")


class _Closing:
    """A response's iterable, which calls ``done`` once, when its last chunk is out or the
    server closes it (werkzeug closes it only after reading what is left of the request,
    which waits for the client)."""

    def __init__(self, response: object, done: object) -> None:
        self.response = response
        self.done = done
        self.finished = False

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.done()  # type: ignore[operator]

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.response  # type: ignore[misc]
        finally:
            self._finish()

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()


@pytest.fixture
def portal(ckan_config, make_app, monkeypatch, portal_ports) -> Iterator[str]:
    """The portal served on 127.0.0.1 (its base URL); request it after ``world``."""
    from werkzeug.serving import make_server

    while True:
        port = portal_ports[-1]
        url = f"http://127.0.0.1:{port}"
        monkeypatch.setitem(ckan_config, "ckan.site_url", url)
        test_app = make_app()
        in_flight = InFlight(test_app.app)
        try:
            server = make_server("127.0.0.1", port, in_flight, threaded=True)
            break
        except OSError:  # taken since the last test of the module: another port
            portal_ports.append(_free_port())
    thread = serve_in_thread(server, name="portal")
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()  # the port free for the module's next test
        thread.join(timeout=10)
        in_flight.wait_idle(timeout=30)


@dataclass
class Watch:
    """What went wrong on a page: console errors, page errors, requests leaving 127.0.0.1."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    # pages a walk found wrong (HTTP status, a second language): tests that walk fill it
    wrong_pages: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {
            name: value
            for name, value in (
                ("console errors", self.console_errors),
                ("page errors", self.page_errors),
                ("requests outside 127.0.0.1", self.outside_requests),
                ("wrong pages", self.wrong_pages),
            )
            if value
        }


def watched_page(context: object, watch: Watch) -> object:
    page = context.new_page()  # type: ignore[attr-defined]
    page.khtourism_watch = watch  # a failing test reports what the page saw
    page.on(
        "console",
        lambda message: (
            watch.console_errors.append(f"{message.text} ({page.url})")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: watch.page_errors.append(f"{error} ({page.url})"))

    def on_request(request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            watch.outside_requests.append(url)

    page.on("request", on_request)
    # the requests in flight, for settled()
    in_flight: set[object] = set()
    started = [0]  # requests started since the page was made
    page.khtourism_in_flight = in_flight
    page.khtourism_started = started

    def on_start(request: object) -> None:
        in_flight.add(request)
        started[0] += 1

    page.on("request", on_start)
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    # nothing leaves the machine even if a page asked for it: the browser's proxy
    # (no_way_out) refuses it
    return page


def settled(page: object, timeout: float = 30.0) -> None:
    """Wait until the page has loaded and its network is quiet: no request in flight, and
    none started while the page ran what it had queued.

    After the ``load`` event a page may still fetch (the map's province outline) and start
    requests when an answer arrives. Quiet is judged by the page, not by a clock: when no
    request is in flight, a script waits in the page for one animation frame and then one
    timer turn (:data:`PAGE_TURN`), so what the page had queued — an answer's handler, a
    module's start — has run; its requests are announced before that script's answer (the
    page's events reach Playwright in order). If none was started, the page has settled;
    otherwise the wait goes on.

    Playwright's ``wait_for_load_state("networkidle")`` waits for 500 ms without a request,
    and an earlier version of this function for 150 ms: time in which a worker did nothing
    on every page the walks open (~0.2 s a page, ~330 pages)."""
    in_flight = getattr(page, "khtourism_in_flight", None)
    if in_flight is None:  # a page not made by watched_page
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
        return
    from playwright.sync_api import Error as PlaywrightError

    started = page.khtourism_started  # type: ignore[attr-defined]
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while True:
        if not in_flight:
            before = started[0]
            try:
                page.evaluate(PAGE_TURN)  # type: ignore[attr-defined]
            except PlaywrightError as error:  # the page went on to another: wait for it
                if "context was destroyed" not in str(error):
                    raise
                page.wait_for_load_state("load")  # type: ignore[attr-defined]
                continue
            if not in_flight and started[0] == before:
                return
        elif time.monotonic() > deadline:
            raise TimeoutError(f"requests still in flight after {timeout} s: {in_flight}")
        else:
            page.wait_for_timeout(10)  # type: ignore[attr-defined]  # Playwright delivers events


@pytest.fixture
def browser_context(chromium) -> Iterator[object]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser_context, watch) -> object:
    return watched_page(browser_context, watch)
