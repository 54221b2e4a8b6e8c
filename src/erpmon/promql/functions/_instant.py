"""vector, scalar, absent, sort, sort_desc, pi: functions that reshape rather than compute."""

from __future__ import annotations

import math

import numpy as np

from erpmon.model import Labels
from erpmon.promql._values import F64, I64, Bool, StepScalar, StepVector
from erpmon.promql.functions._gosort import go_sort_order


def vector(s: StepScalar) -> StepVector:
    values = np.asarray(s.values, dtype=np.float64)[None, :]
    return StepVector([Labels()], values.copy(), np.ones(values.shape, dtype=bool))


def scalar(v: StepVector) -> StepScalar:
    """The value of the only sample at each step; NaN where there are none or several."""
    if not v.labels:
        return StepScalar(np.full(v.n_steps, np.nan))
    one = v.present.sum(axis=0) == 1
    row = np.argmax(v.present, axis=0)
    picked = v.values[row, np.arange(v.n_steps)]
    return StepScalar(np.where(one, picked, np.nan))


def absent(v: StepVector, absent_labels: Labels) -> StepVector:
    """1 with `absent_labels` at the steps where the argument has no sample."""
    steps = v.n_steps
    some: Bool = np.zeros(steps, dtype=bool)
    if v.labels:
        some = np.any(v.present, axis=0)
    return StepVector([absent_labels], np.ones((1, steps)), ~some[None, :])


def pi(steps: int) -> StepScalar:
    return StepScalar(np.full(steps, math.pi))


def sort_vector(v: StepVector, descending: bool) -> StepVector:
    """Rows reordered as Prometheus orders an instant query's result; labels and values unchanged.

    Only a single-step evaluation has an order (Prometheus returns it unchanged for instant
    queries and one-step range queries); with more steps the rows are returned as they are,
    since range results are ordered by labels. Rows absent at the step go last.
    """
    if v.n_steps != 1 or len(v.labels) < 2:
        return v
    present_rows = np.flatnonzero(v.present[:, 0])
    values: F64 = v.values[present_rows, 0]
    order = present_rows[go_sort_order(values, descending)]
    absent_rows = np.flatnonzero(~v.present[:, 0])
    rows: I64 = np.concatenate([order, absent_rows])
    return StepVector([v.labels[i] for i in rows], v.values[rows], v.present[rows])
