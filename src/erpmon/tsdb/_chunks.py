"""The head's samples: an unsorted append buffer that is sealed into (ref, t)-sorted chunks.

Appends are slice copies into the active buffer. When it fills, it is sorted by ref once
(stably, by radix passes: samples of one series already arrive in time order) and becomes
an immutable `SealedChunk` that queries binary-search. Chunks are merged pairwise while similar in size,
so a head holds O(log n) of them. Nothing here mutates data a reader may hold: growing,
sealing, merging and truncating all build new arrays, so a querier's snapshot stays valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Rows = tuple[I64, I64, F64]
Snapshot = tuple[tuple["SealedChunk", ...], Rows]

_MERGE_LIMIT = 1 << 22  # chunks stop merging here, to bound the work done under the head lock
_SEAL_PER_SERIES = 16
_FAN_IN = 4


def expand_ranges(lo: I64, hi: I64) -> I64:
    """Concatenated `arange(lo[i], hi[i])` for all i, without a Python loop."""
    lens = hi - lo
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(lo - (np.cumsum(lens) - lens), lens)
    out: I64 = np.arange(total, dtype=np.int64) + shift
    return out


def empty_rows() -> Rows:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)


class SealedChunk:
    """Samples sorted by (ref, t): series `ref_keys[i]` owns rows offsets[i]:offsets[i+1].

    Times are kept as uint32 offsets from the chunk's min time when it spans < 2^32 ms
    (49 days, i.e. always for a head), which saves a quarter of the head's sample memory.
    """

    __slots__ = ("_t", "maxt", "mint", "offsets", "ref_keys", "v")

    def __init__(self, ref_keys: I64, offsets: I64, ts: I64, vs: F64) -> None:
        self.ref_keys = ref_keys
        self.offsets = offsets
        self.v = vs
        self.mint = int(ts.min())
        self.maxt = int(ts.max())
        compact = self.maxt - self.mint < (1 << 32)
        self._t: npt.NDArray[np.integer[Any]] = (ts - self.mint).astype(np.uint32) if compact else ts

    @property
    def t(self) -> I64:
        return self.times(slice(None))

    def times(self, idx: I64 | slice) -> I64:
        raw = self._t[idx]
        if raw.dtype == np.uint32:
            out: I64 = raw.astype(np.int64) + self.mint
            return out
        return raw  # type: ignore[return-value]

    @classmethod
    def from_rows(cls, refs: I64, ts: I64, vs: F64) -> SealedChunk:
        """From rows already sorted by (ref, t)."""
        first = np.ones(len(refs), dtype=bool)
        first[1:] = refs[1:] != refs[:-1]
        starts = np.flatnonzero(first)
        return cls(refs[starts], np.append(starts, len(refs)).astype(np.int64), ts, vs)

    @classmethod
    def from_unsorted(cls, refs: I64, ts: I64, vs: F64) -> SealedChunk:
        """From rows in append order (time order within each series)."""
        order = ref_order(refs)
        counts = np.bincount(refs)
        keys = np.flatnonzero(counts).astype(np.int64)
        offsets = np.concatenate([[0], np.cumsum(counts[keys])]).astype(np.int64)
        return cls(keys, offsets, ts[order], vs[order])

    def __len__(self) -> int:
        return len(self.v)

    def nbytes(self) -> int:
        return self.ref_keys.nbytes + self.offsets.nbytes + self._t.nbytes + self.v.nbytes

    def rows(self) -> Rows:
        return np.repeat(self.ref_keys, np.diff(self.offsets)), self.t, self.v

    def gather(self, refs: I64, mint: int, maxt: int) -> Rows:
        """Rows of the sorted `refs` with mint <= t <= maxt, sorted by (ref, t)."""
        if not len(refs) or maxt < self.mint or mint > self.maxt or not len(self.ref_keys):
            return empty_rows()
        pos = np.minimum(np.searchsorted(self.ref_keys, refs), len(self.ref_keys) - 1)
        hit = self.ref_keys[pos] == refs
        seg, found = pos[hit], refs[hit]
        lo, hi = self.offsets[seg], self.offsets[seg + 1]
        if mint > self.mint:
            lo = _bisect(self, lo, hi, mint, right=False)
        if maxt < self.maxt:
            hi = _bisect(self, lo, hi, maxt, right=True)
        idx = expand_ranges(lo, hi)
        return np.repeat(found, hi - lo), self.times(idx), self.v[idx]

    def truncated(self, cut: int) -> SealedChunk | None:
        """This chunk without samples older than `cut` (None if nothing is left)."""
        if self.mint >= cut:
            return self
        if self.maxt < cut:
            return None
        refs, ts, vs = self.rows()
        keep = ts >= cut
        return SealedChunk.from_rows(refs[keep], ts[keep], vs[keep])


Runs = tuple[I64, I64, I64, F64]  # distinct refs, their row offsets, times, values


def _runs(rows: Rows) -> Runs:
    refs, ts, vs = rows
    first = np.ones(len(refs), dtype=bool)
    first[1:] = refs[1:] != refs[:-1]
    starts = np.flatnonzero(first)
    return refs[starts], np.append(starts, len(refs)).astype(np.int64), ts, vs


def _merge_runs(parts: Sequence[Runs]) -> Runs:
    """Merge parts sorted by (ref, t) where, per series, earlier parts hold earlier samples.

    Rows move by a linear scatter computed from per-series counts, not by a sort: a row's
    new place is its series' merged start, plus the rows the earlier parts hold for that
    series, plus its rank within its own run.
    """
    keys = np.unique(np.concatenate([p[0] for p in parts]))
    where = [np.searchsorted(keys, p[0]) for p in parts]
    runs = [np.diff(p[1]) for p in parts]
    before = np.zeros(len(keys), dtype=np.int64)  # rows of earlier parts, per series
    starts = []
    for idx, counts in zip(where, runs, strict=True):
        starts.append(before[idx].copy())
        before[idx] += counts
    offsets = np.concatenate([[0], np.cumsum(before)]).astype(np.int64)
    n = int(offsets[-1])
    ts, vs = np.empty(n, np.int64), np.empty(n, np.float64)
    for (_, p_offsets, p_t, p_v), idx, counts, start in zip(parts, where, runs, starts, strict=True):
        shift = offsets[idx] + start - p_offsets[:-1]
        pos = np.arange(len(p_v)) + np.repeat(shift, counts)
        ts[pos] = p_t
        vs[pos] = p_v
    return keys.astype(np.int64), offsets, ts, vs


def merge_chunks(chunks: Sequence[SealedChunk]) -> SealedChunk:
    """One chunk holding all of them; per series, earlier chunks' samples come first."""
    return SealedChunk(*_merge_runs([(c.ref_keys, c.offsets, c.t, c.v) for c in chunks]))


