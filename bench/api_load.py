"""A small load generator for the tourism API: N concurrent clients on 127.0.0.1.

Each client (a thread with its own keep-alive connection) sends a bounded
number of requests to the given paths in turn; the report gives p50/p95/p99,
requests per second and the status codes seen. Run it as a separate process
from the server (the server is gunicorn with 2 workers; see docs/performance.md).

    .venv/bin/python bench/api_load.py --port 5055 --clients 16 --requests 100 \
        '/api/tourism/v1/accommodations?lat=12.25&lon=109.19&radius=5000&limit=20'
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import Counter

ERRORS: list[str] = []  # first error bodies seen, reported with the figures


def client(
    host: str,
    port: int,
    paths: list[str],
    count: int,
    headers: dict[str, str],
    latencies: list[float],
    statuses: Counter,
    lock: threading.Lock,
    offset: int = 0,
) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    mine: list[float] = []
    codes: Counter = Counter()
    for index in range(count):
        # each client starts at its own place in the list: with many paths, concurrent
        # clients do not ask for the same URL at the same moment
        path = paths[(offset + index) % len(paths)]
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        mine.append(time.perf_counter() - started)
        codes[response.status] += 1
        if response.status >= 400 and len(ERRORS) < 3:
            ERRORS.append(body[:300].decode("utf-8", "replace"))
    connection.close()
    with lock:
        latencies.extend(mine)
        statuses.update(codes)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(
    host: str, port: int, paths: list[str], clients: int, requests: int, headers: dict[str, str]
) -> dict[str, object]:
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=client,
            args=(host, port, paths, requests, headers, latencies, statuses, lock),
            kwargs={"offset": number * (len(paths) // clients)},
        )
        for number in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "paths": paths if len(paths) <= 4 else paths[:2] + [f"... {len(paths)} paths in all"],
        "clients": clients,
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "statuses": dict(statuses),
        "errors": ERRORS[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost"])
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=100, help="requests per client (bounded)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="warm-up requests per client, not measured"
    )
    parser.add_argument("--token", help="API token to send (e.g. to use the token quota)")
    args = parser.parse_args()
    headers = {"Accept": "application/json"}
    if args.token:
        headers["Authorization"] = args.token
    if args.warmup:
        run(args.host, args.port, args.paths, args.clients, args.warmup, headers)
    print(
        json.dumps(
            run(args.host, args.port, args.paths, args.clients, args.requests, headers),
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
