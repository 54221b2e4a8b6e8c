"""Writing blocks from given series, for `erpmon tsdb create-blocks-from openmetrics`.

Like promtool's backfill: the input's time span is cut into block-range windows aligned
to multiples of the range (2h by default), one block per window that holds samples; a
block's meta covers its samples' [min t, max t + 1). The TSDB picks the blocks up on open
or `reload_blocks()`; overlapping data is merged at query time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels
from erpmon.tsdb._block_meta import BlockMeta
from erpmon.tsdb._block_writer import persist_block
from erpmon.tsdb._chunks import F64, I64
from erpmon.tsdb._options import TSDBOptions

SeriesInput = tuple[Labels, npt.ArrayLike, npt.ArrayLike]


def _prepare(series: Iterable[SeriesInput]) -> tuple[list[Labels], I64, F64, I64]:
    """Group by labels, sort by time, drop exact repeats; conflicting repeats are errors."""
    grouped: dict[Labels, list[tuple[I64, F64]]] = {}
    for labels, ts, vs in series:
        t = np.asarray(ts, dtype=np.int64).reshape(-1)
        v = np.asarray(vs, dtype=np.float64).reshape(-1)
        if len(t) != len(v):
            raise ValueError(f"{labels}: {len(t)} timestamps but {len(v)} values")
        if not len(labels):
            raise ValueError("empty labelset")
        grouped.setdefault(labels, []).append((t, v))
    labels_out: list[Labels] = []
    ts_parts: list[I64] = []
    vs_parts: list[F64] = []
    for labels, parts in grouped.items():
        t = np.concatenate([p[0] for p in parts])
        v = np.concatenate([p[1] for p in parts])
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        same_t = t[1:] == t[:-1]
        if same_t.any():
            bits = v.view(np.uint64)
            clash = same_t & (bits[1:] != bits[:-1])
            if clash.any():
                at = int(t[1:][clash][0])
                raise ValueError(f"{labels}: different values for timestamp {at}")
            keep = np.concatenate([[True], ~same_t])
            t, v = t[keep], v[keep]
        if len(t):
            labels_out.append(labels)
            ts_parts.append(t)
            vs_parts.append(v)
    if not labels_out:
        return [], np.zeros(0, np.int64), np.zeros(0, np.float64), np.zeros(0, np.int64)
    counts = np.array([len(t) for t in ts_parts], dtype=np.int64)
    return labels_out, np.concatenate(ts_parts), np.concatenate(vs_parts), counts


def write_block(
    directory: str | os.PathLike[str],
    series: Iterable[SeriesInput],
    mint: int | None = None,
    maxt: int | None = None,
) -> BlockMeta | None:
    """Write one block holding the given samples in [mint, maxt); None if there are none.

    Without bounds the block covers the data: [min t, max t + 1).
    """
    labels, ts, vs, counts = _prepare(series)
    if mint is not None or maxt is not None:
        lo = np.iinfo(np.int64).min if mint is None else mint
        hi = np.iinfo(np.int64).max if maxt is None else maxt
        keep = (ts >= lo) & (ts < hi)
        sid = np.repeat(np.arange(len(labels)), counts)[keep]
        counts = np.bincount(sid, minlength=len(labels)).astype(np.int64)
        ts, vs = ts[keep], vs[keep]
    if not len(ts):
        return None
    lo_t = int(ts.min()) if mint is None else mint
    hi_t = int(ts.max()) + 1 if maxt is None else maxt
    return persist_block(Path(directory), labels, ts, vs, counts, lo_t, hi_t)


def create_blocks(
    directory: str | os.PathLike[str],
    series: Iterable[SeriesInput],
    block_range_ms: int = TSDBOptions.block_range_ms,
) -> list[BlockMeta]:
    """Write the series as blocks aligned to `block_range_ms` windows; returns their metas."""
    if block_range_ms <= 0:
        raise ValueError("block_range_ms must be positive")
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels, ts, vs, counts = _prepare(series)
    if not len(ts):
        return []
    start = (int(ts.min()) // block_range_ms) * block_range_ms
    window = (ts - start) // block_range_ms
    sid = np.repeat(np.arange(len(labels), dtype=np.int64), counts)
    # Rows are grouped by series and rise in time; a stable sort by window keeps that.
    order = np.argsort(window, kind="stable")
    window, sid, ts, vs = window[order], sid[order], ts[order], vs[order]
    cuts = np.flatnonzero(window[1:] != window[:-1]) + 1
    metas = []
    for lo, hi in zip(np.concatenate([[0], cuts]).tolist(), np.append(cuts, len(ts)).tolist(), strict=True):
        w_sid = sid[lo:hi]
        present = np.flatnonzero(np.bincount(w_sid, minlength=len(labels)))
        w_counts = np.bincount(w_sid, minlength=len(labels))[present].astype(np.int64)
        w_ts = ts[lo:hi]
        metas.append(
            persist_block(
                out_dir,
                [labels[i] for i in present.tolist()],
                w_ts,
                vs[lo:hi],
                w_counts,
                int(w_ts.min()),
                int(w_ts.max()) + 1,
            )
        )
    return metas
