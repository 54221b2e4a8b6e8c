"""Writing a block directory atomically: Parquet files into `<ulid>.tmp-for-creation`,
fsync, then rename to `<ulid>` (a crash leaves a tmp dir, removed at the next open)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from erpmon.model import Labels
from erpmon.tsdb._block_codec import F64, I64, Encoded, encode
from erpmon.tsdb._block_meta import META_FILE, SAMPLES_FILE, SERIES_FILE, TMP_CREATE, BlockMeta
from erpmon.tsdb._chunks import expand_ranges
from erpmon.tsdb._ulid import new_ulid
from erpmon.tsdb._wal import fsync_dir

SAMPLES_ROW_GROUP = 1 << 18
_COMPRESSION_LEVEL = 3


def persist_block(
    parent: Path,
    labels: Sequence[Labels],
    ts: I64,
    vs: F64,
    counts: I64,
    min_time: int,
    max_time: int,
) -> BlockMeta:
    """Persist series `labels[i]` with the next `counts[i]` rows of (ts, vs), times rising.

    Series are stored sorted by labels; rows are reordered to match, vectorised.
    """
    if len(labels) != len(counts):
        raise ValueError("one count per series is required")
    keep = counts > 0
    if not keep.all():
        labels = [lb for lb, k in zip(labels, keep.tolist(), strict=True) if k]
        counts = counts[keep]
    order = sorted(range(len(labels)), key=labels.__getitem__)
    if order != list(range(len(labels))):
        starts = np.cumsum(counts) - counts
        idx = np.asarray(order, dtype=np.int64)
        rows = expand_ranges(starts[idx], starts[idx] + counts[idx])
        ts, vs, counts = ts[rows], vs[rows], counts[idx]
        labels = [labels[i] for i in order]
    for i in range(1, len(labels)):
        if labels[i] == labels[i - 1]:
            raise ValueError(f"series {labels[i]} given twice")
    ulid = new_ulid()
    meta = BlockMeta(ulid, min_time, max_time, len(ts), len(labels))
    tmp = parent / (ulid + TMP_CREATE)
    tmp.mkdir(parents=True)
    try:
        enc = encode(ts, vs, counts)
        _write_series(tmp / SERIES_FILE, labels, ts, counts, enc)
        _write_samples(tmp / SAMPLES_FILE, enc)
        (tmp / META_FILE).write_text(json.dumps(meta.to_json(), indent=2))
        for name in (SERIES_FILE, SAMPLES_FILE, META_FILE):
            _fsync_file(tmp / name)
        fsync_dir(tmp)
        os.rename(tmp, parent / ulid)
        fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_series(path: Path, labels: Sequence[Labels], ts: I64, counts: I64, enc: Encoded) -> None:
    ends = np.cumsum(counts) - 1
    table = pa.table(
        {
            "names": pa.array([[n for n, _ in lb.pairs] for lb in labels], type=pa.list_(pa.string())),
            "values": pa.array([[v for _, v in lb.pairs] for lb in labels], type=pa.list_(pa.string())),
            "count": pa.array(counts, type=pa.int64()),
            "min_t": pa.array(enc.first_t, type=pa.int64()),
            "max_t": pa.array(ts[ends] if len(ts) else np.zeros(0, np.int64), type=pa.int64()),
            "first_v": pa.array(enc.first_v, type=pa.int64()),
            "scale": pa.array(enc.scale, type=pa.int8()),
        }
    )
    pq.write_table(table, path, compression="zstd", compression_level=_COMPRESSION_LEVEL)


def _write_samples(path: Path, enc: Encoded) -> None:
    table = pa.table(
        {
            "dt": pa.array(enc.dt, type=pa.int64()),
            "dv": pa.array(enc.dv, type=pa.int64()),
            "vx": pa.array(enc.vx, type=pa.int64(), mask=~enc.vx_valid),
        }
    )
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=_COMPRESSION_LEVEL,
        use_dictionary=False,
        column_encoding={"dt": "BYTE_STREAM_SPLIT", "dv": "DELTA_BINARY_PACKED", "vx": "PLAIN"},
        row_group_size=SAMPLES_ROW_GROUP,
        write_statistics=False,
    )
