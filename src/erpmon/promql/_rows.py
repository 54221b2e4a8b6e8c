"""Row bookkeeping for step vectors: grouping rows by label keys, merging rows with equal labels."""

from __future__ import annotations

import numpy as np

from erpmon.model import Labels
from erpmon.promql._errors import DuplicateLabelset
from erpmon.promql._values import I64, StepVector


def group_ids(keys: list[Labels]) -> tuple[I64, list[Labels]]:
    """Row -> group number (in order of first appearance), and the groups' keys."""
    index: dict[Labels, int] = {}
    ids = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys))
    return ids, list(index)


def merge_equal_labels(v: StepVector, *, per_step: bool = True) -> StepVector:
    """Rows sharing a label set become one row.

    Prometheus rejects two samples with the same labels at one step ("vector cannot contain
    metrics with the same labelset"); with per_step=False (range-vector functions) it rejects two
    such series anywhere in the result, as its matrix check does.
    """
    if len(v.labels) < 2:
        return v
    ids, keys = group_ids(v.labels)
    if len(keys) == len(v.labels):
        return v
    counts = np.zeros((len(keys), v.n_steps), dtype=np.int64)
    np.add.at(counts, ids, v.present.astype(np.int64))
    if per_step:
        if (counts > 1).any():
            raise DuplicateLabelset()
    else:
        rows_with_data = np.zeros(len(keys), dtype=np.int64)
        np.add.at(rows_with_data, ids, v.present.any(axis=1).astype(np.int64))
        if (rows_with_data > 1).any():
            raise DuplicateLabelset()
    values = np.zeros((len(keys), v.n_steps))
    present = counts > 0
    # At most one row per group is present at each step, so scattering present rows is exact.
    rows, cols = np.nonzero(v.present)
    values[ids[rows], cols] = v.values[rows, cols]
    return StepVector(keys, values, present)


def drop_empty_rows(v: StepVector) -> StepVector:
    keep = v.present.any(axis=1)
    if keep.all():
        return v
    idx = np.flatnonzero(keep)
    return StepVector([v.labels[i] for i in idx], v.values[idx], v.present[idx])
