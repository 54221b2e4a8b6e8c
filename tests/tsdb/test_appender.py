"""Appends: batching, visibility, rollback and Prometheus's rejection rules."""

from __future__ import annotations

import numpy as np
import pytest

from erpmon.model import STALE_NAN, Labels, Matcher
from erpmon.storage import AppendError, AppendStats
from erpmon.tsdb import UnknownSeriesRefError

A = Labels.of(__name__="up", job="a")
B = Labels.of(__name__="up", job="b")


def arr(*xs: float, dtype: type = np.int64) -> np.ndarray:
    return np.array(xs, dtype=dtype)


def test_nothing_visible_before_commit(open_db, query, as_bits):
    db = open_db()
    app = db.appender()
    ref = app.ref(A)
    app.append(ref, None, 1000, 1.0)
    assert query(db) == {}
    assert app.commit() == AppendStats(appended=1, new_series=1)
    assert query(db) == {A: ([1000], as_bits(1.0))}


def test_series_created_by_ref_is_not_queryable_until_it_has_samples(open_db):
    db = open_db()
    app = db.appender()
    app.ref(A)
    q = db.querier(0, 10)
    assert q.label_values("job") == []
    assert q.select([]) == []
    q.close()


def test_rollback_discards_the_batch(open_db, query, as_bits):
    db = open_db()
    app = db.appender()
    app.append(0, A, 1000, 1.0)
    app.rollback()
    assert app.commit() == AppendStats()
    assert query(db) == {}
    app.append(0, A, 2000, 2.0)
    assert app.commit().appended == 1
    assert query(db) == {A: ([2000], as_bits(2.0))}


def test_rejections_are_counted_and_do_not_reject_the_rest(open_db, query, as_bits):
    db = open_db(block_range_ms=10_000)
    app = db.appender()
    ra, rb = app.ref(A), app.ref(B)
    app.append_many(arr(ra, rb), arr(5000, 5000), arr(1.0, 2.0, dtype=np.float64))
    assert app.commit().appended == 2
    # a: out of order, b: duplicate (same t, other value), then an identical repeat and a good one.
    app.append_many(
        arr(ra, rb, rb, ra), arr(4000, 5000, 5000, 6000), arr(9.0, 3.0, 2.0, 4.0, dtype=np.float64)
    )
    stats = app.commit()
    assert stats == AppendStats(appended=1, out_of_order=1, duplicate=1)
    assert query(db) == {A: ([5000, 6000], as_bits(1.0, 4.0)), B: ([5000], as_bits(2.0))}
    counters = {m.name: m.value for m in db.metrics()}
    assert counters["erpmon_tsdb_out_of_order_samples_total"] == 1
    assert counters["erpmon_tsdb_duplicate_samples_total"] == 1
    assert counters["erpmon_tsdb_head_samples_appended_total"] == 3


def test_duplicates_inside_one_batch_follow_the_same_rules_in_order(open_db, query, as_bits):
    db = open_db(block_range_ms=10_000)
    app = db.appender()
    r = app.ref(A)
    ts = arr(1000, 2000, 2000, 2000, 1500, 3000, 2500, 3000)
    vs = arr(1, 2, 2, 7, 1, 3, 9, 3, dtype=np.float64)
    app.append_many(np.full(len(ts), r), ts, vs)
    assert app.commit() == AppendStats(appended=3, out_of_order=2, duplicate=1, new_series=1)
    assert query(db) == {A: ([1000, 2000, 3000], as_bits(1, 2, 3))}


def test_nan_duplicates_compare_bits_not_values(open_db, query, as_bits):
    db = open_db(block_range_ms=10_000)
    app = db.appender()
    r = app.ref(A)
    other_nan = np.array([0x7FF8000000000001], dtype=np.uint64).view(np.float64)[0]
    app.append_many(arr(r, r, r), arr(1000, 1000, 1000), np.array([STALE_NAN, STALE_NAN, other_nan]))
    assert app.commit() == AppendStats(appended=1, duplicate=1, new_series=1)
    assert query(db) == {A: ([1000], as_bits(STALE_NAN))}


