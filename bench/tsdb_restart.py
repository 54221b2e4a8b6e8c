"""Restart time after SIGKILL with ~1M samples in the WAL (no checkpoint, no blocks).

A child process ingests 10,000 series x 100 scrapes (1,000,000 samples, one commit per
scrape), reports, and is SIGKILLed; then TSDB.open replays the WAL and we time it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

CHILD = """
import sys, numpy as np
from erpmon.model import Labels
from erpmon.tsdb import TSDB, TSDBOptions
db = TSDB.open(sys.argv[1], TSDBOptions(wal_fsync="never"))
app = db.appender()
n, scrapes = int(sys.argv[2]), int(sys.argv[3])
labels = [Labels.of(__name__=f"m{i % 100}", instance=f"host-{i // 100}", job="bench") for i in range(n)]
refs = np.array([app.ref(lb) for lb in labels])
for k in range(scrapes):
    app.append_many(refs, np.full(n, 1_700_000_000_000 + k * 15_000), np.arange(n) + k * 1.0)
    app.commit()
print("ready", flush=True)
sys.stdin.read()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--scrapes", type=int, default=100)
    args = parser.parse_args()
    from erpmon.model import Matcher
    from erpmon.tsdb import TSDB, TSDBOptions

    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, tmp, str(args.series), str(args.scrapes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        wal_bytes = sum(f.stat().st_size for f in os.scandir(os.path.join(tmp, "wal")))
        start = time.perf_counter()
        db = TSDB.open(tmp, TSDBOptions())
        opened = time.perf_counter() - start
        q = db.querier(0, 1 << 62)
        n = sum(len(s) for s in q.select([Matcher.equal("job", "bench")]))
        q.close()
        db.close()
    print(f"WAL {wal_bytes:,} bytes, {n:,} samples in {args.series:,} series")
    print(f"restart (open + replay) after SIGKILL: {opened * 1000:.0f} ms")


if __name__ == "__main__":
    main()
