"""Which blocks retention deletes: Prometheus's BeyondTimeRetention / BeyondSizeRetention."""

from __future__ import annotations

from collections.abc import Sequence

from erpmon.tsdb._block import Block


def _newest_first(blocks: Sequence[Block]) -> list[Block]:
    return sorted(blocks, key=lambda b: b.meta.max_time, reverse=True)


def beyond_time_retention(blocks: Sequence[Block], retention_ms: int) -> set[str]:
    """Blocks whose max time is `retention_ms` or more behind the newest block's max time.

    Relative to the newest data, not the wall clock, so a restored or idle store keeps
    its data; the newest block itself is never deleted by time.
    """
    if not blocks or retention_ms <= 0:
        return set()
    ordered = _newest_first(blocks)
    newest = ordered[0].meta.max_time
    for i, block in enumerate(ordered):
        if i > 0 and newest - block.meta.max_time >= retention_ms:
            return {b.meta.ulid for b in ordered[i:]}
    return set()


def beyond_size_retention(blocks: Sequence[Block], max_bytes: int, wal_bytes: int) -> set[str]:
    """Oldest blocks past the point where WAL + blocks (newest first) exceed `max_bytes`."""
    if not blocks or max_bytes <= 0:
        return set()
    total = wal_bytes
    ordered = _newest_first(blocks)
    for i, block in enumerate(ordered):
        total += block.size
        if total > max_bytes:
            return {b.meta.ulid for b in ordered[i:]}
    return set()