def test_too_old_is_behind_half_a_block_range_or_the_newest_block(open_db):
    db = open_db(block_range_ms=1000)
    app = db.appender()
    app.append(0, A, 10_000, 1.0)
    app.commit()
    app.append(0, B, 9_499, 1.0)  # a new series too: the bound is the head's, not the series'
    app.append(0, A, 9_400, 1.0)
    app.append(0, B, 9_500, 1.0)
    assert app.commit() == AppendStats(appended=1, too_old=2, new_series=1)
    assert {m.name: m.value for m in db.metrics()}["erpmon_tsdb_too_old_samples_total"] == 2


def test_too_old_after_compaction_is_below_the_newest_block(open_db):
    db = open_db(block_range_ms=1000)
    app = db.appender()
    for t in range(0, 2001, 100):
        app.append(0, A, t, 1.0)
    app.commit()
    assert db.compact()
    assert db.blocks[-1].max_time == 1000
    reopened_app = db.appender()
    reopened_app.append(0, B, 999, 1.0)
    assert reopened_app.commit().too_old == 1


def test_mixed_scalar_and_batch_appends_keep_their_order(open_db, query, as_bits):
    db = open_db(block_range_ms=10_000)
    app = db.appender()
    r = app.append(0, A, 1000, 1.0)
    app.append_many(arr(r), arr(2000), arr(2.0, dtype=np.float64))
    app.append(r, None, 1500, 9.0)  # after 2000 in batch order: out of order
    app.append(r, A, 3000, 3.0)
    assert app.commit().out_of_order == 1
    assert query(db) == {A: ([1000, 2000, 3000], as_bits(1, 2, 3))}


def test_unknown_refs_and_bad_label_sets_are_refused(open_db):
    db = open_db()
    app = db.appender()
    with pytest.raises(UnknownSeriesRefError):
        app.append_many(arr(42), arr(1), arr(1.0, dtype=np.float64))
    with pytest.raises(UnknownSeriesRefError):
        app.append(42, None, 1, 1.0)
    with pytest.raises(AppendError, match="empty labelset"):
        app.ref(Labels())
    with pytest.raises(AppendError, match="duplicate label names"):
        app.ref(Labels.from_sorted((("a", "1"), ("a", "2"))))
    with pytest.raises(ValueError, match="lengths differ"):
        app.append_many(arr(1, 2), arr(1), arr(1.0, dtype=np.float64))


def test_append_many_copies_its_inputs(open_db, query, as_bits):
    db = open_db()
    app = db.appender()
    r = app.ref(A)
    ts, vs = arr(1000), arr(1.0, dtype=np.float64)
    app.append_many(arr(r), ts, vs)
    ts[0], vs[0] = 5, 5.0
    app.commit()
    assert query(db) == {A: ([1000], as_bits(1.0))}


def test_refs_of_collected_series_stay_usable(open_db, query):
    """Scrape caches keep refs for series that vanish and come back hours later."""
    db = open_db(block_range_ms=1000)
    app = db.appender()
    old = app.ref(A)
    app.append(old, None, 0, 1.0)
    app.commit()
    late = db.appender()
    late.append_many(arr(old), arr(5000), arr(2.0, dtype=np.float64))  # queued, not committed
    keep = db.appender()
    for t in range(1000, 9001, 1000):
        keep.append(0, B, t, 1.0)
        keep.commit()
        db.compact()  # A has no samples in the head: collected, and stays collected
    assert db.stats()["headStats"]["numSeries"] == 1
    assert late.commit().too_old == 1  # the ref is fine; 5000 is just too old by now
    again = db.appender()
    again.append_many(arr(old), arr(9000), arr(3.0, dtype=np.float64))
    assert again.commit().appended == 1
    assert again.ref(A) == old  # revived in place
    assert [ts for ts, _ in query(db, [Matcher.equal("job", "a")]).values()] == [[0, 9000]]


def test_staleness_marker_is_kept_bit_for_bit(open_db, query, as_bits):
    db = open_db()
    app = db.appender()
    app.append(0, A, 1000, STALE_NAN)
    app.append(0, A, 2000, float("nan"))
    app.append(0, A, 3000, -0.0)
    app.commit()
    assert query(db) == {A: ([1000, 2000, 3000], as_bits(STALE_NAN, float("nan"), -0.0))}