def merge_sorted(parts: Sequence[Rows]) -> Rows:
    """Like `merge_chunks` for row sets, each sorted by (ref, t), given oldest first."""
    parts = [p for p in parts if len(p[0])]
    if len(parts) <= 1:
        return parts[0] if parts else empty_rows()
    keys, offsets, ts, vs = _merge_runs([_runs(p) for p in parts])
    return np.repeat(keys, np.diff(offsets)), ts, vs


def _bisect(chunk: SealedChunk, lo: I64, hi: I64, value: int, right: bool) -> I64:
    """Per segment [lo[i], hi[i]) of the chunk's rows: the first index whose time
    is >= value (or > value with `right`). All segments are bisected together, so the
    Python loop runs log2(longest segment) times, not once per series."""
    lo, hi = lo.copy(), hi.copy()
    last = len(chunk.v) - 1
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) >> 1
        tm = chunk.times(np.minimum(mid, last))
        go_right = open_ & ((tm <= value) if right else (tm < value))
        lo = np.where(go_right, mid + 1, lo)
        hi = np.where(open_ & ~go_right, mid, hi)


class ActiveBuffer:
    """Preallocated columns with capacity doubling; rows [0, n) are never rewritten."""

    __slots__ = ("n", "refs", "ts", "vs")

    def __init__(self, capacity: int = 1024) -> None:
        self.refs: I64 = np.empty(capacity, dtype=np.int64)
        self.ts: I64 = np.empty(capacity, dtype=np.int64)
        self.vs: F64 = np.empty(capacity, dtype=np.float64)
        self.n = 0

    def append(self, refs: I64, ts: I64, vs: F64) -> None:
        k = len(refs)
        end = self.n + k
        if end > len(self.refs):
            cap = max(2 * len(self.refs), end)
            for name in ("refs", "ts", "vs"):
                old = getattr(self, name)
                grown = np.empty(cap, dtype=old.dtype)
                grown[: self.n] = old[: self.n]
                setattr(self, name, grown)
        self.refs[self.n : end] = refs
        self.ts[self.n : end] = ts
        self.vs[self.n : end] = vs
        self.n = end

    def view(self) -> Rows:
        return self.refs[: self.n], self.ts[: self.n], self.vs[: self.n]


def ref_order(refs: I64) -> I64:
    """A stable argsort of refs: one or two 16-bit radix passes instead of a comparison sort."""
    if not len(refs) or int(refs.max()) < (1 << 16):
        return np.argsort(refs.astype(np.uint16), kind="stable").astype(np.int64)
    low = np.argsort((refs & 0xFFFF).astype(np.uint16), kind="stable")
    if int(refs.max()) < (1 << 32):
        high = np.argsort((refs[low] >> 16).astype(np.uint16), kind="stable")
        out: I64 = low[high].astype(np.int64)
        return out
    return np.argsort(refs, kind="stable").astype(np.int64)


