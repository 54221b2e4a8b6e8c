"""Queries over blocks and the head, merged per series and deduplicated by timestamp."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from erpmon.model import Labels, Matcher
from erpmon.storage import Series
from erpmon.tsdb._block import Block, FlatSeries
from erpmon.tsdb._chunks import F64, I64, Snapshot
from erpmon.tsdb._errors import ClosedError
from erpmon.tsdb._head import Head, SeriesData


def merge_parts(parts: list[tuple[I64, F64]]) -> tuple[I64, F64]:
    """One series' samples from several sources, sorted by time, one sample per timestamp.

    Sources come oldest block first, head last; on equal timestamps the first wins. Parts
    that do not overlap in time (the usual case) are just concatenated.
    """
    parts = [p for p in parts if len(p[0])]
    if len(parts) <= 1:
        return parts[0] if parts else (np.zeros(0, np.int64), np.zeros(0, np.float64))
    by_start = sorted(parts, key=lambda p: int(p[0][0]))
    if all(int(a[0][-1]) < int(b[0][0]) for a, b in itertools.pairwise(by_start)):
        return np.concatenate([p[0] for p in by_start]), np.concatenate([p[1] for p in by_start])
    ts = np.concatenate([p[0] for p in parts])
    vs = np.concatenate([p[1] for p in parts])
    order = np.argsort(ts, kind="stable")
    ts, vs = ts[order], vs[order]
    keep = np.ones(len(ts), dtype=bool)
    keep[1:] = ts[1:] != ts[:-1]
    return ts[keep], vs[keep]


def _pairs(labels: Labels) -> tuple[tuple[str, str], ...]:
    return labels.pairs  # tuples compare in C; Labels.__lt__ would be a Python call per comparison


class TSDBQuerier:
    """A `storage.Querier` over the blocks overlapping [mint, maxt] and the head."""

    def __init__(
        self,
        head: Head,
        snapshot: Snapshot,
        blocks: Sequence[Block],
        mint: int,
        maxt: int,
        on_close: Callable[[], None],
    ) -> None:
        self.mint = mint
        self.maxt = maxt
        self._head = head
        self._snapshot = snapshot
        self._blocks = list(blocks)
        self._on_close: Callable[[], None] | None = on_close

    def _check(self) -> None:
        if self._on_close is None:
            raise ClosedError("querier is closed")

    def select(self, matchers: Sequence[Matcher]) -> list[Series]:
        self._check()
        block_results = [r for r in (b.select(matchers, self.mint, self.maxt) for b in self._blocks) if r]
        head_result = self._head.select(matchers, self.mint, self.maxt, self._snapshot)
        if not head_result and len(block_results) == 1:
            # One block alone stores its series sorted by labels: nothing to merge or sort.
            return [Series(labels, ts, vs) for labels, ts, vs in block_results[0] if ts.shape[0]]
        return self._merged([*block_results, head_result])

    def select_flat(self, matchers: Sequence[Matcher]) -> FlatSeries:
        """`select` with the series concatenated (what the PromQL engine reads): series k owns
        ts/vs[offsets[k]:offsets[k + 1]]. One block alone (a rule's window over persisted data)
        is handed on as read, without an object per series."""
        self._check()
        flats = [
            f for f in (b.select_flat(matchers, self.mint, self.maxt) for b in self._blocks) if f is not None
        ]
        head_result = self._head.select(matchers, self.mint, self.maxt, self._snapshot)
        if not head_result and len(flats) == 1:
            return flats[0]
        sources: list[list[SeriesData]] = []
        for labels, ts, vs, offsets in flats:
            cuts = offsets.tolist()
            sources.append(
                [(lb, ts[a:b], vs[a:b]) for lb, a, b in zip(labels, cuts[:-1], cuts[1:], strict=True)]
            )
        series = self._merged([*sources, head_result])
        counts = np.fromiter((s.timestamps.shape[0] for s in series), dtype=np.int64, count=len(series))
        offsets = np.zeros(len(series) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        if not series:
            return [], np.zeros(0, np.int64), np.zeros(0, np.float64), offsets
        ts = np.concatenate([s.timestamps for s in series])
        vs = np.concatenate([s.values for s in series])
        return [s.labels for s in series], ts, vs, offsets

    def _merged(self, sources: list[list[SeriesData]]) -> list[Series]:
        found: dict[Labels, list[tuple[I64, F64]]] = {}
        for source in sources:
            for labels, ts, vs in source:
                found.setdefault(labels, []).append((ts, vs))
        out = []
        for labels in sorted(found, key=_pairs):
            parts = found[labels]
            # Most series live in one block or only in the head: nothing to merge.
            ts, vs = parts[0] if len(parts) == 1 else merge_parts(parts)
            if ts.shape[0]:
                out.append(Series(labels, ts, vs))
        return out

    def _series_labels(self, matchers: Sequence[Matcher]) -> list[Labels]:
        labels = self._head.series_labels(matchers)
        for block in self._blocks:
            labels.extend(block.series_labels(matchers))
        return labels

    def label_names(self, matchers: Sequence[Matcher] = ()) -> list[str]:
        self._check()
        if matchers:
            return sorted({n for lb in self._series_labels(matchers) for n in lb.names()})
        with self._head.lock:
            names = set(self._head.postings.label_names())
        for block in self._blocks:
            names.update(block.index.label_names())
        return sorted(names)

    def label_values(self, name: str, matchers: Sequence[Matcher] = ()) -> list[str]:
        self._check()
        if matchers:
            values = {lb.get(name) for lb in self._series_labels(matchers)}
            values.discard("")
            return sorted(values)
        with self._head.lock:
            found = set(self._head.postings.values_of(name))
        for block in self._blocks:
            found.update(block.index.values_of(name))
        return sorted(found)

    def close(self) -> None:
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()

    def __enter__(self) -> TSDBQuerier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
