"""Block files: the value/time codec, and reading series back from Parquet row groups."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import erpmon.tsdb._block_writer as writer_module
from erpmon.model import STALE_NAN, Labels, Matcher
from erpmon.tsdb._block import Block
from erpmon.tsdb._block_codec import XOR, decode, encode
from erpmon.tsdb._block_writer import persist_block

SPECIAL = [STALE_NAN, float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 1e300, 5e-324, 0.1, 1 / 3]


def roundtrip(ts, vs, counts):
    enc = encode(ts, vs, counts)
    got_t, got_v = decode(enc.dt, enc.dv, enc.vx, enc.vx_valid, counts, enc.first_t, enc.first_v, enc.scale)
    assert got_t.tolist() == ts.tolist()
    assert got_v.view(np.uint64).tolist() == vs.view(np.uint64).tolist()
    return enc


values = st.one_of(
    st.sampled_from(SPECIAL),
    st.integers(-(10**6), 10**6).map(float),
    st.integers(-(10**8), 10**8).map(lambda i: i / 100),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(max_examples=200, deadline=None)
@given(
    series=st.lists(
        st.lists(st.tuples(st.integers(0, 10**6), values), min_size=1, max_size=30), min_size=1, max_size=6
    )
)
def test_codec_round_trips_any_values_bit_for_bit(series):
    ts, vs, counts = [], [], []
    for samples in series:
        uniq = sorted({t: v for t, v in samples}.items())
        ts += [t for t, _ in uniq]
        vs += [v for _, v in uniq]
        counts.append(len(uniq))
    roundtrip(np.array(ts, dtype=np.int64), np.array(vs, dtype=np.float64), np.array(counts, dtype=np.int64))


def test_codec_picks_the_smallest_exact_decimal_scale():
    counts = np.array([3, 3, 3, 3, 2])
    vs = np.array([1, 2, 3, 0.5, 1.25, 2, 10.1, STALE_NAN, 3, 1 / 3, 1, 2, -0.0, 7], dtype=np.float64)
    ts = np.array([1, 2, 3] * 4 + [1, 2], dtype=np.int64)
    enc = roundtrip(ts, vs, counts)
    assert enc.scale.tolist() == [0, 2, 1, XOR, 0]
    assert enc.vx_valid.tolist() == [False] * 7 + [True] + [False] * 4 + [True, False]


def test_codec_survives_wrapping_integer_deltas():
    vs = np.array([9.0e15, -9.0e15, 9.0e15, 2.0**62, -(2.0**62)], dtype=np.float64)
    roundtrip(np.array([0, 1, 2, 3, 4]), vs, np.array([3, 2]))


def write(tmp_path, series):
    labels = [lb for lb, _, _ in series]
    ts = np.concatenate([np.asarray(t, dtype=np.int64) for _, t, _ in series])
    vs = np.concatenate([np.asarray(v, dtype=np.float64) for _, _, v in series])
    counts = np.array([len(t) for _, t, _ in series], dtype=np.int64)
    meta = persist_block(tmp_path, labels, ts, vs, counts, int(ts.min()), int(ts.max()) + 1)
    return Block(tmp_path / meta.ulid)


def test_block_reads_back_only_the_requested_series_and_window(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "SAMPLES_ROW_GROUP", 100)  # many row groups
    rng = np.random.default_rng(3)
    series = []
    for i in range(40):
        n = int(rng.integers(1, 120))
        ts = np.cumsum(rng.integers(1, 30_000, n))
        vs = np.round(rng.normal(0, 100, n), 2) if i % 3 else rng.random(n)
        series.append((Labels.of(__name__="m", i=f"{i:02d}", odd=str(i % 2)), ts, vs))
    block = write(tmp_path, series[::-1])  # given unsorted: the writer sorts by labels
    assert pq.ParquetFile(block.path / "samples.parquet").metadata.num_row_groups > 10
    meta = json.loads((block.path / "meta.json").read_text())
    assert meta["stats"] == {"numSamples": sum(len(t) for _, t, _ in series), "numSeries": 40}
    got = block.select([Matcher.equal("odd", "1")], 100_000, 900_000)
    want = []
    for lb, ts, vs in series:
        keep = (ts >= 100_000) & (ts <= 900_000)
        if lb.get("odd") == "1" and keep.any():
            want.append((lb, ts[keep].tolist(), vs[keep].tolist()))
    assert [(lb, t.tolist(), v.tolist()) for lb, t, v in got] == want


def test_block_writer_refuses_the_same_series_twice(tmp_path):
    lb = Labels.of(__name__="m")
    with pytest.raises(ValueError, match="given twice"):
        write(tmp_path, [(lb, [1], [1.0]), (lb, [2], [2.0])])
    assert list(tmp_path.iterdir()) == []


def test_deleting_a_block_waits_for_its_readers(tmp_path):
    block = write(tmp_path, [(Labels.of(__name__="m"), [1, 2], [1.0, 2.0])])
    block.acquire()
    block.delete()
    assert block.path.exists()
    assert len(block.select([], 0, 10)) == 1
    block.release()
    assert not block.path.exists()
    assert list(tmp_path.iterdir()) == []
