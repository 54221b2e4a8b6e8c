"""`erpmon tsdb create-blocks-from openmetrics`: promtool's backfill, writing Parquet blocks."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

from erpmon.exposition import NO_TIMESTAMP, ParseError, parse_openmetrics
from erpmon.model import format_go_duration
from erpmon.storage import Series
from erpmon.tsdb import BlockMeta, create_blocks

BLOCK_MS = 2 * 3600 * 1000


class BackfillError(ValueError):
    pass


def series_from_openmetrics(data: bytes, block_ms: int = BLOCK_MS) -> list[Series]:
    """Group an OpenMetrics file's samples by series the way promtool's backfill keeps them.

    promtool reads the file once per 2 h window, appending that window's samples in file order to
    a fresh head: within a (series, window) a sample not newer than every earlier one (out of
    order, or a repeated timestamp) is silently dropped at commit. We keep exactly those samples.
    """
    try:
        parsed = parse_openmetrics(data)
    except ParseError as err:
        raise BackfillError(f"getting min and max timestamp: next: {err}") from err
    keys = parsed.keys
    if not keys:
        return []
    ts_all = parsed.timestamps
    missing = np.flatnonzero(ts_all == NO_TIMESTAMP)
    if missing.size:
        raise BackfillError(
            f"getting min and max timestamp: expected timestamp for series got none ({keys[missing[0]]})"
        )
    index: dict[str, int] = {}
    ids = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys))
    window = ts_all // block_ms
    order = np.lexsort((window, ids))  # stable: file order within each (series, window)
    ids, window, ts, vs = ids[order], window[order], ts_all[order], parsed.values[order]
    n = len(ts)
    group_start = np.concatenate(([True], (ids[1:] != ids[:-1]) | (window[1:] != window[:-1])))
    # Keep a sample iff it is newer than every earlier one of its group. Dense time ranks (ties
    # equal) offset by group number make one running maximum serve all groups at once.
    _, rank = np.unique(ts, return_inverse=True)
    shifted = rank.astype(np.int64) + (np.cumsum(group_start) - 1) * n
    prev_max = np.maximum.accumulate(np.concatenate(([-1], shifted[:-1])))
    keep = shifted > prev_max
    ids, ts, vs = ids[keep], ts[keep], vs[keep]
    # Order each series by time across windows.
    order = np.lexsort((ts, ids))
    ids, ts, vs = ids[order], ts[order], vs[order]
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    ends = np.append(starts[1:], len(ids))
    by_id = {i: parsed.labels[k] for k, i in index.items()}
    return [Series(by_id[int(ids[s])], ts[s:e], vs[s:e]) for s, e in zip(starts, ends, strict=True)]


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def backfill_openmetrics(input_path: str, output_dir: str, *, quiet: bool, human: bool) -> int:
    try:
        series = series_from_openmetrics(Path(input_path).read_bytes())
    except BackfillError as err:
        print(err, file=sys.stderr)
        return 1
    metas = create_blocks(output_dir, ((s.labels, s.timestamps, s.values) for s in series))
    if not quiet:
        print_blocks(metas, Path(output_dir), human)
    return 0


def print_blocks(metas: list[BlockMeta], directory: Path, human: bool) -> None:
    rows = [["BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM SERIES", "SIZE"]]
    for m in metas:
        size = _dir_size(directory / m.ulid)
        rows.append(
            [
                m.ulid,
                _time(m.min_time, human),
                _time(m.max_time, human),
                format_go_duration(m.max_time - m.min_time),
                str(m.num_samples),
                str(m.num_series),
                _bytes(size, human),
            ]
        )
    widths = [max(13, *(len(r[i]) for r in rows)) + 2 for i in range(len(rows[0]))]
    for r in rows:
        print("".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def _time(ms: int, human: bool) -> str:
    if not human:
        return str(ms)
    return dt.datetime.fromtimestamp(ms // 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def _bytes(n: int, human: bool) -> str:
    if not human:
        return str(n)
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.0f}{unit}"
        size /= 1024
    return f"{size:.0f}TiB"
