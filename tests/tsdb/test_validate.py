"""The vectorised batch admission against a per-sample reference model."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from erpmon.tsdb._validate import ACCEPTED, DUPLICATE, IDENTICAL, OUT_OF_ORDER, TOO_OLD, judge

NONE = int(np.iinfo(np.int64).min)


def reference(refs, ts, bits, prev, min_valid):
    """Prometheus's rules one sample at a time (what judge() must equal)."""
    state = dict(prev)
    out = []
    for r, t, b in zip(refs, ts, bits, strict=True):
        last_t, last_b = state.get(r, (NONE, 0))
        if t < min_valid:
            out.append(TOO_OLD)
        elif t < last_t:
            out.append(OUT_OF_ORDER)
        elif t == last_t:
            out.append(IDENTICAL if b == last_b else DUPLICATE)
        else:
            out.append(ACCEPTED)
            state[r] = (t, b)
    return out, state


def run(refs, ts, bits, prev, min_valid, unique):
    r = np.array(refs, dtype=np.int64)
    t = np.array(ts, dtype=np.int64)
    b = np.array(bits, dtype=np.uint64)
    prev_t = np.array([prev.get(x, (NONE, 0))[0] for x in refs], dtype=np.int64)
    prev_b = np.array([prev.get(x, (NONE, 0))[1] for x in refs], dtype=np.uint64)
    return judge(r, t, b, prev_t, prev_b, min_valid, unique)


batches = st.lists(
    st.tuples(st.integers(1, 4), st.integers(-5, 5), st.integers(0, 2)), min_size=1, max_size=40
)
previous = st.dictionaries(st.integers(1, 4), st.tuples(st.integers(-5, 5), st.integers(0, 2)), max_size=4)


@settings(max_examples=300, deadline=None)
@given(batch=batches, prev=previous, min_valid=st.integers(-6, 3))
def test_grouped_path_matches_reference(batch, prev, min_valid):
    refs, ts, bits = (list(x) for x in zip(*batch, strict=True))
    want, state = reference(refs, ts, bits, prev, min_valid)
    verdict = run(refs, ts, bits, prev, min_valid, unique=False)
    assert verdict.status.tolist() == want
    touched = {r: state[r] for r in set(refs) if state.get(r) != prev.get(r)}
    pairs = zip(verdict.last_t.tolist(), verdict.last_bits.tolist(), strict=True)
    got = dict(zip(verdict.last_refs.tolist(), pairs, strict=True))
    assert got == touched


@settings(max_examples=200, deadline=None)
@given(
    batch=st.lists(st.tuples(st.integers(-5, 5), st.integers(0, 2)), min_size=1, max_size=4),
    prev=previous,
    min_valid=st.integers(-6, 3),
)
def test_unique_path_matches_reference(batch, prev, min_valid):
    refs = list(range(1, len(batch) + 1))
    ts, bits = (list(x) for x in zip(*batch, strict=True))
    want, _ = reference(refs, ts, bits, prev, min_valid)
    assert run(refs, ts, bits, prev, min_valid, unique=True).status.tolist() == want


def test_extreme_timestamps_do_not_overflow():
    lo, hi = NONE + 1, int(np.iinfo(np.int64).max)
    refs, ts = [1, 2, 1, 2, 1], [hi, lo, lo, hi, hi]
    want, _ = reference(refs, ts, [0] * 5, {}, NONE)
    assert run(refs, ts, [0] * 5, {}, NONE, unique=False).status.tolist() == want
