"""Head memory per active series: Python heap (tracemalloc, numpy included) and RSS delta.

10,000 series (10 labels each, realistic lengths), scraped every 15 s. Reported after the
series are created (one sample each) and after 1 h, 2 h and 3 h of samples (3 h is the
most a head holds before compaction cuts a 2 h block).
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import tracemalloc

import numpy as np
import psutil

from erpmon.model import Labels
from erpmon.tsdb import TSDB, TSDBOptions


def series_labels(n: int) -> list[Labels]:
    return [
        Labels.of(
            __name__=f"erpgo_http_request_duration_seconds_bucket_{i % 50}",
            instance=f"erpgo-{i // 500}.prod.internal:8080",
            job="erpgo",
            namespace="erp-production",
            pod=f"erpgo-api-7d9f8b6c5-{i // 50:05d}",
            container="api",
            method=("GET", "POST", "PUT", "DELETE")[i % 4],
            route=f"/api/v1/resource_{i % 25}",
            status=("200", "201", "400", "404", "500")[i % 5],
            le=str(i % 12),
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=10_000)
    args = parser.parse_args()
    n = args.series
    labels = series_labels(n)  # built before measuring: callers own their Labels
    assert len(set(labels)) == n
    proc = psutil.Process(os.getpid())
    with tempfile.TemporaryDirectory() as tmp:
        gc.collect()
        rss0 = proc.memory_info().rss
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        db = TSDB.open(tmp, TSDBOptions(wal_fsync="never"))
        app = db.appender()
        refs = np.array([app.ref(lb) for lb in labels])
        t0 = 1_700_000_000_000
        vs = np.arange(n, dtype=np.float64)
        scrapes_done = 0
        for hours in (0, 1, 2, 3):
            target = max(1, hours * 240)
            while scrapes_done < target:
                app.append_many(refs, np.full(n, t0 + scrapes_done * 15_000), vs + scrapes_done)
                assert app.commit().appended == n
                scrapes_done += 1
            gc.collect()
            heap = tracemalloc.get_traced_memory()[0] - base
            rss = proc.memory_info().rss - rss0
            arrays = db.head_memory_bytes()
            print(
                f"{scrapes_done:>4} samples/series: heap {heap / n:8,.0f} B/series "
                f"(sample arrays {arrays / n:7,.0f}), RSS delta {rss / n:8,.0f} B/series"
            )
        tracemalloc.stop()
        db.close()


if __name__ == "__main__":
    main()
