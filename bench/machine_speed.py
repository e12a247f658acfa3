"""How fast one core of this machine runs Python now: read beside any timing.

    .venv/bin/python bench/machine_speed.py              # one reading (median of 5)
    .venv/bin/python bench/machine_speed.py --watch 20   # one short reading every 20 s

The development machines are virtual machines on a shared host: the same suite took
266 s and 483 s on one machine an hour apart, with its user CPU 368 s and 684 s for the
same work (docs/performance.md, "the tenth round"). A timing means little without the
machine's speed at that moment, so each reading is the time of a fixed pure-Python loop
(10 million additions). ``--watch`` prints one reading (a 5th of the loop, scaled, ~0.2 s
of one core) every N seconds until interrupted: run it beside a benchmark or the suite
and keep its lines with the result.
"""

from __future__ import annotations

import argparse
import statistics
import time

LOOP = 10_000_000


def loop_seconds(iterations: int = LOOP) -> float:
    """Seconds one core takes for ``iterations`` additions in a Python loop."""
    start = time.perf_counter()
    total = 0
    for number in range(iterations):
        total += number
    return time.perf_counter() - start


def reading(repeat: int = 5) -> float:
    """The median of ``repeat`` loops: the machine's speed now (lower is faster)."""
    return statistics.median(loop_seconds() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watch", type=float, default=0, help="seconds between readings")
    args = parser.parse_args()
    if not args.watch:
        print(f"{time.strftime('%H:%M:%S')} loop of {LOOP:,} additions: {reading():.2f} s")
        return
    try:
        while True:
            seconds = loop_seconds(LOOP // 5) * 5
            print(f"{time.strftime('%H:%M:%S')} {seconds:.2f} s", flush=True)
            time.sleep(args.watch)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
