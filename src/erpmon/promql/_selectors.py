"""Reading the store for selectors: instant vectors at every step and range windows.

All series of a selector are concatenated into one sorted key space (series index * K + time),
so one `searchsorted` answers every (series, step) pair at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from erpmon.model import STALE_NAN_BITS, Labels, Matcher
from erpmon.promql._values import F64, I64, RangeWindows, StepVector
from erpmon.storage import Querier


@dataclass
class Fetched:
    """A selector's series, concatenated: series i owns ts/vs[offsets[i]:offsets[i+1]]."""

    labels: list[Labels]
    ts: I64
    vs: F64
    offsets: I64

    @property
    def n(self) -> int:
        return len(self.labels)


@runtime_checkable
class FlatQuerier(Protocol):
    """A querier that can hand on a selection concatenated (the embedded tsdb's does): labels in
    order, timestamps, values, and offsets (n + 1) where series k owns [offsets[k], offsets[k+1])."""

    def select_flat(self, matchers: Sequence[Matcher]) -> tuple[list[Labels], I64, F64, I64]: ...


def fetch(querier: Querier, matchers: tuple[Matcher, ...], mint: int, maxt: int) -> Fetched:
    if isinstance(querier, FlatQuerier):
        labels, ts, vs, offsets = querier.select_flat(list(matchers))
        f = Fetched(labels, ts, vs, offsets)
        keep = (ts >= mint) & (ts <= maxt)
        return f if keep.all() else _compact(f, keep)
    series = [s for s in querier.select(list(matchers)) if s.timestamps.shape[0]]
    counts = np.fromiter((s.timestamps.shape[0] for s in series), dtype=np.int64, count=len(series))
    offsets = np.zeros(len(series) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    if series:
        ts = np.concatenate([s.timestamps for s in series])
        vs = np.concatenate([s.values for s in series])
    else:
        ts, vs = np.empty(0, dtype=np.int64), np.empty(0)
    keep = (ts >= mint) & (ts <= maxt)
    if not keep.all():
        return _compact(Fetched([s.labels for s in series], ts, vs, offsets), keep)
    return Fetched([s.labels for s in series], ts, vs, offsets)


def _compact(f: Fetched, keep: np.ndarray) -> Fetched:
    """Drop samples where `keep` is False, keeping every series (possibly empty)."""
    kept_before = np.concatenate(([0], np.cumsum(keep)))
    offsets = kept_before[f.offsets]
    return Fetched(f.labels, f.ts[keep], f.vs[keep], offsets.astype(np.int64))


class _KeySpace:
    """Maps (series, time) to one monotone int64 key over concatenated per-series sorted samples."""

    def __init__(self, f: Fetched) -> None:
        self.tmin = int(f.ts.min()) if f.ts.size else 0
        tmax = int(f.ts.max()) if f.ts.size else 0
        self.k = tmax - self.tmin + 2
        series_of_sample = np.repeat(np.arange(f.n, dtype=np.int64), np.diff(f.offsets))
        self.keys = series_of_sample * self.k + (f.ts - self.tmin)

    def query(self, n: int, times: I64) -> I64:
        """Keys for every (series, time): shape (n, len(times)), times clipped into the key space."""
        rel = np.clip(times - self.tmin, -1, self.k - 1)
        out: I64 = np.arange(n, dtype=np.int64)[:, None] * self.k + rel[None, :]
        return out


def instant_vector(f: Fetched, eval_t: I64, lookback_ms: int) -> tuple[StepVector, F64]:
    """The latest sample at or before each eval time within the lookback (2.42: both ends inclusive).

    Returns the vector and the chosen samples' timestamps in seconds (for timestamp()).
    """
    n, steps = f.n, eval_t.shape[0]
    if n == 0 or f.ts.size == 0:
        return StepVector(f.labels, np.zeros((n, steps)), np.zeros((n, steps), dtype=bool)), np.zeros(
            (n, steps)
        )
    ks = _KeySpace(f)
    idx = np.searchsorted(ks.keys, ks.query(n, eval_t), side="right") - 1
    first = f.offsets[:-1][:, None]
    valid = idx >= first
    idx = np.where(valid, idx, 0)
    t = f.ts[idx]
    v = f.vs[idx]
    present = valid & (t >= eval_t[None, :] - lookback_ms) & (v.view(np.uint64) != STALE_NAN_BITS)
    return StepVector(f.labels, v, present), t / 1000.0


def range_windows(f: Fetched, eval_t: I64, range_ms: int) -> RangeWindows:
    """Windows [eval_t - range, eval_t] over the samples, staleness markers removed."""
    stale = f.vs.view(np.uint64) == STALE_NAN_BITS
    if stale.any():
        f = _compact(f, ~stale)
    n = f.n
    if f.ts.size == 0:
        zeros = np.zeros((n, eval_t.shape[0]), dtype=np.int64)
        return RangeWindows(f.labels, f.ts, f.vs, f.offsets, zeros, zeros.copy(), eval_t, range_ms)
    ks = _KeySpace(f)
    start = np.searchsorted(ks.keys, ks.query(n, eval_t - range_ms), side="left")
    end = np.searchsorted(ks.keys, ks.query(n, eval_t), side="right")
    return RangeWindows(f.labels, f.ts, f.vs, f.offsets, start, np.maximum(end, start), eval_t, range_ms)
