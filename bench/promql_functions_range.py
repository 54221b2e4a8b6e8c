"""PromQL function cost on this machine: each range function over a typical range query.

A dashboard panel is about 1000 series x 240 steps (1 h at 15 s) with [5m] windows of 20
samples each: 4.8 M window samples, which Prometheus walks one by one in Go. Prints the best
wall time of --repeat calls per function and the rate in window samples per second.
Usage: .venv/bin/python bench/promql_functions_range.py [--series N] [--steps T] [--window W] [--repeat K]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from erpmon.model import Labels
from erpmon.promql._values import RangeWindows, StepScalar, Value
from erpmon.promql.functions import CallContext, call

SCRAPE_MS = 15_000


def windows(n: int, steps: int, window: int, rng: np.random.Generator) -> RangeWindows:
    """n counters scraped every 15 s with jitter, evaluated every 15 s over [window * 15s]."""
    span = steps + window + 1
    base = np.arange(span, dtype=np.int64) * SCRAPE_MS
    ts = (base[None, :] + rng.integers(0, 500, (n, span))).ravel()
    vs = np.cumsum(rng.exponential(5.0, (n, span)), axis=1).ravel()
    offsets = np.arange(n + 1, dtype=np.int64) * span
    eval_t = base[window:][:steps] + 1000
    range_ms = window * SCRAPE_MS
    start = np.empty((n, steps), dtype=np.int64)
    end = np.empty((n, steps), dtype=np.int64)
    for i in range(n):
        part = ts[offsets[i] : offsets[i + 1]]
        start[i] = offsets[i] + np.searchsorted(part, eval_t - range_ms, side="left")
        end[i] = offsets[i] + np.searchsorted(part, eval_t, side="right")
    labels = [Labels({"__name__": "c", "i": str(i)}) for i in range(n)]
    return RangeWindows(labels, ts, vs, offsets, start, end, eval_t, range_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=240)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    w = windows(args.series, args.steps, args.window, rng)
    ctx = CallContext(w.eval_t)
    total = int((w.end - w.start).sum())
    scalar = StepScalar(np.full(args.steps, 0.5))
    calls: list[tuple[str, list[Value]]] = [
        (name, [w])
        for name in (
            "rate",
            "increase",
            "delta",
            "irate",
            "idelta",
            "resets",
            "changes",
            "count_over_time",
            "last_over_time",
            "sum_over_time",
            "avg_over_time",
            "min_over_time",
            "max_over_time",
            "stddev_over_time",
            "deriv",
        )
    ]
    calls += [
        ("quantile_over_time", [scalar, w]),
        ("predict_linear", [w, StepScalar(np.full(args.steps, 600.0))]),
        ("holt_winters", [w, scalar, StepScalar(np.full(args.steps, 0.3))]),
    ]
    print(f"{args.series} series x {args.steps} steps, {total / 1e6:.1f} M window samples")
    for name, fargs in calls:
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            call(name, fargs, ctx)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:20s} {best * 1e3:8.1f} ms  {total / best / 1e6:8.1f} M samples/s")


if __name__ == "__main__":
    main()
