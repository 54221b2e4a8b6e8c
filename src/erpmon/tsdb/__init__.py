"""The embedded time-series store: head, WAL, Parquet blocks, compaction and retention.

Owns: the data directory (`<dir>/wal/`, one `<ULID>/` per block, `<dir>/lock`), the
in-memory head, and Prometheus's append semantics (out of order, duplicates, too old,
staleness markers kept bit for bit). Formats: docs/tsdb-format.md.
Reads from: erpmon.model (Labels, Matcher), erpmon.storage (the protocols it implements).
Hands on: `TSDB` as `storage.Appendable` + `storage.Queryable` to scrape, rules, promql and
the web API; `stats()` for /api/v1/status/tsdb, `metrics()` for erpmon's /metrics;
`create_blocks` / `write_block` for the backfill CLI; `TSDB.open(..., read_only=True)`
for offline tools.
"""

from erpmon.tsdb._appender import HeadAppender
from erpmon.tsdb._backfill import create_blocks, write_block
from erpmon.tsdb._block_meta import BlockMeta
from erpmon.tsdb._db import TSDB
from erpmon.tsdb._errors import (
    ClosedError,
    LockedError,
    ReadOnlyError,
    StorageFullError,
    UnknownSeriesRefError,
)
from erpmon.tsdb._options import TSDBOptions
from erpmon.tsdb._querier import TSDBQuerier
from erpmon.tsdb._stats import HeadStats, Stat, TSDBMetric, TSDBStatus

__all__ = [
    "TSDB",
    "BlockMeta",
    "ClosedError",
    "HeadAppender",
    "HeadStats",
    "LockedError",
    "ReadOnlyError",
    "Stat",
    "StorageFullError",
    "TSDBMetric",
    "TSDBOptions",
    "TSDBQuerier",
    "TSDBStatus",
    "UnknownSeriesRefError",
    "create_blocks",
    "write_block",
]
