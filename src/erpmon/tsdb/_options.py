"""Tunables of the embedded TSDB, with Prometheus's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

FsyncPolicy = Literal["always", "interval", "never"]


@dataclass(frozen=True)
class TSDBOptions:
    """How long to keep data, how big blocks are, and how hard the WAL tries to reach the disk.

    `retention_ms` and `retention_bytes` mirror `--storage.tsdb.retention.time` / `.size`
    (0 turns a limit off); `block_range_ms` is the head's chunk range, so a head block is
    cut once the head spans 1.5 x this. `wal_fsync`: "always" fsyncs on every commit,
    "interval" at most every `wal_fsync_interval_ms` (checked at commit and by `TSDB.sync`),
    "never" leaves it to the OS (data still survives a process crash, not a power loss).
    """

    retention_ms: int = 15 * DAY_MS
    retention_bytes: int = 0
    block_range_ms: int = 2 * HOUR_MS
    wal_fsync: FsyncPolicy = "interval"
    wal_fsync_interval_ms: int = 1000
    wal_segment_bytes: int = 128 * 1024 * 1024
    # Samples in the head's unsorted append buffer before it is sorted into a chunk.
    head_chunk_samples: int = 65536

    def __post_init__(self) -> None:
        if self.block_range_ms <= 0:
            raise ValueError("block_range_ms must be positive")
        if self.retention_ms < 0 or self.retention_bytes < 0:
            raise ValueError("retention limits must be >= 0")
        if self.wal_fsync not in ("always", "interval", "never"):
            raise ValueError(f"wal_fsync must be always, interval or never, not {self.wal_fsync!r}")
        if self.wal_segment_bytes < 4096:
            raise ValueError("wal_segment_bytes must be at least 4096")
        if self.head_chunk_samples < 16:
            raise ValueError("head_chunk_samples must be at least 16")
