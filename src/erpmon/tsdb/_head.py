"""The head: in-memory series (labels <-> refs, postings) and their recent samples.

Per-series state lives in ref-indexed numpy arrays (newest t, newest value bits, state), so
a commit is judged and applied with array operations; Python objects are made only when a
series is created. The head's lock guards every mutation; see `erpmon.tsdb._db`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels, Matcher
from erpmon.storage import AppendStats
from erpmon.tsdb._chunks import (
    I64,
    Rows,
    SampleStore,
    SealedChunk,
    Snapshot,
    gather,
    sort_rows,
)
from erpmon.tsdb._errors import UnknownSeriesRefError
from erpmon.tsdb._postings import MemPostings, select_ids
from erpmon.tsdb._validate import ACCEPTED, DUPLICATE, OUT_OF_ORDER, TOO_OLD, judge

INT64_MIN = int(np.iinfo(np.int64).min)
INT64_MAX = int(np.iinfo(np.int64).max)

_T = TypeVar("_T", bound=np.generic)

_GONE, _PENDING, _LIVE = 0, 1, 2
_GRAVEYARD_MIN = 1 << 16  # series state: collected, created by ref() only, committed

SeriesData = tuple[Labels, I64, npt.NDArray[np.float64]]
WalLogger = Callable[[list[tuple[int, Labels]], Rows], None]


@dataclass
class HeadCounters:
    samples_appended: int = 0
    out_of_order: int = 0
    duplicate: int = 0
    too_old: int = 0
    series_created: int = 0
    series_removed: int = 0


class Head:
    def __init__(self, chunk_range: int, seal_at: int) -> None:
        self.lock = threading.RLock()
        self.chunk_range = chunk_range
        self.samples = SampleStore(seal_at)
        self.postings = MemPostings()
        self.counters = HeadCounters()
        self.min_valid_time = INT64_MIN  # max time of the newest block: older samples are too old
        self.mint, self.maxt = INT64_MAX, INT64_MIN
        self._labels: list[Labels | None] = [None]  # index = ref; ref 0 means "unknown"
        self._refs: dict[Labels, int] = {}
        # Collected refs -> labels, so refs callers cached (scrape caches) stay usable.
        self._graveyard: dict[int, Labels] = {}
        cap = 1024
        self.last_t: I64 = np.full(cap, INT64_MIN, dtype=np.int64)
        self.last_bits: npt.NDArray[np.uint64] = np.zeros(cap, dtype=np.uint64)
        self.state: npt.NDArray[np.int8] = np.zeros(cap, dtype=np.int8)
        self._scratch: I64 = np.zeros(cap, dtype=np.int64)
        self._readers = 0
        self._gc_due: int | None = None

    # -- series --------------------------------------------------------------------------
    @property
    def next_ref(self) -> int:
        return len(self._labels)

    def num_series(self) -> int:
        return len(self.postings.all_ids())

    def get_or_create(self, labels: Labels) -> int:
        ref = self._refs.get(labels)
        if ref is not None:
            return ref
        ref = len(self._labels)
        self._labels.append(labels)
        self._refs[labels] = ref
        self._grow(ref + 1)
        self.state[ref] = _PENDING
        return ref

    def labels_of(self, ref: int) -> Labels | None:
        if 0 < ref < len(self._labels):
            return self._labels[ref] or self._graveyard.get(ref)
        return None

    def _grow(self, need: int) -> None:
        cap = len(self.state)
        if need <= cap:
            return
        while cap < need:
            cap *= 2
        self.last_t = _grown(self.last_t, cap, INT64_MIN)
        self.last_bits = _grown(self.last_bits, cap, 0)
        self.state = _grown(self.state, cap, _GONE)
        self._scratch = np.zeros(cap, dtype=np.int64)

    def check_refs(self, refs: I64) -> None:
        """Raise unless every ref is live, pending or recently collected (revivable)."""
        if not len(refs):
            return
        lo, hi = int(refs.min()), int(refs.max())
        if lo <= 0 or hi >= len(self._labels):
            raise UnknownSeriesRefError(f"series ref out of range [1, {len(self._labels)}): {lo}..{hi}")
        gone = self.state[refs] == _GONE
        if not gone.any():
            return
        missing = [int(r) for r in np.unique(refs[gone]) if int(r) not in self._graveyard]
        if missing:
            raise UnknownSeriesRefError(f"unknown series refs (collected long ago?): {missing[:5]}")

    def _revive(self, refs: I64) -> I64:
        """Bring back series collected since their refs were handed out.

        A collected ref is revived in place (same ref, so a caller's cache stays good)
        unless its labels got a new ref meanwhile; then its samples move to that one.
        """
        gone = self.state[refs] == _GONE
        if not gone.any():
            return refs
        self.check_refs(refs)
        for old in np.unique(refs[gone]).tolist():
            labels = self._graveyard[old]
            live = self._refs.get(labels)
            if live is None:
                del self._graveyard[old]
                self._labels[old] = labels
                self._refs[labels] = old
                self.state[old] = _PENDING
            else:
                refs = np.where(refs == old, live, refs)
        return refs

    # -- appending -----------------------------------------------------------------------
    def appendable_min_valid(self) -> int:
        """Prometheus's lower bound: behind the newest block and at most half a block range
        behind the head's newest sample, so appends never land in a compacting window."""
        if self.maxt == INT64_MIN:
            return self.min_valid_time
        return max(self.maxt - self.chunk_range // 2, self.min_valid_time)

    def commit(self, refs: I64, ts: I64, vs: npt.NDArray[np.float64], wal_log: WalLogger) -> AppendStats:
        """Judge, log and apply one batch. If `wal_log` raises, nothing is applied."""
        n = len(refs)
        if not n:
            return AppendStats()
        refs = self._revive(refs)
        bits = vs.view(np.uint64)
        order = np.arange(n, dtype=np.int64)
        self._scratch[refs] = order
        unique = bool(np.array_equal(self._scratch[refs], order))
        verdict = judge(
            refs, ts, bits, self.last_t[refs], self.last_bits[refs], self.appendable_min_valid(), unique
        )
        counts = verdict.counts()
        if counts[ACCEPTED] == n:
            acc: Rows = (refs, ts, vs)
        else:
            ok = verdict.status == ACCEPTED
            acc = (refs[ok], ts[ok], vs[ok])
        pending = self.state[acc[0]] == _PENDING
        fresh_refs = np.unique(acc[0][pending]) if pending.any() else acc[0][:0]
        fresh = [(int(r), self._labels[int(r)]) for r in fresh_refs]
        if len(acc[0]):
            wal_log([(r, lb) for r, lb in fresh if lb is not None], acc)
        self._apply(acc, fresh_refs, verdict.last_refs, verdict.last_t, verdict.last_bits)
        c = self.counters
        c.out_of_order += int(counts[OUT_OF_ORDER])
        c.duplicate += int(counts[DUPLICATE])
        c.too_old += int(counts[TOO_OLD])
        return AppendStats(
            appended=int(counts[ACCEPTED]),
            out_of_order=int(counts[OUT_OF_ORDER]),
            duplicate=int(counts[DUPLICATE]),
            too_old=int(counts[TOO_OLD]),
            new_series=len(fresh),
        )

    def _apply(
        self, acc: Rows, fresh: I64, last_refs: I64, last_t: I64, last_bits: npt.NDArray[np.uint64]
    ) -> None:
        for ref in fresh.tolist():
            labels = self._labels[ref]
            assert labels is not None
            self.postings.add(ref, labels.pairs)
        self.state[fresh] = _LIVE
        self.counters.series_created += len(fresh)
        if not len(acc[0]):
            return
        self.samples.append(*acc, n_series=len(self._refs))
        self.last_t[last_refs] = last_t
        self.last_bits[last_refs] = last_bits
        self.mint = min(self.mint, int(acc[1].min()))
        self.maxt = max(self.maxt, int(acc[1].max()))
        self.counters.samples_appended += len(acc[0])

    # -- replay --------------------------------------------------------------------------
    def load_series(self, ref: int, labels: Labels, remap: dict[int, int]) -> None:
        """Recreate a series from the WAL; a second ref for known labels is remapped."""
        known = self._refs.get(labels)
        if known is not None and known != ref:
            remap[ref] = known
            return
        if ref >= len(self._labels):
            self._labels.extend([None] * (ref + 1 - len(self._labels)))
            self._grow(ref + 1)
        self._labels[ref] = labels
        self._refs[labels] = ref
        if self.state[ref] != _LIVE:
            self.state[ref] = _LIVE
            self.postings.add(ref, labels.pairs)

    def load_samples(self, parts: list[Rows], remap: dict[int, int]) -> int:
        """Bulk-load replayed samples (oldest first); returns how many were dropped."""
        refs, ts, vs = (np.concatenate([p[i] for p in parts]) for i in range(3)) if parts else sort_rows([])
        total = len(refs)
        if remap:
            lut = np.arange(max(len(self._labels), max(remap) + 1), dtype=np.int64)
            lut[list(remap)] = list(remap.values())
            refs = np.where(refs < len(lut), lut[np.minimum(refs, len(lut) - 1)], refs)
        known = (refs > 0) & (refs < len(self._labels))
        known[known] = self.state[refs[known]] == _LIVE
        keep = known & (ts >= self.min_valid_time)
        refs, ts, vs = sort_rows([(refs[keep], ts[keep], vs[keep])])
        # The WAL only holds accepted samples, so times rise per series; re-judge if not.
        if len(refs) > 1:
            same = refs[1:] == refs[:-1]
            if (same & (ts[1:] <= ts[:-1])).any():
                verdict = judge(
                    refs, ts, vs.view(np.uint64), self.last_t[refs], self.last_bits[refs], INT64_MIN, False
                )
                ok = verdict.status == ACCEPTED
                refs, ts, vs = refs[ok], ts[ok], vs[ok]
        if len(refs):
            last = np.ones(len(refs), dtype=bool)
            last[:-1] = refs[1:] != refs[:-1]
            self.last_t[refs[last]] = ts[last]
            self.last_bits[refs[last]] = vs[last].view(np.uint64)
            self.samples.chunks = (*self.samples.chunks, SealedChunk.from_rows(refs, ts, vs))
            self.mint = min(self.mint, int(ts.min()))
            self.maxt = max(self.maxt, int(ts.max()))
        return total - len(refs)

    # -- reading -------------------------------------------------------------------------
    def open_reader(self) -> Snapshot:
        """Pin the head's current samples for a querier; `close_reader` when done.

        Samples are never rewritten in place, so the snapshot outlives truncation; series
        collection waits until no reader older than it is open, as their labels must stay.
        """
        with self.lock:
            self._readers += 1
            return self.samples.snapshot()

    def close_reader(self) -> None:
        with self.lock:
            self._readers -= 1
            if not self._readers and self._gc_due is not None:
                self._collect(self._gc_due)

    def select(
        self, matchers: Sequence[Matcher], mint: int, maxt: int, snap: Snapshot | None = None
    ) -> list[SeriesData]:
        with self.lock:
            ids = select_ids(self.postings, matchers)
            if snap is None:
                snap = self.samples.snapshot()
        refs, ts, vs = gather(snap, ids, mint, maxt)
        if not len(refs):
            return []
        bounds = np.flatnonzero(np.concatenate([[True], refs[1:] != refs[:-1], [True]])).tolist()
        with self.lock:
            labels = [self.labels_of(r) for r in refs[bounds[:-1]].tolist()]
        return [
            (lb, ts[a:b], vs[a:b])
            for lb, a, b in zip(labels, bounds[:-1], bounds[1:], strict=True)
            if lb is not None
        ]

    def series_labels(self, matchers: Sequence[Matcher]) -> list[Labels]:
        with self.lock:
            ids = select_ids(self.postings, matchers)
            return [lb for lb in (self._labels[i] for i in ids.tolist()) if lb is not None]

    # -- truncation ----------------------------------------------------------------------
    def truncate(self, cut: int) -> None:
        """Drop samples older than `cut`, then (now or once readers close) series left empty."""
        self.min_valid_time = max(self.min_valid_time, cut)
        self.samples.truncate(cut)
        bounds = self.samples.time_range()
        self.mint, self.maxt = bounds if bounds else (INT64_MAX, self.maxt)
        if self._readers:
            self._gc_due = cut
        else:
            self._collect(cut)

    def _collect(self, cut: int) -> None:
        self._gc_due = None
        n = len(self._labels)
        dead = np.flatnonzero((self.state[:n] != _GONE) & (self.last_t[:n] < cut))
        dead_live = dead[self.state[dead] == _LIVE]
        pairs = []
        for i in dead_live.tolist():
            labels = self._labels[i]
            assert labels is not None
            pairs.append(labels.pairs)
        self.postings.remove(dead_live, pairs)
        graveyard = self._graveyard
        for ref in dead.tolist():
            labels = self._labels[ref]
            assert labels is not None
            graveyard[ref] = labels
            del self._refs[labels]
            self._labels[ref] = None
        # Bounded: the oldest collected refs are forgotten first (dicts keep insertion order).
        excess = len(graveyard) - max(_GRAVEYARD_MIN, len(self._refs))
        for ref in list(itertools.islice(graveyard, max(excess, 0))):
            del graveyard[ref]
        self.state[dead] = _GONE
        self.last_t[dead] = INT64_MIN
        self.counters.series_removed += len(dead)

    def live_series(self) -> list[tuple[int, Labels]]:
        ids = self.postings.all_ids().tolist()
        return [(i, lb) for i, lb in ((i, self._labels[i]) for i in ids) if lb is not None]

    def memory_bytes(self) -> int:
        return self.samples.nbytes() + self.last_t.nbytes + self.last_bits.nbytes + self.state.nbytes


def _grown(arr: npt.NDArray[_T], cap: int, fill: int) -> npt.NDArray[_T]:
    out: npt.NDArray[_T] = np.full(cap, fill, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out
