"""The write-ahead log: numbered segment files plus at most one checkpoint directory.

A commit is one `os.write` of its framed records before `commit()` returns, so a killed
process loses nothing committed; fsync follows the configured policy. Replay reads the
newest checkpoint then every later segment; a torn or corrupt record ends replay, and the
log is cut back to the last good record (later segments are removed) with a warning.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from erpmon.tsdb._errors import StorageFullError
from erpmon.tsdb._wal_records import HEADER_SIZE, Corruption, iter_records

log = logging.getLogger("erpmon.tsdb")

_SEGMENT_RE = re.compile(r"^\d{8}$")
_CHECKPOINT_RE = re.compile(r"^checkpoint\.(\d{8})$")

# Indirection so tests can simulate a full disk without filling one.
_os_write = os.write

RecordSink = Callable[[int, memoryview], None]


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def segment_name(n: int) -> str:
    return f"{n:08d}"


@dataclass
class ReplayReport:
    records: int = 0
    corruptions: int = 0
    checkpoint: int | None = None
    segments: list[int] = field(default_factory=list)


class WAL:
    """Segments in `directory`; every method is called with the TSDB's head lock held,
    except checkpoint writing and `remove_before`, which only touch closed files."""

    def __init__(
        self,
        directory: Path,
        *,
        segment_bytes: int,
        fsync: str,
        fsync_interval_s: float,
        clock: Callable[[], float],
        read_only: bool,
    ) -> None:
        self.dir = directory
        self._segment_bytes = segment_bytes
        self._fsync = fsync
        self._interval = fsync_interval_s
        self._clock = clock
        self._read_only = read_only
        self._fd: int | None = None
        self._segment = -1
        self._offset = 0
        self._dirty = False
        self._last_sync = clock()
        self.truncations = 0
        if not read_only:
            directory.mkdir(parents=True, exist_ok=True)

    # -- listing -------------------------------------------------------------------------
    def segments(self) -> list[int]:
        if not self.dir.is_dir():
            return []
        return sorted(int(p.name) for p in self.dir.iterdir() if _SEGMENT_RE.match(p.name))

    def checkpoints(self) -> list[int]:
        if not self.dir.is_dir():
            return []
        found = (_CHECKPOINT_RE.match(p.name) for p in self.dir.iterdir() if p.is_dir())
        return sorted(int(m.group(1)) for m in found if m)

    def size(self) -> int:
        if not self.dir.is_dir():
            return 0
        return sum(f.stat().st_size for f in self.dir.rglob("*") if f.is_file())

    # -- replay --------------------------------------------------------------------------
    def replay(self, sink: RecordSink) -> ReplayReport:
        report = ReplayReport()
        checkpoints = self.checkpoints()
        start = -1
        if checkpoints:
            start = checkpoints[-1]
            report.checkpoint = start
            cp_dir = self.dir / f"checkpoint.{segment_name(start)}"
            for name in sorted(p.name for p in cp_dir.iterdir() if _SEGMENT_RE.match(p.name)):
                if not self._replay_file(cp_dir / name, sink, report, later=[]):
                    break
        segments = [s for s in self.segments() if s > start]
        for i, seg in enumerate(segments):
            report.segments.append(seg)
            if not self._replay_file(self.dir / segment_name(seg), sink, report, later=segments[i + 1 :]):
                break
        return report

    def _replay_file(self, path: Path, sink: RecordSink, report: ReplayReport, later: list[int]) -> bool:
        data = path.read_bytes()
        for item in iter_records(data):
            if isinstance(item, Corruption):
                self._repair(path, item, later)
                report.corruptions += 1
                return False
            rtype, payload, end = item
            try:
                sink(rtype, payload)
            except (ValueError, UnicodeDecodeError, struct.error) as err:
                start = end - HEADER_SIZE - len(payload)
                self._repair(path, Corruption(start, f"bad record payload: {err}"), later)
                report.corruptions += 1
                return False
            report.records += 1
        return True

    def _repair(self, path: Path, bad: Corruption, later: list[int]) -> None:
        action = "ignoring the rest (read-only)" if self._read_only else "truncating"
        log.warning(
            "WAL corruption in %s at offset %d: %s; %s; %d later segment(s) dropped",
            path,
            bad.offset,
            bad.reason,
            action,
            len(later),
        )
        if self._read_only:
            return
        with open(path, "r+b") as f:
            f.truncate(bad.offset)
            os.fsync(f.fileno())
        for seg in later:
            (self.dir / segment_name(seg)).unlink()

    # -- writing -------------------------------------------------------------------------
    def start(self) -> None:
        """Open a fresh segment after the newest one (replayed files are never appended to)."""
        existing = self.segments() + self.checkpoints()
        self._open_segment(max(existing, default=-1) + 1)

    def _open_segment(self, n: int) -> None:
        """Make segment n the current one; on error the current one stays."""
        fd = os.open(self.dir / segment_name(n), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fsync_dir(self.dir)
            size = os.fstat(fd).st_size
        except OSError:
            os.close(fd)
            raise
        self._fd, self._segment, self._offset = fd, n, size

    def log(self, data: bytes) -> None:
        """Write one commit's records; on failure cut the segment back and raise."""
        if self._fd is None:
            raise RuntimeError("WAL is not open for writing")
        if self._offset and self._offset + len(data) > self._segment_bytes:
            try:
                self._rotate()
            except OSError as err:
                # A full disk may refuse a new file yet take a few more bytes: keep going.
                log.warning(
                    "WAL: cannot start segment %d (%s); still writing to %d",
                    self._segment + 1,
                    err,
                    self._segment,
                )
        fd, start = self._fd, self._offset
        try:
            view = memoryview(data)
            while view:
                written = _os_write(fd, view)
                view = view[written:]
            if self._fsync == "always":
                os.fdatasync(fd)
        except OSError as err:
            self._cut_back(fd, start)
            if err.errno == errno.ENOSPC:
                seg = self.dir / segment_name(self._segment)
                raise StorageFullError(f"cannot write {len(data)} bytes to WAL segment {seg}") from err
            raise
        self._offset = start + len(data)
        self._dirty = self._fsync != "always"
        if self._fsync == "interval" and self._clock() - self._last_sync >= self._interval:
            self.sync()

    def _cut_back(self, fd: int, offset: int) -> None:
        try:
            os.ftruncate(fd, offset)
        except OSError:
            log.exception("WAL: could not truncate segment %d back to %d", self._segment, offset)

    def sync(self) -> None:
        if self._fd is not None and self._dirty and self._fsync != "never":
            os.fdatasync(self._fd)
        self._dirty = False
        self._last_sync = self._clock()

    def _rotate(self) -> None:
        """Switch to the next segment, opened before the current one is closed."""
        old = self._fd
        self._open_segment(self._segment + 1)
        if old is not None:
            if self._dirty and self._fsync != "never":
                os.fdatasync(old)
            os.close(old)
        self._dirty = False

    def _close_segment(self) -> None:
        if self._fd is None:
            return
        if self._dirty and self._fsync != "never":
            os.fdatasync(self._fd)
        self._dirty = False
        os.close(self._fd)
        self._fd = None

    def cut(self) -> int:
        """Close the current segment and start the next; returns the closed one's number."""
        closed = self._segment
        self._rotate()
        return closed

    def close(self) -> None:
        if self._fd is not None:
            if self._fsync != "never":
                self._dirty = True
            self._close_segment()

    @property
    def current_segment(self) -> int:
        return self._segment

    # -- checkpoints ---------------------------------------------------------------------
    def write_checkpoint(self, upto: int, records: Iterable[bytes]) -> None:
        """Atomically write checkpoint.<upto> (records replacing segments <= upto)."""
        final = self.dir / f"checkpoint.{segment_name(upto)}"
        tmp = self.dir / f"checkpoint.{segment_name(upto)}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        fd = os.open(tmp / segment_name(0), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            for data in records:
                view = memoryview(data)
                while view:
                    view = view[_os_write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(tmp)
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
        fsync_dir(self.dir)

    def remove_before(self, upto: int) -> None:
        """Drop segments <= upto and checkpoints older than checkpoint.<upto>."""
        for seg in self.segments():
            if seg <= upto and seg != self._segment:
                (self.dir / segment_name(seg)).unlink()
        for cp in self.checkpoints():
            if cp < upto:
                shutil.rmtree(self.dir / f"checkpoint.{segment_name(cp)}")
        for p in self.dir.glob("checkpoint.*.tmp"):
            shutil.rmtree(p)
        self.truncations += 1
