"""The head appender: buffers one batch, then judges, logs and applies it in `commit()`."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels
from erpmon.storage import AppendError, AppendStats, SeriesRef
from erpmon.tsdb._chunks import F64, I64, Rows
from erpmon.tsdb._errors import UnknownSeriesRefError
from erpmon.tsdb._head import Head


class WalSink(Protocol):
    def __call__(self, series: list[tuple[int, Labels]], rows: Rows) -> None: ...


class HeadAppender:
    """A `storage.Appender`; reusable after commit or rollback. Not thread-safe itself:
    use one appender per thread (the TSDB behind it is)."""

    def __init__(self, head: Head, wal_log: WalSink) -> None:
        self._head = head
        self._wal_log = wal_log
        self._parts: list[Rows] = []
        self._one_refs: list[int] = []
        self._one_ts: list[int] = []
        self._one_vs: list[float] = []

    def ref(self, labels: Labels) -> SeriesRef:
        if not len(labels):
            raise AppendError("empty labelset")
        names = labels.names()
        if len(set(names)) != len(names):
            raise AppendError(f"label set has duplicate label names: {labels}")
        with self._head.lock:
            return self._head.get_or_create(labels)

    def append(self, ref: SeriesRef, labels: Labels | None, t: int, v: float) -> SeriesRef:
        head = self._head
        if ref <= 0 or head.labels_of(ref) is None:
            if labels is None:
                raise UnknownSeriesRefError(f"unknown series ref {ref} and no labels given")
            ref = self.ref(labels)
        self._one_refs.append(ref)
        self._one_ts.append(t)
        self._one_vs.append(v)
        return ref

    def _flush_scalars(self) -> None:
        if self._one_refs:
            self._parts.append(
                (
                    np.array(self._one_refs, dtype=np.int64),
                    np.array(self._one_ts, dtype=np.int64),
                    np.array(self._one_vs, dtype=np.float64),
                )
            )
            self._one_refs, self._one_ts, self._one_vs = [], [], []

    def append_many(
        self,
        refs: npt.NDArray[np.int64],
        ts: npt.NDArray[np.int64],
        vs: npt.NDArray[np.float64],
    ) -> None:
        r = np.array(refs, dtype=np.int64, copy=True).reshape(-1)
        t = np.array(ts, dtype=np.int64, copy=True).reshape(-1)
        v = np.array(vs, dtype=np.float64, copy=True).reshape(-1)
        if not (len(r) == len(t) == len(v)):
            raise ValueError(f"append_many: lengths differ ({len(r)}, {len(t)}, {len(v)})")
        if not len(r):
            return
        with self._head.lock:
            self._head.check_refs(r)
        self._flush_scalars()
        self._parts.append((r, t, v))

    def _batch(self) -> tuple[I64, I64, F64]:
        self._flush_scalars()
        parts, self._parts = self._parts, []
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )

    def commit(self) -> AppendStats:
        refs, ts, vs = self._batch()
        if not len(refs):
            return AppendStats()
        with self._head.lock:
            return self._head.commit(refs, ts, vs, self._wal_log)

    def rollback(self) -> None:
        self._batch()
