"""Crash recovery: SIGKILL a writer mid-ingest; every batch it reported committed is there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from erpmon.model import Matcher
from erpmon.tsdb import TSDB, TSDBOptions

WRITER = Path(__file__).with_name("crash_writer.py")
SERIES, STEP_MS = 50, 100


def run_until(data: Path, first: int, kill_after: int) -> int:
    """Start the writer, read `kill_after` committed batch numbers, SIGKILL it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(data), str(first)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    last = first - 1
    try:
        for _ in range(kill_after):
            line = proc.stdout.readline()
            assert line, f"writer died early with {proc.wait()}"
            last = int(line)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return last


def check(data: Path, last: int) -> int:
    """Every batch up to `last` fully present; returns the newest batch present."""
    db = TSDB.open(data, TSDBOptions(block_range_ms=2000))
    try:
        q = db.querier(0, 1 << 40)
        got = {s.labels.get("i"): s for s in q.select([Matcher.equal("__name__", "crash")])}
        q.close()
    finally:
        db.close()
    newest = max(int(s.timestamps[-1]) // STEP_MS for s in got.values())
    assert newest >= last
    for batch in range(last + 1):
        for i in range(SERIES + batch // 10):
            s = got[str(i)]
            pos = np.searchsorted(s.timestamps, batch * STEP_MS)
            assert s.timestamps[pos] == batch * STEP_MS, (batch, i)
            assert s.values[pos] == i + batch * 1000.0
    return newest


@pytest.mark.parametrize("kills", [(37, 120, 9), (250, 1, 64)])
def test_every_reported_commit_survives_sigkill(tmp_path, kills):
    data = tmp_path / "data"
    first = 0
    for kill_after in kills:
        last = run_until(data, first, kill_after)
        first = check(data, last) + 1
