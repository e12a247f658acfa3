"""Redis stopped, frozen (SIGSTOP) and back: searches, the action API and the tourism API
answer all along (the result cache and the rate limiter fail open, fast), and the cache works
again once Redis is back, without a restart.

A real redis-server is started by the test on a private Unix socket (the embedded Redis
wheel's binary), and stopped or frozen in the middle."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ckan.tests import factories

from ckanext.khtourism.local import services
from ckanext.khtourism.search import cache

SOCKET_DIR = Path("/tmp") / f"khtourism-redis-outage-{os.getpid()}"
SOCKET = SOCKET_DIR / "redis.sock"
URL = f"unix://{SOCKET}?db=0"


class PrivateRedis:
    def __init__(self) -> None:
        SOCKET_DIR.mkdir(mode=0o700, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        SOCKET.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                services.redis_server_binary(),
                "--port",
                "0",
                "--unixsocket",
                str(SOCKET),
                "--save",
                "",
                "--dir",
                str(SOCKET_DIR),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while not SOCKET.exists():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    cache._down_until = 0.0
    yield server
    server.stop()
    cache._down_until = 0.0
    cache._invalidation_pending = False


def _timed(get, url: str) -> tuple[int, float]:
    """(status, seconds); a request still waiting after 15 s fails the test (it would wait
    for as long as Redis stays frozen)."""
    import threading

    answer: list[int] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: answer.append(get(url, status=None).status_code))
    worker.start()
    worker.join(15)
    assert answer, f"{url}: no answer after 15 s (waiting for Redis)"
    return answer[0], time.monotonic() - started


PAGES = (
    "/dataset/",
    "/api/3/action/package_search?q=kh%C3%A1ch",
    "/api/tourism/v1/accommodations",
)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.redis.url", URL)
@pytest.mark.ckan_config("ckanext.khtourism.api.rate_limit.storage_url", URL)
@pytest.mark.ckan_config("ckanext.khtourism.search.cache_ttl", "300")
@pytest.mark.ckan_config("ckanext.khtourism.redis.retry_after", "1")
def test_searches_and_apis_answer_while_redis_is_frozen_or_stopped(private_redis, app):
    factories.Dataset(title="Khách sạn Biển Xanh", owner_org=factories.Organization()["id"])
    for page in PAGES:
        assert _timed(app.get, page)[0] == 200
    assert any(key.startswith(b"khtourism") for key in cache._redis().keys("*"))

    # frozen: no request waits for Redis more than a moment (it waited 30 s and more)
    private_redis.freeze()
    try:
        for _ in range(2):
            for page in PAGES:
                status, seconds = _timed(app.get, page)
                assert status == 200, page
                assert seconds < 5, (page, seconds)
    finally:
        private_redis.thaw()

    # stopped: the same
    private_redis.stop()
    for page in PAGES:
        status, seconds = _timed(app.get, page)
        assert status == 200, page
        assert seconds < 5, (page, seconds)

    # back: the cache works again, no restart
    private_redis.start()
    time.sleep(1.1)  # retry_after
    for page in PAGES:
        assert _timed(app.get, page)[0] == 200
    assert app.get(PAGES[1]).status_code == 200
    assert any(key.startswith(b"khtourism:search:result:") for key in cache._redis().keys("*"))


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckan.redis.url", URL)
@pytest.mark.ckan_config("ckanext.khtourism.redis.retry_after", "0")
def test_an_index_change_made_while_redis_was_down_is_not_hidden_by_the_cache(private_redis):
    """A change committed while Redis is unreachable is recorded when it answers again:
    results cached before the outage are not served afterwards."""
    from ckan.tests import helpers

    org = factories.Organization()
    factories.Dataset(title="Nhà nghỉ Sao Mai", owner_org=org["id"])
    first = helpers.call_action("package_search", q="sao mai")
    assert first["count"] == 1
    private_redis.freeze()
    try:
        factories.Dataset(title="Nhà nghỉ Sao Mai 2", owner_org=org["id"])
    finally:
        private_redis.thaw()
    assert helpers.call_action("package_search", q="sao mai")["count"] == 2
