"""Errors the TSDB raises beyond the storage protocol's append errors."""

from __future__ import annotations

import errno

from erpmon.storage import AppendError


class StorageFullError(OSError):
    """The disk is full: the commit was rejected whole and the WAL left at its last good record."""

    def __init__(self, detail: str) -> None:
        super().__init__(errno.ENOSPC, f"storage full: {detail}")

    def __str__(self) -> str:
        return str(self.args[1])


class ReadOnlyError(RuntimeError):
    """A write was attempted on a TSDB opened with `read_only=True`."""


class LockedError(RuntimeError):
    """Another process holds the data directory's lock file."""


class UnknownSeriesRefError(AppendError):
    """`append_many` got a ref this store never issued, or one garbage-collected long ago."""


class ClosedError(RuntimeError):
    """The TSDB (or a querier) was used after `close()`."""
