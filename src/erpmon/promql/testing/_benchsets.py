"""The three benchmark data sets (a hot query each), for timing erpmon against Prometheus.

- counter-10k: 10,000 counters `x{job, instance}` (10 jobs), 30 min at 15 s;
  instant `sum by (job) (rate(x[5m]))` at the end.
- histogram-50x12: classic histogram `h_bucket{job, instance, le}`, 50 label sets x 12 buckets,
  1 h at 15 s; instant `histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m])))` at the end.
- range-1k-24h: 1,000 counters `x{job, instance}`, 24 h at 60 s;
  `sum by (job) (rate(x[5m]))` over the 24 h at a 60 s step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from erpmon.promql.testing._evaluations import Evaluation
from erpmon.promql.testing._openmetrics import GenSeries

END_S = 1_677_628_800  # 2023-03-01T00:00:00Z
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)


def _counters(n: int, duration_s: int, interval_s: int, seed: int) -> list[GenSeries]:
    rng = np.random.default_rng(seed)
    ts = np.arange((END_S - duration_s) * 1000, END_S * 1000 + 1, interval_s * 1000, dtype=np.int64)
    rates = rng.uniform(0.1, 50.0, n)
    totals = np.cumsum(rng.poisson(rates[:, None] * interval_s, (n, len(ts))), axis=1).astype(np.float64)
    return [
        GenSeries("x", (("job", f"job-{i % 10}"), ("instance", f"host-{i:05d}:9100")), ts, totals[i])
        for i in range(n)
    ]


def _histograms(label_sets: int, duration_s: int, interval_s: int, seed: int) -> list[GenSeries]:
    rng = np.random.default_rng(seed)
    ts = np.arange((END_S - duration_s) * 1000, END_S * 1000 + 1, interval_s * 1000, dtype=np.int64)
    out = []
    probs = np.diff(np.concatenate(([0.0], np.linspace(0.05, 1.0, len(BUCKETS)) ** 2)))
    for i in range(label_sets):
        per_scrape = rng.multinomial(rng.poisson(200), probs / probs.sum(), len(ts))
        cumulative = np.cumsum(np.cumsum(per_scrape, axis=1), axis=0).astype(np.float64)
        labels = (("job", f"job-{i % 5}"), ("instance", f"host-{i:03d}:9100"))
        for j, bound in enumerate(BUCKETS):
            le = "+Inf" if math.isinf(bound) else repr(bound)
            out.append(GenSeries("h_bucket", (*labels, ("le", le)), ts, cumulative[:, j]))
    return out


@dataclass(frozen=True)
class BenchSet:
    name: str
    query: str
    evaluation: Evaluation
    build: Callable[[], list[GenSeries]]


BENCH_SETS = (
    BenchSet(
        "counter-10k",
        "sum by (job) (rate(x[5m]))",
        Evaluation("end", "instant", time_s=END_S),
        lambda: _counters(10_000, 1800, 15, seed=1),
    ),
    BenchSet(
        "histogram-50x12",
        "histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m])))",
        Evaluation("end", "instant", time_s=END_S),
        lambda: _histograms(50, 3600, 15, seed=2),
    ),
    BenchSet(
        "range-1k-24h",
        "sum by (job) (rate(x[5m]))",
        Evaluation("24h@60s", "range", start_s=END_S - 86400, end_s=END_S, step_s=60),
        lambda: _counters(1_000, 86400, 60, seed=3),
    ),
)
