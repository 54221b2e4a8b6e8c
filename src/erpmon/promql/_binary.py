"""Binary operators: arithmetic, comparisons (filtering or `bool`), and/or/unless, vector matching."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from erpmon.model import METRIC_NAME, Labels
from erpmon.promql._ast import VectorMatching
from erpmon.promql._errors import QueryError
from erpmon.promql._rows import group_ids, merge_equal_labels
from erpmon.promql._values import F64, StepScalar, StepVector

COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
# shouldDropMetricName: arithmetic drops the name, except atan2 (and comparisons without bool).
_DROPS_NAME = frozenset({"+", "-", "*", "/", "^", "%"})
SET_OPS = frozenset({"and", "or", "unless"})

_ARITH: dict[str, Callable[[F64, F64], F64]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.true_divide,
    "^": np.power,
    "%": np.fmod,
    "atan2": np.arctan2,
}
_CMP: dict[str, Callable[[F64, F64], np.ndarray]] = {
    "==": np.equal,
    "!=": np.not_equal,
    ">": np.greater,
    "<": np.less,
    ">=": np.greater_equal,
    "<=": np.less_equal,
}


def _apply(op: str, lv: F64, rv: F64) -> tuple[F64, np.ndarray | None]:
    """(value, keep) as vectorElemBinop: comparisons yield the left value and a keep mask."""
    with np.errstate(all="ignore"):
        if op in _CMP:
            return lv, _CMP[op](lv, rv)
        return _ARITH[op](lv, rv), None


def scalar_scalar(op: str, lhs: StepScalar, rhs: StepScalar) -> StepScalar:
    value, keep = _apply(op, lhs.values, rhs.values)
    if keep is not None:  # the parser requires `bool` between scalars
        return StepScalar(keep.astype(np.float64))
    return StepScalar(value)


def _drop_names(labels: list[Labels]) -> list[Labels]:
    return [lset.without_name() for lset in labels]


def vector_scalar(
    op: str, vec: StepVector, scalar: StepScalar, *, scalar_left: bool, return_bool: bool
) -> StepVector:
    lv, rv = (scalar.values[None, :], vec.values) if scalar_left else (vec.values, scalar.values[None, :])
    lv, rv = np.broadcast_arrays(lv, rv)
    value, keep = _apply(op, lv, rv)
    present = vec.present
    if keep is not None:
        # The vector's value is kept, whichever side it is on.
        value = vec.values
        if return_bool:
            value = keep.astype(np.float64)
        else:
            present = present & keep
    labels = vec.labels
    if op in _DROPS_NAME or return_bool:
        labels = _drop_names(labels)
    return merge_equal_labels(StepVector(list(labels), np.array(value, dtype=np.float64), present))


def signature(lset: Labels, matching: VectorMatching) -> Labels:
    if matching.on:
        return lset.keep_only(*matching.labels)
    return lset.without(*matching.labels, METRIC_NAME)


def _sig_presence(v: StepVector, sig_ids: np.ndarray, n_sigs: int) -> np.ndarray:
    """(n_sigs, T): whether any row with that signature is present at the step."""
    counts = np.zeros((n_sigs, v.n_steps), dtype=np.int64)
    np.add.at(counts, sig_ids, v.present.astype(np.int64))
    result: np.ndarray = counts > 0
    return result


def set_operation(op: str, lhs: StepVector, rhs: StepVector, matching: VectorMatching) -> StepVector:
    sig_ids, sigs = group_ids([signature(x, matching) for x in lhs.labels + rhs.labels])
    n_left = len(lhs.labels)
    left_ids, right_ids = sig_ids[:n_left], sig_ids[n_left:]
    if op == "and":
        right_any = _sig_presence(rhs, right_ids, len(sigs))
        return StepVector(list(lhs.labels), lhs.values, lhs.present & right_any[left_ids])
    if op == "unless":
        right_any = _sig_presence(rhs, right_ids, len(sigs))
        return StepVector(list(lhs.labels), lhs.values, lhs.present & ~right_any[left_ids])
    left_any = _sig_presence(lhs, left_ids, len(sigs))
    rhs_present = rhs.present & ~left_any[right_ids]
    out = StepVector(
        list(lhs.labels) + list(rhs.labels),
        np.concatenate([lhs.values, rhs.values]),
        np.concatenate([lhs.present, rhs_present]),
    )
    return merge_equal_labels(out)


def vector_vector(
    op: str, lhs: StepVector, rhs: StepVector, matching: VectorMatching, *, return_bool: bool
) -> StepVector:
    """Arithmetic and comparisons between vectors: Prometheus's VectorBinop, all steps at once."""
    if matching.card == "many-to-many":
        raise QueryError("many-to-many only allowed for set operators")
    swap = matching.card == "one-to-many"
    many, one = (rhs, lhs) if swap else (lhs, rhs)
    sig_ids, sigs = group_ids([signature(x, matching) for x in many.labels + one.labels])
    many_ids, one_ids = sig_ids[: len(many.labels)], sig_ids[len(many.labels) :]
    steps = lhs.n_steps
    one_count = np.zeros((len(sigs), steps), dtype=np.int64)
    np.add.at(one_count, one_ids, one.present.astype(np.int64))
    if (one_count > 1).any():
        side = "left" if swap else "right"
        bad = int(np.flatnonzero((one_count > 1).any(axis=1))[0])
        raise QueryError(
            f"found duplicate series for the match group {sigs[bad]} on the {side} hand-side of the "
            "operation;many-to-many matching not allowed: matching labels must be unique on one side"
        )
    # Pair every many-side row with every one-side row of its signature.
    by_sig: dict[int, list[int]] = {}
    for r, s in enumerate(one_ids.tolist()):
        by_sig.setdefault(s, []).append(r)
    pairs = [(i, r) for i, s in enumerate(many_ids.tolist()) for r in by_sig.get(s, ())]
    if not pairs:
        return StepVector.empty(steps)
    mi = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    oi = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    present = many.present[mi] & one.present[oi]
    if matching.card == "one-to-one":
        matched = np.zeros((len(sigs), steps), dtype=np.int64)
        np.add.at(matched, many_ids[mi], present.astype(np.int64))
        if (matched > 1).any():
            raise QueryError(
                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
            )
    lv, rv = (one.values[oi], many.values[mi]) if swap else (many.values[mi], one.values[oi])
    value, keep = _apply(op, lv, rv)
    if keep is not None:
        if return_bool:
            value = keep.astype(np.float64)
        else:
            present = present & keep
    drop_name = op in _DROPS_NAME or return_bool
    labels = [_result_labels(many.labels[i], one.labels[r], matching, drop_name) for i, r in pairs]
    out = StepVector(labels, np.array(value, dtype=np.float64), present)
    try:
        return merge_equal_labels(out)
    except QueryError:
        if matching.card == "one-to-one":
            raise
        raise QueryError("multiple matches for labels: grouping labels must ensure unique matches") from None


def _result_labels(many: Labels, one: Labels, matching: VectorMatching, drop_name: bool) -> Labels:
    d = many.to_dict()
    if drop_name:
        d.pop(METRIC_NAME, None)
    if matching.card == "one-to-one":
        if matching.on:
            d = {k: v for k, v in d.items() if k in matching.labels}
        else:
            for name in matching.labels:
                d.pop(name, None)
    for name in matching.include:
        value = one.get(name)
        if value:
            d[name] = value
        else:
            d.pop(name, None)
    return Labels(d)
