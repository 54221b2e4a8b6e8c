"""The evaluator's values: everything is evaluated at all steps of a query at once.

An instant query is a range query with one step. Arrays are (series, steps); `present` says where
a series has a sample at a step (a sample may be NaN, so NaN cannot mean "absent").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


@dataclass
class StepScalar:
    """A scalar at each step: shape (T,)."""

    values: F64


@dataclass
class StepString:
    value: str


@dataclass
class StepVector:
    """An instant vector at each step: values and presence of shape (n, T), one row per series."""

    labels: list[Labels]
    values: F64
    present: Bool

    @property
    def n_steps(self) -> int:
        return int(self.values.shape[1])

    @classmethod
    def empty(cls, n_steps: int) -> StepVector:
        return cls([], np.empty((0, n_steps)), np.empty((0, n_steps), dtype=bool))


@dataclass
class RangeWindows:
    """A range vector at each step, for functions like rate() and *_over_time().

    All series' samples are concatenated: series i owns ts/vs[offsets[i]:offsets[i+1]], sorted by
    time, staleness markers already removed. For series i at step j the window is the samples
    ts/vs[start[i, j]:end[i, j]] (end exclusive), which are those in [eval_t[j] - range_ms,
    eval_t[j]] — both ends inclusive, as in Prometheus 2.42 — where eval_t is the step time after
    offset and @.
    """

    labels: list[Labels]
    ts: I64
    vs: F64
    offsets: I64  # (n + 1,)
    start: I64  # (n, T)
    end: I64  # (n, T)
    eval_t: I64  # (T,) the evaluation time of each step (window upper bound)
    range_ms: int

    @property
    def counts(self) -> I64:
        counts: I64 = self.end - self.start
        return counts


Value = StepScalar | StepString | StepVector | RangeWindows
