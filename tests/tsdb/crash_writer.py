"""Child process for test_crash.py: appends numbered batches forever, printing each number
only after commit() returned, and compacts now and then so kills also land mid-compaction.

Usage: python crash_writer.py DATA_DIR FIRST_BATCH
"""

from __future__ import annotations

import sys

import numpy as np

from erpmon.model import Labels
from erpmon.tsdb import TSDB, TSDBOptions

SERIES = 50
STEP_MS = 100


def main() -> None:
    path, first = sys.argv[1], int(sys.argv[2])
    db = TSDB.open(path, TSDBOptions(block_range_ms=2000, wal_fsync="never", head_chunk_samples=256))
    app = db.appender()
    batch = first
    while True:
        # A new series every 10 batches, so series records are in flight too.
        n = SERIES + batch // 10
        refs = np.array([app.ref(Labels.of(__name__="crash", i=str(i))) for i in range(n)])
        app.append_many(refs, np.full(n, batch * STEP_MS), np.arange(n) + batch * 1000.0)
        stats = app.commit()
        assert stats.appended == n, stats
        print(batch, flush=True)
        if batch % 7 == 0:
            db.compact()
        batch += 1


if __name__ == "__main__":
    main()