def sort_rows(parts: list[Rows]) -> Rows:
    """Concatenate row sets given oldest first and sort them by (ref, t).

    Per series, earlier parts hold earlier samples, so a stable sort by ref suffices.
    """
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return empty_rows()
    if len(parts) == 1:
        refs, ts, vs = parts[0]
    else:
        refs = np.concatenate([p[0] for p in parts])
        ts = np.concatenate([p[1] for p in parts])
        vs = np.concatenate([p[2] for p in parts])
    order = ref_order(refs)
    return refs[order], ts[order], vs[order]


def select_active(rows: Rows, refs: I64, mint: int, maxt: int) -> Rows:
    """Rows of the active buffer for the sorted `refs` in [mint, maxt], sorted by (ref, t)."""
    r, t, v = rows
    if not len(r) or not len(refs):
        return empty_rows()
    keep = (t >= mint) & (t <= maxt) & np.isin(r, refs)
    return sort_rows([(r[keep], t[keep], v[keep])])


class SampleStore:
    """All head samples; callers hold the head lock for mutations and snapshots."""

    def __init__(self, seal_at: int) -> None:
        self.seal_at = seal_at
        self.chunks: tuple[SealedChunk, ...] = ()
        self.active = ActiveBuffer(min(seal_at, 1024))

    def append(self, refs: I64, ts: I64, vs: F64, n_series: int = 0) -> None:
        """Append rows; seal once the buffer holds `seal_at` rows and at least
        _SEAL_PER_SERIES rows per series, so chunks never degrade to a row or two per series."""
        self.active.append(refs, ts, vs)
        if self.active.n >= max(self.seal_at, _SEAL_PER_SERIES * n_series):
            self.seal()

    def seal(self) -> None:
        if not self.active.n:
            return
        chunks = [*self.chunks, SealedChunk.from_unsorted(*self.active.view())]
        self.active = ActiveBuffer(min(self.seal_at, 1024))
        # Tiers of 4: merge the last 4 chunks while they are of one size class, so a
        # sample is rewritten about log4(n) times and a head holds O(log n) chunks.
        while len(chunks) >= _FAN_IN:
            tail = chunks[-_FAN_IN:]
            size = sum(len(c) for c in tail)
            if len(tail[0]) > 2 * len(tail[-1]) or size > _MERGE_LIMIT:
                break
            chunks[-_FAN_IN:] = [merge_chunks(tail)]
        self.chunks = tuple(chunks)

    def snapshot(self) -> Snapshot:
        return self.chunks, self.active.view()

    def truncate(self, cut: int) -> None:
        """Drop every sample with t < cut."""
        kept = (c.truncated(cut) for c in self.chunks)
        self.chunks = tuple(c for c in kept if c is not None)
        refs, ts, vs = self.active.view()
        keep = ts >= cut
        fresh = ActiveBuffer(max(int(keep.sum()), min(self.seal_at, 1024)))
        fresh.append(refs[keep], ts[keep], vs[keep])
        self.active = fresh

    def num_samples(self) -> int:
        return sum(len(c) for c in self.chunks) + self.active.n

    def nbytes(self) -> int:
        a = self.active
        return sum(c.nbytes() for c in self.chunks) + a.refs.nbytes + a.ts.nbytes + a.vs.nbytes

    def time_range(self) -> tuple[int, int] | None:
        """(min t, max t) over the stored samples, None when empty."""
        lows = [c.mint for c in self.chunks]
        highs = [c.maxt for c in self.chunks]
        _, ts, _ = self.active.view()
        if len(ts):
            lows.append(int(ts.min()))
            highs.append(int(ts.max()))
        return (min(lows), max(highs)) if lows else None


def gather(snapshot: Snapshot, refs: I64, mint: int, maxt: int) -> Rows:
    """The snapshot's rows for the sorted `refs` in [mint, maxt], sorted by (ref, t)."""
    chunks, active = snapshot
    parts = [c.gather(refs, mint, maxt) for c in chunks]
    parts.append(select_active(active, refs, mint, maxt))
    return merge_sorted(parts)


def rows_before(snapshot: Snapshot, maxt: int) -> Rows:
    """Every sample of the snapshot with t < maxt, sorted by (ref, t)."""
    chunks, (r, t, v) = snapshot
    lowest = int(np.iinfo(np.int64).min)
    parts = [c.gather(c.ref_keys, lowest, maxt - 1) for c in chunks]
    keep = t < maxt
    parts.append(sort_rows([(r[keep], t[keep], v[keep])]))
    return merge_sorted(parts)
