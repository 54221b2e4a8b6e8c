"""Scrape ingest throughput: exposition text -> parse -> cache lookup -> append -> commit, one core.

This is the whole path a scrape takes after the HTTP fetch (ScrapeLoop.ingest), against the real
embedded store in a temporary directory. Prints samples/s for the first scrape (every series new)
and the steady state (every series cached), for a payload shaped like ERPGo's HTTP histograms.
Usage: .venv/bin/python bench/scrape_ingest.py [--series N] [--scrapes K]
"""

from __future__ import annotations

import argparse
import tempfile
import time

from erpmon.clock import FakeClock
from erpmon.model import Labels
from erpmon.scrape import LoopOptions, ScrapeLoop, ScrapeStats, Target
from erpmon.tsdb import TSDB, TSDBOptions

BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]


def payload(n_series: int, step: int) -> bytes:
    lines = [
        "# HELP erpgo_http_request_duration_seconds HTTP request duration in seconds",
        "# TYPE erpgo_http_request_duration_seconds histogram",
    ]
    endpoints = max(1, n_series // (len(BUCKETS) * 4))
    n = 0
    for e in range(endpoints):
        for method in ("GET", "POST", "PUT", "DELETE"):
            for le in BUCKETS:
                lines.append(
                    f'erpgo_http_request_duration_seconds_bucket{{method="{method}",'
                    f'endpoint="/api/v1/resource{e}/{{id}}",le="{le}"}} {1000 * step + n}'
                )
                n += 1
                if n >= n_series:
                    return ("\n".join(lines) + "\n").encode()
    return ("\n".join(lines) + "\n").encode()


class _NoFetch:
    async def fetch(self) -> tuple[bytes, str | None]:
        raise RuntimeError("unused")

    async def aclose(self) -> None:
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--scrapes", type=int, default=30)
    args = ap.parse_args()
    bodies = [payload(args.series, i) for i in range(args.scrapes + 1)]
    labels = Labels(
        {
            "__address__": "h:1",
            "__scheme__": "http",
            "__metrics_path__": "/metrics",
            "job": "erpgo-api",
            "instance": "h:1",
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = TSDB.open(tmp, TSDBOptions(wal_fsync="never"))
        clock = FakeClock()
        target = Target(labels, labels, {}, interval_ms=15_000, timeout_ms=10_000)
        loop = ScrapeLoop(target, _NoFetch(), db, LoopOptions(), clock, ScrapeStats())
        t0 = time.perf_counter()
        loop.ingest(bodies[0], "text/plain; version=0.0.4", clock.now_ms(), "", 0.0)
        first = time.perf_counter() - t0
        n = len(bodies[0].splitlines()) - 2
        t0 = time.perf_counter()
        for body in bodies[1:]:
            clock.advance(15_000)
            loop.ingest(body, "text/plain; version=0.0.4", clock.now_ms(), "", 0.0)
        steady = time.perf_counter() - t0
        assert target.last_error == "", target.last_error
        db.close()
    print(f"scrape ingest, {n} series per scrape ({len(bodies[0]) / 1024:.0f} KiB text)")
    print(f"  first scrape (all series new):   {n / first:12,.0f} samples/s")
    print(f"  steady state ({args.scrapes} scrapes, cached): {n * args.scrapes / steady:12,.0f} samples/s")
    print("  target: >= 500,000 samples/s (parse + append)")


if __name__ == "__main__":
    main()
