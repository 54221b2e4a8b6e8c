"""Append throughput of the TSDB head: pre-parsed batches of existing series via append_many.

Each batch is one "scrape": `batch` series at one new timestamp, committed (WAL write
included). Prints samples/s on one core; the target is >= 2,000,000/s.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from erpmon.model import Labels
from erpmon.tsdb import TSDB, TSDBOptions


def run(batch: int, n_series: int, seconds: float, fsync: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = TSDB.open(tmp, TSDBOptions(wal_fsync=fsync))  # type: ignore[arg-type]
        app = db.appender()
        refs = np.array(
            [
                app.ref(Labels.of(__name__=f"metric_{i % 100}", instance=f"host-{i // 100}:9100"))
                for i in range(n_series)
            ]
        )
        groups = [refs[i : i + batch] for i in range(0, n_series, batch)]
        rng = np.random.default_rng(0)
        values = [rng.random(len(g)) * 1000 for g in groups]
        # Warm up: every series gets its first sample (creates the WAL series records).
        t = 1_700_000_000_000
        for g, v in zip(groups, values, strict=True):
            app.append_many(g, np.full(len(g), t, dtype=np.int64), v)
            app.commit()
        samples = 0
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            t += 15_000
            ts_col = [np.full(len(g), t, dtype=np.int64) for g in groups]  # pre-parsed per scrape
            for g, ts, v in zip(groups, ts_col, values, strict=True):
                app.append_many(g, ts, v)
                samples += app.commit().appended
        elapsed = time.perf_counter() - start
        db.close()
    return samples / elapsed, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--series", type=int, default=20_000)
    args = parser.parse_args()
    for fsync in ("never", "interval"):
        for batch in (1_000, 10_000):
            rate, n = run(batch, args.series, args.seconds, fsync)
            print(f"batch={batch:>6} fsync={fsync:<8} {rate:>12,.0f} samples/s  ({n:,} samples)")


if __name__ == "__main__":
    main()
