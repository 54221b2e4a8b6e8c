"""Reading a persisted block: its index on first use, samples by row groups on demand.

A block is reference counted by queriers, so retention can drop it while a query still
reads: the directory is removed when the last reader lets go (Prometheus does the same).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from erpmon.model import Labels, Matcher
from erpmon.tsdb._block_cache import Decoded, DecodedCache
from erpmon.tsdb._block_codec import decode
from erpmon.tsdb._block_index import BlockIndex
from erpmon.tsdb._block_meta import SAMPLES_FILE, SERIES_FILE, TMP_DELETE, BlockMeta
from erpmon.tsdb._chunks import F64, I64, expand_ranges
from erpmon.tsdb._head import SeriesData
from erpmon.tsdb._postings import select_ids

# Labels, timestamps, values and offsets (n + 1) of series concatenated in label order.
FlatSeries = tuple[list[Labels], I64, F64, I64]
_ALL = int(np.iinfo(np.int64).min)  # a decoded selection that holds every sample of its series


class Block:
    def __init__(self, path: Path, cache: DecodedCache | None = None) -> None:
        self.path = path
        self._cache = cache
        self.meta = BlockMeta.read(path)
        self.size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        self._lock = threading.Lock()
        self._index: BlockIndex | None = None
        self._readers = 0
        self._doomed = False
        self._count: I64 = np.zeros(0, np.int64)
        self._row_start: I64 = np.zeros(0, np.int64)
        self._min_t: I64 = np.zeros(0, np.int64)
        self._max_t: I64 = np.zeros(0, np.int64)
        self._first_v: I64 = np.zeros(0, np.int64)
        self._scale = np.zeros(0, np.int8)
        self._rg_start: I64 = np.zeros(0, np.int64)

    # -- lifetime ------------------------------------------------------------------------
    def acquire(self) -> None:
        with self._lock:
            self._readers += 1

    def release(self) -> None:
        with self._lock:
            self._readers -= 1
            remove = self._doomed and self._readers == 0
        if remove:
            self._remove()

    def delete(self) -> None:
        """Delete the directory now, or when the last reader releases the block."""
        with self._lock:
            self._doomed = True
            remove = self._readers == 0
        if remove:
            self._remove()

    def _remove(self) -> None:
        if self._cache is not None:
            self._cache.drop_block(str(self.path))
        doomed = self.path.with_name(self.path.name + TMP_DELETE)
        if self.path.exists():
            self.path.rename(doomed)
        shutil.rmtree(doomed, ignore_errors=True)

    # -- index ---------------------------------------------------------------------------
    @property
    def index(self) -> BlockIndex:
        with self._lock:
            if self._index is None:
                self._load_index()
            assert self._index is not None
            return self._index

    def _load_index(self) -> None:
        table = pq.read_table(self.path / SERIES_FILE)
        self._count = table.column("count").to_numpy()
        self._row_start = np.cumsum(self._count) - self._count
        self._min_t = table.column("min_t").to_numpy()
        self._max_t = table.column("max_t").to_numpy()
        self._first_v = table.column("first_v").to_numpy()
        self._scale = table.column("scale").to_numpy()
        meta = pq.ParquetFile(self.path / SAMPLES_FILE).metadata
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        self._rg_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._index = BlockIndex(
            table.column("names").combine_chunks(), table.column("values").combine_chunks()
        )

    # -- reading -------------------------------------------------------------------------
    def select(self, matchers: Sequence[Matcher], mint: int, maxt: int) -> list[SeriesData]:
        flat = self.select_flat(matchers, mint, maxt)
        if flat is None:
            return []
        labels, ts, vs, offsets = flat
        cuts = offsets.tolist()
        return [(lb, ts[a:b], vs[a:b]) for lb, a, b in zip(labels, cuts[:-1], cuts[1:], strict=True)]

    def select_flat(self, matchers: Sequence[Matcher], mint: int, maxt: int) -> FlatSeries | None:
        """The matching series' samples in [mint, maxt], concatenated in label order: series k owns
        ts/vs[offsets[k]:offsets[k + 1]] (none empty); None when there are none."""
        index = self.index
        ids = select_ids(index, matchers)
        ids = ids[(self._min_t[ids] <= maxt) & (self._max_t[ids] >= mint)]
        if not len(ids):
            return None
        found = self._read(ids, mint)
        sid = np.repeat(ids, found.counts)
        ts, vs = found.ts, found.vs
        keep = (ts >= mint) & (ts <= maxt)
        if not keep.all():
            sid, ts, vs = sid[keep], ts[keep], vs[keep]
        if not len(sid):
            return None
        bounds = np.flatnonzero(np.concatenate([[True], sid[1:] != sid[:-1], [True]]))
        return index.labels(sid[bounds[:-1]]), ts, vs, bounds.astype(np.int64)

    def _read(self, ids: I64, mint: int) -> Decoded:
        """Every sample from `mint` on of the given series (sorted ids), from the cache or decoded."""
        if self._cache is None:
            ts, vs = self._decode(ids)
            return Decoded(_ALL, ts, vs, self._count[ids])
        found = self._cache.get(str(self.path), ids, mint)
        if found is not None:
            return found
        ts, vs = self._decode(ids)
        counts = self._count[ids]
        if int(self._min_t[ids].min()) >= mint:
            entry = Decoded(_ALL, ts, vs, counts)
        else:  # keep the window's start on: what this and later (rule) windows read
            keep = ts >= mint
            local = np.repeat(np.arange(len(ids)), counts)
            kept = np.bincount(local[keep], minlength=len(ids)).astype(np.int64)
            entry = Decoded(mint, ts[keep], vs[keep], kept)
        self._cache.put(str(self.path), ids, entry)
        return entry

    def _decode(self, ids: I64) -> tuple[I64, F64]:
        """Decode every sample of the given series (sorted ids), reading only their row groups."""
        starts, counts = self._row_start[ids], self._count[ids]
        rg_lo = np.searchsorted(self._rg_start, starts, "right") - 1
        rg_hi = np.searchsorted(self._rg_start, starts + counts - 1, "right") - 1
        groups = np.unique(expand_ranges(rg_lo, rg_hi + 1))
        table = pq.ParquetFile(self.path / SAMPLES_FILE, memory_map=True).read_row_groups(groups.tolist())
        sizes = np.diff(self._rg_start)[groups]
        local_base = np.cumsum(sizes) - sizes  # where each read group starts in `table`
        slot = np.searchsorted(groups, rg_lo)
        local = starts - self._rg_start[rg_lo] + local_base[slot]
        if int(counts.sum()) == table.num_rows:
            rows: I64 | slice = slice(None)  # every row read is wanted: skip the gather
        else:
            rows = expand_ranges(local, local + counts)
        dt = table.column("dt").to_numpy()[rows]
        dv = table.column("dv").to_numpy()[rows]
        vx_col = table.column("vx")
        if vx_col.null_count == len(vx_col):
            vx = np.zeros(len(dt), dtype=np.int64)
            vx_valid = np.zeros(len(dt), dtype=bool)
        else:
            vx_valid = vx_col.is_valid().to_numpy(zero_copy_only=False)[rows]
            vx = vx_col.fill_null(0).to_numpy()[rows]
        return decode(dt, dv, vx, vx_valid, counts, self._min_t[ids], self._first_v[ids], self._scale[ids])

    def label_names(self, matchers: Sequence[Matcher]) -> set[str]:
        if not matchers:
            return set(self.index.label_names())
        return {n for lb in self.series_labels(matchers) for n in lb.names()}

    def series_labels(self, matchers: Sequence[Matcher]) -> list[Labels]:
        index = self.index
        return index.labels(select_ids(index, matchers))
