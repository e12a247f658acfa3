"""Bounded load against ``make run``'s portal: search pages and APIs, N concurrent clients.

Not a timed test: a drill whose targets are **zero 5xx** and **stable memory**. Each client (a
thread with its own keep-alive connection) sends its share of the requests to the paths in
turn; the portal's processes (the ``make run`` process tree: web server, consumers, workers)
are sampled for resident memory before, during and after. Run it against a running portal:

    make run &                                    # the portal on 127.0.0.1:5000
    .venv/bin/python bench/bounded_load.py --port 5000 --requests 2000 --clients 32

The tourism API's rate limit answers 429 once a client's quota is used up; give a sysadmin's
token with ``--token`` (or raise the limits) to measure the portal rather than the limiter.
Exit status 1 when any response was a 5xx or a connection failed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import statistics
import threading
import time
from collections import Counter

import psutil

PATHS = [
    "/dataset/",
    "/dataset/?q=kh%C3%A1ch+s%E1%BA%A1n",
    "/accommodation/",
    "/accommodation/?q=nha+trang&sort=score+desc",
    "/heritage-site/",
    "/api/3/action/package_search?q=bi%E1%BB%83n&rows=20",
    "/api/3/action/package_search?fq=dataset_type:accommodation&rows=50&facet.field=[%22tags%22]",
    "/api/3/action/package_show?id=__first__",
    "/api/tourism/v1/accommodations?limit=20",
    "/api/tourism/v1/accommodations?lat=12.25&lon=109.19&radius=5000&limit=20",
    "/api/tourism/v1/heritage-sites?limit=20",
    "/api/tourism/v1/stats",
]


def _portal_processes(port: int) -> list[psutil.Process]:
    """The process tree of whatever listens on ``port`` (its ``make run`` parent included)."""
    for connection in psutil.net_connections("tcp"):
        if connection.laddr and connection.laddr.port == port and connection.status == "LISTEN":
            web = psutil.Process(connection.pid)
            top = web
            while top.parent() is not None and "ckanext.khtourism.local" in " ".join(
                top.parent().cmdline()
            ):
                top = top.parent()
            return [top, *top.children(recursive=True)]
    return []


def _rss_mib(processes: list[psutil.Process]) -> float:
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total / 2**20


def _first_dataset(host: str, port: int) -> str:
    import json

    connection = http.client.HTTPConnection(host, port, timeout=60)
    connection.request("GET", "/api/3/action/package_search?rows=1")
    body = json.loads(connection.getresponse().read())
    results = body.get("result", {}).get("results") or []
    return results[0]["name"] if results else "missing"


def run(host: str, port: int, total: int, clients: int, token: str | None) -> int:
    first = _first_dataset(host, port)
    paths = [p.replace("__first__", first) for p in PATHS]
    headers = {"Authorization": token} if token else {}
    processes = _portal_processes(port)
    before = _rss_mib(processes)
    latencies: list[float] = []
    statuses: Counter = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    per_client = [total // clients + (1 if n < total % clients else 0) for n in range(clients)]
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(1):
            samples.append(_rss_mib(processes))

    def client(number: int, count: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        mine: list[float] = []
        codes: Counter = Counter()
        for index in range(count):
            path = paths[(number + index) % len(paths)]
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                codes[response.status] += 1
            except (OSError, http.client.HTTPException) as error:
                codes["connection error"] += 1
                with lock:
                    failures.append(f"{path}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n, c)) for n, c in enumerate(per_client)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done.set()
    after = _rss_mib(processes)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    server_errors = sum(n for code, n in statuses.items() if isinstance(code, int) and code >= 500)
    print(
        f"requests: {len(latencies)} in {elapsed:.1f} s ({len(latencies) / elapsed:.1f}/s), "
        f"{clients} concurrent"
    )
    print(f"status codes: {dict(sorted(statuses.items(), key=str))}")
    print(
        f"latency ms: p50 {pct(0.5):.0f}, p95 {pct(0.95):.0f}, p99 {pct(0.99):.0f}, "
        f"max {latencies[-1] * 1000:.0f}, mean {statistics.mean(latencies) * 1000:.0f}"
    )
    print(
        f"portal memory (RSS of {len(processes)} processes, MiB): before {before:.0f}, "
        f"peak {max(samples or [after]):.0f}, after {after:.0f}"
    )
    for failure in failures[:5]:
        print("failure:", failure)
    print(f"5xx: {server_errors}; connection errors: {statuses.get('connection error', 0)}")
    return 1 if server_errors or statuses.get("connection error") else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--token", default=None, help="an API token (Authorization header)")
    args = parser.parse_args()
    raise SystemExit(run(args.host, args.port, args.requests, args.clients, args.token))


if __name__ == "__main__":
    main()
