"""The head's samples: an unsorted append buffer that is sealed into (ref, t)-sorted chunks.

Appends are slice copies into the active buffer. When it fills, it is sorted by ref once
(stably: samples of one series already arrive in time order) and becomes an immutable
`SealedChunk` that queries binary-search. Chunks are merged pairwise while similar in size,
so a head holds O(log n) of them. Nothing here mutates data a reader may hold: growing,
sealing, merging and truncating all build new arrays, so a querier's snapshot stays valid.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Rows = tuple[I64, I64, F64]
Snapshot = tuple[tuple["SealedChunk", ...], Rows]

_OFF_BITS = 32
_OFF_MASK = (1 << _OFF_BITS) - 1
_MERGE_LIMIT = 1 << 22  # chunks stop merging here, to bound the work done under the head lock


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
    """Rows sorted by (ref, t). Time is kept as `segment << 32 | (t - mint)` when the chunk
    spans < 2^32 ms, so one `searchsorted` finds a series' window directly."""

    __slots__ = ("_key", "_t", "maxt", "mint", "offsets", "ref_keys", "v")

    def __init__(self, refs: I64, ts: I64, vs: F64) -> None:
        first = np.ones(len(refs), dtype=bool)
        first[1:] = refs[1:] != refs[:-1]
        starts = np.flatnonzero(first)
        self.ref_keys: I64 = refs[starts]
        self.offsets: I64 = np.append(starts, len(refs)).astype(np.int64)
        self.mint = int(ts.min())
        self.maxt = int(ts.max())
        self.v: F64 = vs
        self._key: I64 | None = None
        self._t: I64 | None = None
        if self.maxt - self.mint <= _OFF_MASK and len(starts) < (1 << 31):
            seg = np.cumsum(first) - 1
            self._key = (seg << _OFF_BITS) | (ts - self.mint)
        else:
            self._t = ts

    def __len__(self) -> int:
        return len(self.v)

    def nbytes(self) -> int:
        extra = self._key if self._key is not None else self._t
        assert extra is not None
        return self.ref_keys.nbytes + self.offsets.nbytes + self.v.nbytes + extra.nbytes

    def _times(self, idx: I64 | slice) -> I64:
        if self._key is not None:
            return self.mint + (self._key[idx] & _OFF_MASK)
        assert self._t is not None
        return self._t[idx]

    def rows(self) -> Rows:
        counts = np.diff(self.offsets)
        return np.repeat(self.ref_keys, counts), self._times(slice(None)), self.v

    def gather(self, refs: I64, mint: int, maxt: int) -> Rows:
        """Rows of the sorted `refs` with mint <= t <= maxt, sorted by (ref, t)."""
        if not len(refs) or maxt < self.mint or mint > self.maxt or not len(self.ref_keys):
            return empty_rows()
        pos = np.minimum(np.searchsorted(self.ref_keys, refs), len(self.ref_keys) - 1)
        hit = self.ref_keys[pos] == refs
        seg, found = pos[hit], refs[hit]
        if self._key is not None:
            lo_off = min(max(mint - self.mint, 0), 1 << _OFF_BITS)
            hi_off = min(max(maxt - self.mint + 1, 0), 1 << _OFF_BITS)
            lo = np.searchsorted(self._key, (seg << _OFF_BITS) + lo_off).astype(np.int64)
            hi = np.searchsorted(self._key, (seg << _OFF_BITS) + hi_off).astype(np.int64)
            idx = expand_ranges(lo, hi)
            return np.repeat(found, hi - lo), self._times(idx), self.v[idx]
        lo, hi = self.offsets[seg], self.offsets[seg + 1]
        idx = expand_ranges(lo, hi)
        row_refs, ts = np.repeat(found, hi - lo), self._times(idx)
        keep = (ts >= mint) & (ts <= maxt)
        return row_refs[keep], ts[keep], self.v[idx][keep]

    def truncated(self, cut: int) -> SealedChunk | None:
        """This chunk without samples older than `cut` (None if nothing is left)."""
        if self.mint >= cut:
            return self
        if self.maxt < cut:
            return None
        refs, ts, vs = self.rows()
        keep = ts >= cut
        return SealedChunk(refs[keep], ts[keep], vs[keep])


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
    order = np.argsort(refs, kind="stable")
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

    def append(self, refs: I64, ts: I64, vs: F64) -> None:
        self.active.append(refs, ts, vs)
        if self.active.n >= self.seal_at:
            self.seal()

    def seal(self) -> None:
        if not self.active.n:
            return
        refs, ts, vs = sort_rows([self.active.view()])
        self.active = ActiveBuffer(min(self.seal_at, 1024))
        chunks = [*self.chunks, SealedChunk(refs, ts, vs)]
        while len(chunks) >= 2 and len(chunks[-2]) <= 2 * len(chunks[-1]) and len(chunks[-2]) < _MERGE_LIMIT:
            newer = chunks.pop()
            older = chunks.pop()
            chunks.append(SealedChunk(*sort_rows([older.rows(), newer.rows()])))
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
    parts = [p for p in parts if len(p[0])]
    if len(parts) == 1:
        return parts[0]
    return sort_rows(parts)
