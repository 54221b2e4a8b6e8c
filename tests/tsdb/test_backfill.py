"""Backfill: blocks written from given series, aligned like promtool's, read by a fresh open."""

from __future__ import annotations

import numpy as np
import pytest

from erpmon.model import STALE_NAN, Labels
from erpmon.tsdb import create_blocks, write_block

H2 = 2 * 3600 * 1000
A = Labels.of(__name__="backfilled", job="a")
B = Labels.of(__name__="backfilled", job="b")


def test_blocks_are_cut_at_aligned_two_hour_windows(tmp_path, open_db, query, as_bits):
    t0 = 1_700_000_000_000  # 22:13:20 UTC: not aligned
    ts_a = np.arange(t0, t0 + 5 * 3600 * 1000, 15_000)
    vs_a = np.arange(len(ts_a), dtype=np.float64)
    vs_a[-1] = STALE_NAN
    metas = create_blocks(tmp_path / "data", [(A, ts_a, vs_a), (B, [t0 + H2], [7.5])])
    start = (t0 // H2) * H2
    assert [(m.min_time - start) // H2 for m in metas] == [0, 1, 2]
    assert all(
        start + i * H2 <= m.min_time and m.max_time <= start + (i + 1) * H2 for i, m in enumerate(metas)
    )
    assert metas[0].min_time == t0 and metas[-1].max_time == int(ts_a[-1]) + 1
    assert [m.num_series for m in metas] == [1, 2, 1]
    db = open_db(tmp_path / "data")
    got = query(db)
    assert got[A] == (ts_a.tolist(), vs_a.view(np.uint64).tolist())
    assert got[B] == ([t0 + H2], as_bits(7.5))


def test_input_is_sorted_merged_and_checked(tmp_path):
    metas = create_blocks(tmp_path, [(A, [3, 1], [3.0, 1.0]), (A, [2, 3], [2.0, 3.0])])
    assert len(metas) == 1 and metas[0].num_samples == 3
    with pytest.raises(ValueError, match="different values for timestamp 5"):
        create_blocks(tmp_path, [(A, [5, 5], [1.0, 2.0])])
    with pytest.raises(ValueError, match="2 timestamps but 1 values"):
        create_blocks(tmp_path, [(A, [1, 2], [1.0])])
    assert create_blocks(tmp_path / "empty", []) == []


def test_write_block_covers_the_given_range(tmp_path, open_db, query):
    meta = write_block(tmp_path / "data", [(A, [10, 20, 30], [1.0, 2.0, 3.0])], mint=15, maxt=30)
    assert meta is not None and (meta.min_time, meta.max_time, meta.num_samples) == (15, 30, 1)
    assert write_block(tmp_path / "data", [(A, [10], [1.0])], mint=100, maxt=200) is None
    assert query(open_db(tmp_path / "data"))[A][0] == [20]
