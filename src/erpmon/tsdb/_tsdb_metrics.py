"""The TSDB's counters and the samples it exposes on erpmon's own /metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from erpmon.tsdb._block import Block
from erpmon.tsdb._head import INT64_MAX, INT64_MIN, Head
from erpmon.tsdb._stats import HeadStats, TSDBMetric, TSDBStatus, cardinality_status
from erpmon.tsdb._wal import WAL


@dataclass
class Counters:
    wal_corruptions: int = 0
    compactions: int = 0
    time_retentions: int = 0
    size_retentions: int = 0


def chunk_count(head: Head) -> int:
    """Per-series runs of samples: one per series per sealed chunk, plus the append buffer's."""
    chunks, (refs, _, _) = head.samples.snapshot()
    return sum(len(c.ref_keys) for c in chunks) + len(np.unique(refs))


def head_status(head: Head, limit: int) -> TSDBStatus:
    cards = head.postings.cardinalities()
    empty = head.mint == INT64_MAX
    stats = HeadStats(
        num_series=head.num_series(),
        num_label_pairs=sum(len(v) for v in cards.values()),
        chunk_count=chunk_count(head),
        min_time=0 if empty else head.mint,
        max_time=0 if head.maxt == INT64_MIN else head.maxt,
    )
    return cardinality_status(cards, stats, limit)


def collect_metrics(head: Head, blocks: Sequence[Block], counters: Counters, wal: WAL) -> list[TSDBMetric]:
    c = head.counters
    block_bytes = sum(b.size for b in blocks)
    return [
        TSDBMetric("erpmon_tsdb_head_series", "Series in the head.", "gauge", head.num_series()),
        TSDBMetric(
            "erpmon_tsdb_head_series_created_total",
            "Series created in the head.",
            "counter",
            c.series_created,
        ),
        TSDBMetric(
            "erpmon_tsdb_head_series_removed_total",
            "Series removed from the head.",
            "counter",
            c.series_removed,
        ),
        TSDBMetric(
            "erpmon_tsdb_head_samples_appended_total",
            "Samples appended to the head.",
            "counter",
            c.samples_appended,
        ),
        TSDBMetric(
            "erpmon_tsdb_head_samples", "Samples held in the head.", "gauge", head.samples.num_samples()
        ),
        TSDBMetric(
            "erpmon_tsdb_head_chunks", "Per-series sample runs in the head.", "gauge", chunk_count(head)
        ),
        TSDBMetric(
            "erpmon_tsdb_head_memory_bytes", "Bytes of head sample arrays.", "gauge", head.memory_bytes()
        ),
        TSDBMetric(
            "erpmon_tsdb_head_min_time",
            "Lowest timestamp in the head (ms).",
            "gauge",
            0 if head.mint == INT64_MAX else head.mint,
        ),
        TSDBMetric(
            "erpmon_tsdb_head_max_time",
            "Highest timestamp in the head (ms).",
            "gauge",
            0 if head.maxt == INT64_MIN else head.maxt,
        ),
        TSDBMetric(
            "erpmon_tsdb_out_of_order_samples_total",
            "Samples rejected as out of order.",
            "counter",
            c.out_of_order,
        ),
        TSDBMetric(
            "erpmon_tsdb_duplicate_samples_total",
            "Samples rejected for a known timestamp with a different value.",
            "counter",
            c.duplicate,
        ),
        TSDBMetric(
            "erpmon_tsdb_too_old_samples_total",
            "Samples rejected as older than the head accepts (out of bounds).",
            "counter",
            c.too_old,
        ),
        TSDBMetric(
            "erpmon_tsdb_wal_corruptions_total",
            "WAL corruptions repaired at start-up.",
            "counter",
            counters.wal_corruptions,
        ),
        TSDBMetric(
            "erpmon_tsdb_wal_truncations_total", "WAL truncations (checkpoints).", "counter", wal.truncations
        ),
        TSDBMetric(
            "erpmon_tsdb_wal_storage_size_bytes", "Bytes of WAL segments and checkpoint.", "gauge", wal.size()
        ),
        TSDBMetric(
            "erpmon_tsdb_compactions_total", "Head compactions into blocks.", "counter", counters.compactions
        ),
        TSDBMetric(
            "erpmon_tsdb_time_retentions_total",
            "Times blocks were deleted by time retention.",
            "counter",
            counters.time_retentions,
        ),
        TSDBMetric(
            "erpmon_tsdb_size_retentions_total",
            "Times blocks were deleted by size retention.",
            "counter",
            counters.size_retentions,
        ),
        TSDBMetric("erpmon_tsdb_blocks_loaded", "Blocks currently loaded.", "gauge", len(blocks)),
        TSDBMetric("erpmon_tsdb_storage_blocks_bytes", "Bytes of all loaded blocks.", "gauge", block_bytes),
    ]
