"""TSDB: a data directory of blocks, a WAL and the head, with compaction and retention.

Threads: one RLock (the head's) guards the head, the WAL writer and the block list, and is
held briefly; block and checkpoint writing run outside it. A second lock serialises
compaction and retention, which may run on a background thread while appends and queries
go on. Layout: `<dir>/lock`, `<dir>/wal/`, `<dir>/<ULID>/` per block.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from erpmon.model import Labels
from erpmon.storage import Appendable, Queryable
from erpmon.tsdb._appender import HeadAppender
from erpmon.tsdb._block import Block
from erpmon.tsdb._block_cache import DecodedCache
from erpmon.tsdb._block_meta import TMP_CREATE, TMP_DELETE, BlockMeta
from erpmon.tsdb._block_writer import persist_block
from erpmon.tsdb._chunks import I64, Rows, rows_before
from erpmon.tsdb._errors import ClosedError, LockedError, ReadOnlyError
from erpmon.tsdb._head import INT64_MAX, INT64_MIN, Head
from erpmon.tsdb._options import TSDBOptions
from erpmon.tsdb._querier import TSDBQuerier
from erpmon.tsdb._retention import beyond_size_retention, beyond_time_retention
from erpmon.tsdb._stats import TSDBMetric, TSDBStatus
from erpmon.tsdb._tsdb_metrics import Counters, collect_metrics, head_status
from erpmon.tsdb._ulid import is_ulid
from erpmon.tsdb._wal import WAL
from erpmon.tsdb._wal_records import (
    SAMPLES,
    SERIES,
    decode_samples,
    decode_series,
    encode_samples,
    encode_series,
)

log = logging.getLogger("erpmon.tsdb")

_CHECKPOINT_SERIES = 10_000
_CHECKPOINT_SAMPLES = 1 << 20


class TSDB:
    """The embedded store; implements `storage.Appendable` and `storage.Queryable`."""

    def __init__(self, path: Path, options: TSDBOptions, read_only: bool, clock: Callable[[], float]) -> None:
        self.path = path
        self.options = options
        self.read_only = read_only
        self._head = Head(options.block_range_ms, options.head_chunk_samples)
        self._compact_lock = threading.Lock()
        self._blocks: list[Block] = []
        self._decoded = DecodedCache()
        self._lock_fd: int | None = None
        self._closed = False
        self.counters = Counters()
        self._wal = WAL(
            path / "wal",
            segment_bytes=options.wal_segment_bytes,
            fsync=options.wal_fsync,
            fsync_interval_s=options.wal_fsync_interval_ms / 1000,
            clock=clock,
            read_only=read_only,
        )

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        options: TSDBOptions | None = None,
        *,
        read_only: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> TSDB:
        """Open (creating unless read-only) a data directory: load blocks, replay the WAL.

        Read-only opens write nothing: no lock file, no WAL repair, no new segment.
        """
        root = Path(path)
        if read_only:
            if not root.is_dir():
                raise FileNotFoundError(f"no TSDB directory at {root}")
        else:
            root.mkdir(parents=True, exist_ok=True)
        db = cls(root, options or TSDBOptions(), read_only, clock)
        try:
            if not read_only:
                db._take_lock()
                db._remove_tmp_dirs()
            db._blocks = db._scan_blocks()
            if db._blocks:
                db._head.min_valid_time = max(b.meta.max_time for b in db._blocks)
            db._replay()
            if not read_only:
                db._wal.start()
                db.apply_retention()  # as Prometheus's start-up reload does
        except BaseException:
            db._release_lock()
            raise
        return db

    def _take_lock(self) -> None:
        fd = os.open(self.path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            os.close(fd)
            raise LockedError(f"{self.path} is locked by another process") from err
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _remove_tmp_dirs(self) -> None:
        for p in self.path.iterdir():
            if p.is_dir() and (p.name.endswith(TMP_CREATE) or p.name.endswith(TMP_DELETE)):
                shutil.rmtree(p, ignore_errors=True)

    def _scan_blocks(self, known: frozenset[str] = frozenset()) -> list[Block]:
        blocks = []
        for p in sorted(self.path.iterdir()):
            if not (p.is_dir() and is_ulid(p.name)) or p.name in known:
                continue
            try:
                blocks.append(Block(p, self._decoded))
            except (OSError, ValueError, KeyError) as err:
                log.warning("skipping unreadable block %s: %s", p, err)
        blocks.sort(key=lambda b: (b.meta.min_time, b.meta.ulid))
        return blocks

    def _replay(self) -> None:
        head = self._head
        remap: dict[int, int] = {}
        parts: list[Rows] = []

        def sink(rtype: int, payload: memoryview) -> None:
            if rtype == SERIES:
                for ref, labels in decode_series(payload):
                    head.load_series(ref, labels, remap)
            elif rtype == SAMPLES:
                parts.append(decode_samples(payload))

        started = time.monotonic()
        with head.lock:
            report = self._wal.replay(sink)
            dropped = head.load_samples(parts, remap)
            if head.num_series():
                # Drop what the blocks already hold, and series left with no samples.
                head.truncate(max(head.min_valid_time, INT64_MIN + 1))
        self.counters.wal_corruptions += report.corruptions
        if report.records:
            log.info(
                "WAL replayed: %d records, %d samples (%d dropped), %d series in %.3fs",
                report.records,
                sum(len(p[0]) for p in parts),
                dropped,
                head.num_series(),
                time.monotonic() - started,
            )
        if report.checkpoint is not None and not self.read_only:
            self._wal.remove_before(report.checkpoint)
            self._wal.truncations -= 1  # housekeeping at open, not a truncation

    # -- Appendable / Queryable -----------------------------------------------------------
    def _check_open(self, writing: bool = False) -> None:
        if self._closed:
            raise ClosedError("TSDB is closed")
        if writing and self.read_only:
            raise ReadOnlyError(f"{self.path} was opened read-only")

    def appender(self) -> HeadAppender:
        self._check_open(writing=True)
        return HeadAppender(self._head, self._log)

    def _log(self, series: list[tuple[int, Labels]], rows: Rows) -> None:
        data = encode_samples(*rows)
        if series:
            data = encode_series(series) + data
        self._wal.log(data)

    def querier(self, mint: int, maxt: int) -> TSDBQuerier:
        self._check_open()
        with self._head.lock:
            blocks = [b for b in self._blocks if b.meta.overlaps(mint, maxt)]
            for b in blocks:
                b.acquire()
            snapshot = self._head.open_reader()

        def release() -> None:
            self._head.close_reader()
            for b in blocks:
                b.release()

        return TSDBQuerier(self._head, snapshot, blocks, mint, maxt, release)

    # -- compaction ----------------------------------------------------------------------
    def compactable(self) -> bool:
        """Prometheus's trigger: the head spans more than 1.5 block ranges."""
        h = self._head
        with h.lock:
            return h.mint != INT64_MAX and h.maxt - h.mint > self.options.block_range_ms // 2 * 3

    def compact(self) -> bool:
        """Persist the oldest whole block range of the head while due; then checkpoint the WAL."""
        self._check_open(writing=True)
        rng = self.options.block_range_ms
        did = False
        with self._compact_lock:
            while self.compactable():
                with self._head.lock:
                    mint = self._head.mint
                    maxt = (mint // rng) * rng + rng
                    snap = self._head.samples.snapshot()
                # Gathering and writing run unlocked: the snapshot is immutable, appends can
                # no longer land below maxt, and only compaction (serialised) drops series.
                refs, ts, vs = rows_before(snap, maxt)
                with self._head.lock:
                    labels = self._labels_for(refs)
                counts = _run_lengths(refs)
                meta = persist_block(self.path, labels, ts, vs, counts, mint, maxt) if len(refs) else None
                with self._head.lock:
                    if meta is not None:
                        self._blocks.append(Block(self.path / meta.ulid, self._decoded))
                        self._blocks.sort(key=lambda b: (b.meta.min_time, b.meta.ulid))
                    self._head.truncate(maxt)
                self.counters.compactions += 1
                did = True
            if did:
                self._checkpoint()
        return did

    def _labels_for(self, refs: I64) -> list[Labels]:
        if not len(refs):
            return []
        starts = np.flatnonzero(np.concatenate([[True], refs[1:] != refs[:-1]]))
        out = []
        for r in refs[starts].tolist():
            lb = self._head.labels_of(r)
            assert lb is not None, f"series {r} has samples but no labels"
            out.append(lb)
        return out

    def _checkpoint(self) -> None:
        """Replace the WAL's closed segments by the head's current content."""
        with self._head.lock:
            upto = self._wal.cut()
            series = self._head.live_series()
            snap = self._head.samples.snapshot()
        rows = rows_before(snap, INT64_MAX)
        self._wal.write_checkpoint(upto, _checkpoint_records(series, rows))
        self._wal.remove_before(upto)

    # -- retention -----------------------------------------------------------------------
    def apply_retention(self) -> int:
        """Delete whole blocks beyond the time or size limit, oldest first; returns how many."""
        self._check_open(writing=True)
        with self._compact_lock:
            with self._head.lock:
                blocks = list(self._blocks)
            doomed = beyond_time_retention(blocks, self.options.retention_ms)
            by_size = beyond_size_retention(blocks, self.options.retention_bytes, self._wal.size())
            self.counters.time_retentions += bool(doomed)
            self.counters.size_retentions += bool(by_size - doomed)
            doomed |= by_size
            if not doomed:
                return 0
            with self._head.lock:
                self._blocks = [b for b in self._blocks if b.meta.ulid not in doomed]
            for b in blocks:
                if b.meta.ulid in doomed:
                    log.info("deleting block %s beyond retention", b.meta.ulid)
                    b.delete()
            return len(doomed)

    def reload_blocks(self) -> int:
        """Load blocks that appeared in the directory (e.g. backfilled); returns how many."""
        self._check_open()
        with self._head.lock:
            known = {b.meta.ulid for b in self._blocks}
        fresh = self._scan_blocks(frozenset(known))
        with self._head.lock:
            self._blocks = sorted([*self._blocks, *fresh], key=lambda b: (b.meta.min_time, b.meta.ulid))
        return len(fresh)

    # -- introspection -------------------------------------------------------------------
    @property
    def blocks(self) -> list[BlockMeta]:
        with self._head.lock:
            return [b.meta for b in self._blocks]

    @property
    def head_min_time(self) -> int:
        return self._head.mint

    @property
    def head_max_time(self) -> int:
        return self._head.maxt

    def head_memory_bytes(self) -> int:
        with self._head.lock:
            return self._head.memory_bytes()

    def status(self, limit: int = 10) -> TSDBStatus:
        """Head cardinality as Prometheus's /api/v1/status/tsdb computes it (top `limit`)."""
        with self._head.lock:
            return head_status(self._head, limit)

    def stats(self, limit: int = 10) -> dict[str, Any]:
        """`status(limit)` as the JSON `data` object of /api/v1/status/tsdb."""
        return self.status(limit).to_json()

    def time_range(self, block_id: str | None = None) -> tuple[int, int, str]:
        """(mint, maxt, title): one block's [minTime, maxTime), or all data's when None."""
        with self._head.lock:
            metas = [b.meta for b in self._blocks]
            head = (self._head.mint, self._head.maxt)
        if block_id:
            for m in metas:
                if m.ulid == block_id:
                    return m.min_time, m.max_time, m.ulid
            raise ValueError(f"block {block_id} not found in {self.path}")
        lows = [m.min_time for m in metas]
        highs = [m.max_time for m in metas]
        if head[0] != INT64_MAX:
            lows.append(head[0])
            highs.append(head[1] + 1)
        if not lows:
            raise ValueError(f"no data in {self.path}")
        return min(lows), max(highs), "all blocks and head"

    def metrics(self) -> list[TSDBMetric]:
        with self._head.lock:
            blocks = list(self._blocks)
            return collect_metrics(self._head, blocks, self.counters, self._wal)

    # -- lifetime ------------------------------------------------------------------------
    def sync(self) -> None:
        """fsync the WAL now (for the "interval" policy when commits stop)."""
        with self._head.lock:
            self._wal.sync()

    def close(self) -> None:
        if self._closed:
            return
        with self._head.lock:
            self._wal.close()
            self._closed = True
        self._release_lock()

    def __enter__(self) -> TSDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run_lengths(refs: I64) -> I64:
    if not len(refs):
        return np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate([[True], refs[1:] != refs[:-1]]))
    return np.diff(np.append(starts, len(refs))).astype(np.int64)


def _checkpoint_records(series: list[tuple[int, Labels]], rows: Rows) -> Iterator[bytes]:
    for i in range(0, len(series), _CHECKPOINT_SERIES):
        yield encode_series(series[i : i + _CHECKPOINT_SERIES])
    refs, ts, vs = rows
    for i in range(0, len(refs), _CHECKPOINT_SAMPLES):
        j = i + _CHECKPOINT_SAMPLES
        yield encode_samples(refs[i:j], ts[i:j], vs[i:j])


def _conforms(db: TSDB) -> tuple[Appendable, Queryable]:
    # Never called: makes mypy prove that TSDB satisfies the storage protocols.
    return db, db
