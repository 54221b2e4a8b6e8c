"""The head's sample store: sealing, merging, window gathers and truncation vs a naive scan."""

from __future__ import annotations

import numpy as np
import pytest

from erpmon.tsdb._chunks import SampleStore, SealedChunk, expand_ranges, gather, merge_chunks


def naive(refs, ts, vs, sel, mint, maxt):
    keep = np.isin(refs, sel) & (ts >= mint) & (ts <= maxt)
    order = np.lexsort((ts[keep], refs[keep]))
    return refs[keep][order], ts[keep][order], vs[keep][order]


def random_rows(rng, n_series=50, n=3000, span=10_000):
    refs = rng.integers(1, n_series + 1, n)
    ts = np.empty(n, dtype=np.int64)
    last = {}
    for i, r in enumerate(refs.tolist()):  # test data only: rising times per series
        last[r] = last.get(r, int(rng.integers(0, span))) + int(rng.integers(1, 30))
        ts[i] = last[r]
    return refs.astype(np.int64), ts, rng.random(n)


def test_expand_ranges():
    lo, hi = np.array([3, 10, 7, 0]), np.array([5, 10, 9, 1])
    assert expand_ranges(lo, hi).tolist() == [3, 4, 7, 8, 0]


@pytest.mark.parametrize("seal_at", [16, 100, 10_000])
def test_store_gathers_like_a_full_scan(seal_at):
    rng = np.random.default_rng(seal_at)
    refs, ts, vs = random_rows(rng)
    store = SampleStore(seal_at)
    for lo in range(0, len(refs), 37):
        store.append(refs[lo : lo + 37], ts[lo : lo + 37], vs[lo : lo + 37])
    assert store.num_samples() == len(refs)
    assert len(store.chunks) <= 2 * np.log2(len(refs) / seal_at + 2) + 2
    for _ in range(20):
        sel = np.unique(rng.integers(0, 60, rng.integers(1, 20)))
        mint, maxt = sorted(rng.integers(0, 12_000, 2).tolist())
        got = gather(store.snapshot(), sel, mint, maxt)
        want = naive(refs, ts, vs, sel, mint, maxt)
        for g, w in zip(got, want, strict=True):
            assert np.array_equal(g, w)


def test_truncate_drops_old_samples_only():
    rng = np.random.default_rng(7)
    refs, ts, vs = random_rows(rng)
    store = SampleStore(64)
    store.append(refs, ts, vs)
    store.append(np.array([1]), np.array([ts.max() + 10]), np.array([0.5]))
    all_refs, all_ts, all_vs = (np.append(refs, 1), np.append(ts, ts.max() + 10), np.append(vs, 0.5))
    snap_before = store.snapshot()
    cut = int(np.median(ts))
    store.truncate(cut)
    sel = np.arange(0, 60)
    got = gather(store.snapshot(), sel, -1, 1 << 40)
    want = naive(all_refs[all_ts >= cut], all_ts[all_ts >= cut], all_vs[all_ts >= cut], sel, -1, 1 << 40)
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)
    # A snapshot taken before still sees everything: truncation never rewrites arrays.
    assert len(gather(snap_before, sel, -1, 1 << 40)[0]) == len(all_refs)


def test_chunk_with_a_wide_time_span():
    refs = np.array([1, 1, 2], dtype=np.int64)
    ts = np.array([0, 1 << 40, 5], dtype=np.int64)
    chunk = SealedChunk.from_rows(refs, ts, np.array([1.0, 2.0, 3.0]))
    r, t, _ = chunk.gather(np.array([1, 2]), 1, 1 << 41)
    assert r.tolist() == [1, 2] and t.tolist() == [1 << 40, 5]


def test_merge_keeps_older_rows_first_per_series():
    older = SealedChunk.from_rows(np.array([1, 1, 3]), np.array([1, 2, 1]), np.array([1.0, 2.0, 3.0]))
    newer = SealedChunk.from_rows(
        np.array([1, 2, 3, 3]), np.array([5, 1, 2, 3]), np.array([4.0, 5.0, 6.0, 7.0])
    )
    newest = SealedChunk.from_rows(np.array([0, 3]), np.array([9, 9]), np.array([8.0, 9.0]))
    r, t, v = merge_chunks([older, newer, newest]).rows()
    assert r.tolist() == [0, 1, 1, 1, 2, 3, 3, 3, 3]
    assert t.tolist() == [9, 1, 2, 5, 1, 1, 2, 3, 9]
    assert v.tolist() == [8.0, 1.0, 2.0, 4.0, 5.0, 3.0, 6.0, 7.0, 9.0]
