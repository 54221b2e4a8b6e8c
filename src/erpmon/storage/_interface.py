"""Storage protocols, shaped after Prometheus's storage/interface.go, with numpy batch forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels, Matcher

SeriesRef = int
"""An opaque handle for a series, valid for the lifetime of one store. 0 means 'unknown'."""


class AppendError(Exception):
    """A sample the store refused; the rest of the batch is unaffected."""


class OutOfOrderSampleError(AppendError):
    pass


class DuplicateSampleError(AppendError):
    """Same timestamp as the series' last sample, with a different value."""


class TooOldSampleError(AppendError):
    """Older than the store's head can take (already compacted into a block)."""


@dataclass
class AppendStats:
    """What `commit()` did with the samples it was given."""

    appended: int = 0
    out_of_order: int = 0
    duplicate: int = 0
    too_old: int = 0
    new_series: int = 0

    @property
    def rejected(self) -> int:
        return self.out_of_order + self.duplicate + self.too_old


class Appender(Protocol):
    """Collects one batch of samples (one scrape, one rule group evaluation) and commits it whole.

    Nothing is visible to queriers before `commit()`; after `commit()` returns, every accepted
    sample is durable against a process crash.
    """

    def ref(self, labels: Labels) -> SeriesRef:
        """The series' ref, creating the series if needed (it only becomes queryable on commit)."""
        ...

    def append(self, ref: SeriesRef, labels: Labels | None, t: int, v: float) -> SeriesRef:
        """Queue one sample. Pass ref=0 with labels for a series not seen before."""
        ...

    def append_many(
        self,
        refs: npt.NDArray[np.int64],
        ts: npt.NDArray[np.int64],
        vs: npt.NDArray[np.float64],
    ) -> None:
        """Queue a batch: samples i is (refs[i], ts[i], vs[i]). Refs come from `ref()`."""
        ...

    def commit(self) -> AppendStats:
        """Validate (out-of-order, duplicates), persist to the WAL, then make visible."""
        ...

    def rollback(self) -> None: ...


class Appendable(Protocol):
    def appender(self) -> Appender: ...


@dataclass(frozen=True)
class Series:
    """One series' samples in [mint, maxt], ascending by timestamp (ms)."""

    labels: Labels
    timestamps: npt.NDArray[np.int64] = field(repr=False)
    values: npt.NDArray[np.float64] = field(repr=False)

    def __len__(self) -> int:
        return int(self.timestamps.shape[0])


class Querier(Protocol):
    """Reads a fixed time window [mint, maxt] (ms, inclusive) of the store."""

    mint: int
    maxt: int

    def select(self, matchers: Sequence[Matcher]) -> list[Series]:
        """Series matching all matchers, sorted by labels. Staleness markers are included."""
        ...

    def label_names(self, matchers: Sequence[Matcher] = ()) -> list[str]: ...

    def label_values(self, name: str, matchers: Sequence[Matcher] = ()) -> list[str]: ...

    def close(self) -> None: ...


class Queryable(Protocol):
    def querier(self, mint: int, maxt: int) -> Querier: ...
