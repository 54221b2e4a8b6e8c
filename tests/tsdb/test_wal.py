"""WAL records, torn/corrupt tails, a full disk, and the fsync policies."""

from __future__ import annotations

import errno
import logging
import os

import numpy as np
import pytest

import erpmon.tsdb._wal as wal_module
from erpmon.model import STALE_NAN, Labels
from erpmon.tsdb import TSDB, StorageFullError, TSDBOptions
from erpmon.tsdb._wal_records import (
    SAMPLES,
    SERIES,
    decode_samples,
    decode_series,
    encode_samples,
    encode_series,
    iter_records,
)

A = Labels.of(__name__="up", job="a", note='ünïcödé \n"x"')


def test_records_round_trip():
    series = [(1, A), (2**40, Labels.of(__name__="b"))]
    small = (np.array([1, 7]), np.array([10, 5]), np.array([STALE_NAN, -0.0]))
    wide = (np.array([2**40, 1]), np.array([-(2**62), 2**62]), np.array([1.5, np.inf]))
    data = encode_series(series) + encode_samples(*small) + encode_samples(*wide)
    recs = list(iter_records(data))
    assert [r[0] for r in recs] == [SERIES, SAMPLES, SAMPLES]
    assert decode_series(recs[0][1]) == series
    for rec, want in zip(recs[1:], (small, wide), strict=True):
        got = decode_samples(rec[1])
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
        assert got[2].view(np.uint64).tolist() == want[2].view(np.uint64).tolist()
    assert len(data) - len(encode_series(series)) < 2 * (9 + 13 + 2 * 24)


def fill(db: TSDB, batches: int, first: int = 0) -> None:
    app = db.appender()
    refs = np.array([app.ref(Labels.of(__name__="m", i=str(i))) for i in range(5)])
    for k in range(first, first + batches):
        app.append_many(refs, np.full(5, k * 10), np.full(5, float(k)))
        app.commit()


def head_batches(db: TSDB) -> list[int]:
    q = db.querier(-(2**62), 2**62)
    series = q.select([])
    q.close()
    assert len({len(s) for s in series}) <= 1
    return [int(t) // 10 for t in series[0].timestamps] if series else []


def last_segment(path) -> str:
    wal = path / "wal"
    return str(max(p for p in wal.iterdir() if p.is_file() and p.stat().st_size))


@pytest.mark.parametrize("damage", ["truncate", "flip", "zeros"])
def test_damaged_tail_is_cut_at_the_last_good_record(damage, open_db, tmp_path, caplog):
    db = open_db()
    fill(db, 10)
    db.close()
    seg = last_segment(tmp_path / "data")
    size = os.path.getsize(seg)
    with open(seg, "r+b") as f:
        if damage == "truncate":
            f.truncate(size - 7)
        elif damage == "flip":
            f.seek(size - 20)
            byte = f.read(1)
            f.seek(size - 20)
            f.write(bytes([byte[0] ^ 0x40]))
        else:
            f.seek(size)
            f.write(b"\0" * 100)
    caplog.set_level(logging.WARNING, "erpmon.tsdb")
    db = open_db()
    assert "WAL corruption" in caplog.text
    assert head_batches(db) == list(range(9 if damage != "zeros" else 10))
    metrics = {m.name: m.value for m in db.metrics()}
    assert metrics["erpmon_tsdb_wal_corruptions_total"] == 1
    fill(db, 3, first=20)
    db.close()
    caplog.clear()
    db = open_db()
    assert "WAL corruption" not in caplog.text
    assert head_batches(db)[-3:] == [20, 21, 22]


def test_corrupt_middle_segment_drops_the_later_ones(open_db, tmp_path, caplog):
    db = open_db(wal_segment_bytes=4096)
    fill(db, 100)
    db.close()
    wal = tmp_path / "data" / "wal"
    segs = sorted(p for p in wal.iterdir() if p.is_file())
    assert len(segs) >= 3
    with open(segs[1], "r+b") as f:
        f.seek(100)
        f.write(b"\xff\xff\xff")
    caplog.set_level(logging.WARNING, "erpmon.tsdb")
    db = open_db(wal_segment_bytes=4096)
    got = head_batches(db)
    assert got == list(range(len(got))) and 0 < len(got) < 100
    # Later segments are gone (the new writer may reuse the next number, empty).
    assert all(not p.exists() or p.stat().st_size == 0 for p in segs[2:])
    assert "later segment(s) dropped" in caplog.text


def test_read_only_open_leaves_a_torn_wal_alone(open_db, tmp_path):
    db = open_db()
    fill(db, 5)
    db.close()
    seg = last_segment(tmp_path / "data")
    with open(seg, "r+b") as f:
        f.truncate(os.path.getsize(seg) - 3)
    before = {p: p.stat().st_size for p in (tmp_path / "data").rglob("*")}
    ro = open_db(read_only=True)
    assert head_batches(ro) == [0, 1, 2, 3]
    ro.close()
    assert {p: p.stat().st_size for p in (tmp_path / "data").rglob("*")} == before


def test_full_disk_rejects_the_commit_whole_and_keeps_the_wal_valid(open_db, tmp_path, monkeypatch):
    db = open_db()
    fill(db, 3)
    seg = last_segment(tmp_path / "data")
    size = os.path.getsize(seg)

    def half_then_enospc(fd, data):
        if len(data) > 1:
            return os.write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wal_module, "_os_write", half_then_enospc)
    app = db.appender()
    app.append(0, Labels.of(__name__="new"), 100, 1.0)
    app.append(0, Labels.of(__name__="m", i="0"), 100, 1.0)
    with pytest.raises(StorageFullError, match=r"^storage full: "):
        app.commit()
    assert os.path.getsize(seg) == size
    assert head_batches(db) == [0, 1, 2]
    monkeypatch.undo()
    fill(db, 1, first=3)
    db.close()
    db = open_db()
    assert head_batches(db) == [0, 1, 2, 3]
    assert {m.name: m.value for m in db.metrics()}["erpmon_tsdb_wal_corruptions_total"] == 0


@pytest.mark.parametrize(("policy", "want"), [("always", 4), ("interval", 2), ("never", 0)])
def test_fsync_policies(policy, want, tmp_path, monkeypatch, fake_clock):
    calls = []
    monkeypatch.setattr(os, "fdatasync", lambda fd: calls.append(fd))
    opts = TSDBOptions(wal_fsync=policy, wal_fsync_interval_ms=1000)
    db = TSDB.open(tmp_path / "d", opts, clock=fake_clock)
    app = db.appender()
    for t in range(4):  # commits at 0s, 0.6s, 1.2s, 1.8s: "interval" syncs at 1.2s only...
        app.append(0, A, t, 1.0)
        app.commit()
        fake_clock.now += 0.6
    db.sync()  # ...and when asked (a periodic flusher), as there is unsynced data.
    assert len(calls) == want
    db.close()


def test_full_disk_when_cutting_a_segment_keeps_the_current_one(open_db, tmp_path, monkeypatch, caplog):
    db = open_db(wal_segment_bytes=4096)
    fill(db, 2)
    real_open = os.open

    def refuse_new_files(path, flags, *args):
        if flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_new_files)
    caplog.set_level(logging.WARNING, "erpmon.tsdb")
    fill(db, 60, first=2)  # far past 4096 bytes: every commit would want a new segment
    assert "cannot start segment" in caplog.text
    monkeypatch.undo()
    fill(db, 1, first=62)
    db.close()
    assert head_batches(open_db(wal_segment_bytes=4096)) == list(range(63))
