"""The store as a whole: compaction, head+block merge, WAL checkpoints, retention, modes."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from erpmon.model import STALE_NAN, Labels, Matcher
from erpmon.tsdb import TSDB, LockedError, ReadOnlyError, TSDBOptions, write_block

A = Labels.of(__name__="m", job="a")
B = Labels.of(__name__="m", job="b")


def append_range(db: TSDB, labels: Labels, start: int, stop: int, step: int = 100) -> None:
    app = db.appender()
    ref = app.ref(labels)
    ts = np.arange(start, stop, step, dtype=np.int64)
    app.append_many(np.full(len(ts), ref), ts, ts.astype(np.float64))
    assert app.commit().appended == len(ts)


def test_compaction_trigger_and_ranges(open_db):
    db = open_db(block_range_ms=1000)
    append_range(db, A, 0, 1501)
    assert not db.compactable()  # span 1500 is not > 1.5 x 1000
    assert not db.compact()
    append_range(db, A, 1501, 3400)
    assert db.compact()
    assert [(m.min_time, m.max_time) for m in db.blocks] == [(0, 1000), (1000, 2000)]
    assert db.head_min_time == 2001
    counters = {m.name: m.value for m in db.metrics()}
    assert counters["erpmon_tsdb_compactions_total"] == 2
    assert counters["erpmon_tsdb_blocks_loaded"] == 2
    assert counters["erpmon_tsdb_wal_truncations_total"] == 1


def test_queries_merge_blocks_and_head(open_db, query):
    db = open_db(block_range_ms=1000)
    append_range(db, A, 0, 3000)
    append_range(db, B, 2500, 3000)
    app = db.appender()
    app.append(0, A, 3000, STALE_NAN)
    app.commit()
    before = query(db)
    assert db.compact()
    assert query(db) == before
    ts, _ = query(db, [Matcher.equal("job", "a")], 900, 2100)[A]
    assert ts == list(range(900, 2101, 100))
    assert (
        query(db, [Matcher.equal("job", "a")], 3000, 3000)[A][1]
        == np.array([STALE_NAN]).view(np.uint64).tolist()
    )
    assert query(db, [Matcher.equal("job", "b")], 0, 2000) == {}  # no empty series


def test_overlapping_block_and_head_are_deduplicated(open_db, tmp_path, query):
    data = tmp_path / "data"
    write_block(data, [(A, [5000, 5100, 5200], [1.0, 2.0, 3.0])], 5000, 5201)
    db = open_db(data)
    assert db.appender().commit().appended == 0
    # The head may not take samples below the newest block; a block written later may overlap.
    append_range(db, A, 5300, 5600)
    write_block(data, [(A, [5200, 5300, 5400], [3.0, 4.0, 5.0])])
    assert db.reload_blocks() == 1
    ts, _ = query(db)[A]
    assert ts == [5000, 5100, 5200, 5300, 5400, 5500]


def test_restart_after_compaction_replays_checkpoint_and_segments(open_db, query, tmp_path):
    db = open_db(block_range_ms=1000)
    app = db.appender()
    app.append(0, B, 0, 1.0)  # collected at compaction: no samples left in the head
    app.append(0, A, 0, 1.0)
    app.commit()
    append_range(db, A, 100, 3000)
    assert db.compact()
    append_range(db, A, 3000, 3500)
    append_range(db, B, 3000, 3100)
    want = query(db)
    db.close()
    wal = tmp_path / "data" / "wal"
    assert [p.name for p in wal.iterdir() if p.name.startswith("checkpoint")] == ["checkpoint.00000000"]
    db = open_db()
    assert query(db) == want
    assert db.stats()["headStats"]["numSeries"] == 2


def test_retention_by_time_is_relative_to_the_newest_block(open_db):
    db = open_db(block_range_ms=1000, retention_ms=2500)
    append_range(db, A, 0, 6000)
    db.compact()
    assert [m.max_time for m in db.blocks] == [1000, 2000, 3000, 4000, 5000]
    # 5000 - 3000 < 2500 keeps 3000; 5000 - 2000 >= 2500 drops 2000 and everything older.
    assert db.apply_retention() == 2
    assert [m.max_time for m in db.blocks] == [3000, 4000, 5000]
    assert db.apply_retention() == 0
    assert {m.name: m.value for m in db.metrics()}["erpmon_tsdb_time_retentions_total"] == 1


def test_retention_by_size_keeps_the_newest_blocks(open_db, tmp_path):
    db = open_db(block_range_ms=1000)
    append_range(db, A, 0, 6000, step=10)
    db.compact()
    sizes = [b.size for b in db._blocks]
    wal = sum(f.stat().st_size for f in (tmp_path / "data" / "wal").rglob("*") if f.is_file())
    db.close()
    limit = wal + sizes[-1] + sizes[-2] + 1
    assert len(sizes) == 5
    db = open_db(block_range_ms=1000, retention_bytes=limit)  # applied at open, like Prometheus
    assert [m.max_time for m in db.blocks] == [4000, 5000]
    assert db.apply_retention() == 0
    assert sorted(p.name for p in (tmp_path / "data").iterdir() if len(p.name) == 26) == sorted(
        m.ulid for m in db.blocks
    )
    assert {m.name: m.value for m in db.metrics()}["erpmon_tsdb_size_retentions_total"] == 1


def test_read_only_open_serves_queries_and_refuses_writes(open_db, query, tmp_path):
    db = open_db(block_range_ms=1000)
    append_range(db, A, 0, 3000)
    db.compact()
    append_range(db, B, 2500, 2600)
    want = query(db)
    before = sorted((p, p.stat().st_size) for p in (tmp_path / "data").rglob("*"))
    ro = open_db(read_only=True)  # while the writer is open: no lock taken
    assert query(ro) == want
    for call in (ro.appender, ro.compact, ro.apply_retention):
        with pytest.raises(ReadOnlyError):
            call()
    ro.close()
    assert sorted((p, p.stat().st_size) for p in (tmp_path / "data").rglob("*")) == before


def test_second_writer_is_locked_out(open_db):
    open_db()
    with pytest.raises(LockedError):
        open_db()


def test_querier_snapshot_survives_compaction_and_retention(open_db):
    db = open_db(block_range_ms=1000, retention_ms=1)
    append_range(db, A, 0, 3000)
    db.compact()
    q = db.querier(0, 10_000)
    append_range(db, A, 3000, 6000)
    db.compact()
    assert db.apply_retention() > 0
    assert q.select([])[0].timestamps.tolist() == list(range(0, 3000, 100))
    q.close()


def test_background_compaction_while_appending_and_querying(open_db):
    db = open_db(block_range_ms=1000)
    refs_app = db.appender()
    refs = np.array([refs_app.ref(Labels.of(__name__="m", i=str(i))) for i in range(20)])
    stop = threading.Event()
    errors: list[BaseException] = []

    def compactor() -> None:
        try:
            while not stop.is_set():
                db.compact()
                db.querier(0, 1 << 40).select([Matcher.equal("i", "3")])
        except BaseException as err:  # surfaced by the assertion below
            errors.append(err)

    thread = threading.Thread(target=compactor)
    thread.start()
    app = db.appender()
    for k in range(600):
        app.append_many(refs, np.full(20, k * 50), np.full(20, float(k)))
        assert app.commit().appended == 20
    stop.set()
    thread.join()
    assert not errors
    q = db.querier(0, 1 << 40)
    series = q.select([])
    assert len(series) == 20
    assert all(s.timestamps.tolist() == list(range(0, 600 * 50, 50)) for s in series)


def test_time_range_for_cli_tools(open_db):
    db = open_db(block_range_ms=1000)
    with pytest.raises(ValueError, match="no data"):
        db.time_range()
    append_range(db, A, 0, 3000)
    db.compact()
    first = db.blocks[0]
    assert db.time_range(first.ulid) == (0, 1000, first.ulid)
    assert db.time_range() == (0, 2901, "all blocks and head")
    with pytest.raises(ValueError, match="not found"):
        db.time_range("nope")


def test_closed_store_refuses_use(open_db):
    db = open_db()
    db.close()
    db.close()
    with pytest.raises(RuntimeError):
        db.appender()
    reopened = TSDB.open(db.path, TSDBOptions())
    reopened.close()


def test_series_collection_waits_for_older_queriers(open_db, query):
    db = open_db(block_range_ms=1000)
    app = db.appender()
    app.append(0, B, 0, 1.0)  # B has nothing after the first block: collectable
    app.commit()
    append_range(db, A, 0, 3000)
    q = db.querier(0, 10_000)
    assert db.compact()
    assert db.stats()["headStats"]["numSeries"] == 2  # q may still ask for B's labels
    assert [s.labels for s in q.select([Matcher.equal("job", "b")])] == [B]
    q.close()
    assert db.stats()["headStats"]["numSeries"] == 1
    assert list(query(db, [Matcher.equal("job", "b")])) == [B]  # from the block now


def test_nan_payloads_survive_wal_replay_and_blocks_bit_for_bit(open_db, query):
    odd_nan = np.array([0x7FF8DEADBEEF0001], dtype=np.uint64).view(np.float64)[0]
    values = [1.5, STALE_NAN, odd_nan, -0.0, float("inf"), 2.0]
    want = np.array(values).view(np.uint64).tolist()
    db = open_db(block_range_ms=1000)
    app = db.appender()
    for i, v in enumerate(values):
        app.append(0, A, i * 100, v)
    app.append(0, B, 5000, 1.0)
    app.commit()
    db.close()
    db = open_db(block_range_ms=1000)  # through the WAL
    assert query(db, [Matcher.equal("job", "a")])[A][1] == want
    assert db.compact()
    db.close()
    db = open_db(block_range_ms=1000)  # through a block
    assert db.blocks[0].num_samples == len(values)
    assert query(db, [Matcher.equal("job", "a")])[A][1] == want
