"""A real full disk: a 512 KiB tmpfs fills up under the WAL (needs root to mount; skipped otherwise)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from erpmon.model import Labels, Matcher
from erpmon.tsdb import TSDB, StorageFullError, TSDBOptions


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_rejects_the_commit_clearly_and_keeps_the_wal_valid(
    tiny_disk: Path, tmp_path: Path
) -> None:
    db = TSDB.open(tiny_disk / "data", TSDBOptions(wal_fsync="always"))
    app = db.appender()
    refs = np.array([app.ref(Labels({"__name__": "m", "i": str(i)})) for i in range(200)], dtype=np.int64)
    app.commit()
    committed = 0
    with pytest.raises(StorageFullError, match=r"^storage full: "):
        for batch in range(100_000):
            app = db.appender()
            app.append_many(refs, np.full(200, batch * 1000, dtype=np.int64), np.full(200, float(batch)))
            app.commit()
            committed = batch + 1
    assert committed > 10
    # The store stays usable for reads, and a later commit fails the same clean way.
    assert len(db.querier(0, 2**62).select([Matcher.equal("__name__", "m")])) == 200
    app = db.appender()
    app.append_many(refs, np.full(200, 10**9, dtype=np.int64), np.ones(200))
    with pytest.raises(StorageFullError):
        app.commit()
    db.close()

    # Every acknowledged batch, and nothing else, is in the WAL: replay it somewhere with room.
    copy = tmp_path / "copy"
    shutil.copytree(tiny_disk / "data", copy)
    reopened = TSDB.open(copy, TSDBOptions())
    try:
        [s, *_] = reopened.querier(0, 2**62).select([Matcher.equal("__name__", "m")])
        assert s.values.tolist() == [float(b) for b in range(committed)]
        metrics = {m.name: m.value for m in reopened.metrics()}
        assert metrics["erpmon_tsdb_wal_corruptions_total"] == 0
    finally:
        reopened.close()
