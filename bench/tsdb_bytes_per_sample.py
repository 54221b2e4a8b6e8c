"""On-disk bytes per sample of TSDB blocks, for realistic scrape data; target <= 2.

Data: 2,000 series = 20 targets x 100 metrics, scraped every 15 s with a per-target phase
and +-3 ms of jitter per scrape (all series of a target share the timestamp, as in
Prometheus). 70 % counters rising by small integer steps (0..9), 30 % gauges: half with
two decimals (a random walk, like CPU % or temperatures), half integer-valued (queue
lengths, KiB of memory). Ingested through the head, compacted into 2 h blocks.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from erpmon.model import Labels
from erpmon.tsdb import TSDB, TSDBOptions

TARGETS, METRICS, INTERVAL_MS = 20, 100, 15_000


def generate(hours: float, seed: int = 1) -> tuple[list[Labels], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_series = TARGETS * METRICS
    scrapes = int(hours * 3600_000 // INTERVAL_MS)
    labels = []
    kinds = np.empty(n_series, dtype=np.int8)
    for s in range(n_series):
        target, metric = divmod(s, METRICS)
        kind = 0 if metric < 70 else (1 if metric < 85 else 2)  # counter, 2-decimal gauge, int gauge
        kinds[s] = kind
        name = f"app_metric_{metric}_total" if kind == 0 else f"app_gauge_{metric}"
        labels.append(Labels.of(__name__=name, instance=f"10.0.0.{target}:9100", job="erpgo"))
    start = 1_700_000_000_000
    phase = rng.integers(0, INTERVAL_MS, TARGETS)
    t_target = start + phase[:, None] + np.arange(scrapes)[None, :] * INTERVAL_MS
    t_target = t_target + rng.integers(-3, 4, t_target.shape)
    ts = np.repeat(t_target, METRICS, axis=0)
    vs = np.empty((n_series, scrapes))
    c = kinds == 0
    vs[c] = rng.integers(0, 1_000_000, c.sum())[:, None] + np.cumsum(
        rng.integers(0, 10, (c.sum(), scrapes)), axis=1
    )
    g2 = kinds == 1
    walk = np.cumsum(rng.normal(0, 0.5, (g2.sum(), scrapes)), axis=1)
    vs[g2] = np.round(50 + walk, 2)
    gi = kinds == 2
    vs[gi] = np.maximum(0, 4096 + np.cumsum(rng.integers(-64, 65, (gi.sum(), scrapes)), axis=1))
    return labels, ts, vs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=8.0)
    args = parser.parse_args()
    labels, ts, vs = generate(args.hours)
    with tempfile.TemporaryDirectory() as tmp:
        db = TSDB.open(tmp, TSDBOptions(wal_fsync="never"))
        app = db.appender()
        refs = np.array([app.ref(lb) for lb in labels])
        for k in range(ts.shape[1]):  # one commit per scrape round
            app.append_many(refs, ts[:, k], vs[:, k])
            app.commit()
        db.compact()
        blocks = db.blocks
        n = sum(b.num_samples for b in blocks)
        files: dict[str, int] = {}
        for b in blocks:
            for f in (Path(tmp) / b.ulid).iterdir():
                files[f.name] = files.get(f.name, 0) + f.stat().st_size
        total = sum(files.values())
        db.close()
    print(f"{len(labels)} series, {ts.size:,} samples ingested; {len(blocks)} blocks hold {n:,} samples")
    for name, size in sorted(files.items()):
        print(f"  {name:<16} {size:>12,} bytes  {size / n:6.3f} B/sample")
    print(
        f"total on disk: {total:,} bytes = {total / n:.3f} bytes/sample (target <= 2; raw float64+int64 = 16)"
    )


if __name__ == "__main__":
    main()
