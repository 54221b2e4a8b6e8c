"""Aggregation operators over step vectors, vectorised across series and steps.

Rows are sorted by group and reduced with ufunc.reduceat; topk, bottomk and quantile work on a
(group, member, step) padding of the rows.
"""

from __future__ import annotations

import math

import numpy as np

from erpmon.model import METRIC_NAME, Labels, format_f, format_g, is_valid_label_name
from erpmon.promql._errors import QueryError
from erpmon.promql._rows import group_ids
from erpmon.promql._values import F64, I64, StepScalar, StepString, StepVector
from erpmon.promql.functions._gosort import _GoSort


def group_key(lset: Labels, grouping: tuple[str, ...], without: bool) -> Labels:
    if without:
        return lset.without(*grouping, METRIC_NAME)
    return lset.keep_only(*grouping)


def group_keys(labels: list[Labels], grouping: tuple[str, ...], without: bool) -> list[Labels]:
    """Each row's group label set; with `by`, one Labels object per distinct group, shared.

    Keys are remembered on the input label sets (series objects that blocks and the head keep,
    and their name-less forms), so a rule's next evaluation finds them without building any.
    """
    names = tuple(sorted(set(grouping)))
    how = ("without" if without else "by", names)
    built: dict[tuple[str, ...], Labels] = {}
    out = []
    for lset in labels:
        key = lset.derived(how)
        if key is None:
            if without:
                key = group_key(lset, grouping, without)
            else:
                values = tuple(lset.get(n) for n in names) if len(names) != 1 else (lset.get(names[0]),)
                key = built.get(values)
                if key is None:
                    key = built[values] = Labels.from_sorted(
                        tuple((n, v) for n, v in zip(names, values, strict=True) if v)
                    )
            lset.remember(how, key)
        out.append(key)
    return out


def aggregate(
    op: str, v: StepVector, grouping: tuple[str, ...], without: bool, param: StepScalar | StepString | None
) -> StepVector:
    steps = v.n_steps
    if op == "count_values":
        assert isinstance(param, StepString)
        if not is_valid_label_name(param.value):
            raise QueryError(f'invalid label name "{param.value}"')
    if op in ("topk", "bottomk"):
        assert isinstance(param, StepScalar)
        # 2.42 converts k at every step, input or not; NaN and huge values are errors.
        with np.errstate(invalid="ignore"):
            bad = ~((param.values <= 9.223372036854775807e18) & (param.values >= -9.223372036854775808e18))
        if bad.any():
            raise QueryError(f"Scalar value {format_g(float(param.values[np.argmax(bad)]))} overflows int64")
    if not v.labels:
        return StepVector.empty(steps)
    keys = group_keys(v.labels, grouping, without)
    if op in ("topk", "bottomk"):
        assert isinstance(param, StepScalar)
        return _top_bottom(op, v, keys, param.values)
    if op == "count_values":
        assert isinstance(param, StepString)
        return _count_values(v, keys, param.value)
    ids, groups = group_ids(keys)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
    vals = v.values[order]
    pres = v.present[order]
    count = np.add.reduceat(pres.astype(np.int64), starts, axis=0)
    present = count > 0
    with np.errstate(all="ignore"):
        if op == "quantile":
            assert isinstance(param, StepScalar)
            out = _quantile(vals, pres, sorted_ids, len(groups), param.values)
        elif op == "count":
            out = count.astype(np.float64)
        elif op == "group":
            out = np.ones(count.shape)
        elif op == "sum":
            out = np.add.reduceat(np.where(pres, vals, 0.0), starts, axis=0)
        elif op in ("avg", "stddev", "stdvar"):
            if np.isfinite(vals[pres]).all():
                total = np.add.reduceat(np.where(pres, vals, 0.0), starts, axis=0)
                mean = total / np.maximum(count, 1)
                if op == "avg":
                    out = mean
                else:
                    dev = np.where(pres, (vals - mean[sorted_ids]) ** 2, 0.0)
                    out = np.add.reduceat(dev, starts, axis=0) / np.maximum(count, 1)
            else:
                # NaN and Inf make the order of operations visible: replay Prometheus's updates.
                out = _incremental(op, vals, pres, sorted_ids, len(groups))
            if op == "stddev":
                out = np.sqrt(out)
        elif op in ("min", "max"):
            ufunc = np.fmin if op == "min" else np.fmax
            out = ufunc.reduceat(np.where(pres, vals, np.nan), starts, axis=0)
        else:
            raise QueryError(f"unknown aggregation {op!r}")
    return StepVector(groups, np.asarray(out, dtype=np.float64), present)


def _padded(vals: F64, pres: np.ndarray, sorted_ids: I64, n_groups: int) -> tuple[F64, np.ndarray, I64]:
    """(group, member, step) arrays; absent members padded as not present."""
    counts = np.bincount(sorted_ids, minlength=n_groups)
    width = int(counts.max())
    member = np.arange(len(sorted_ids)) - np.repeat(np.cumsum(counts) - counts, counts)
    pv = np.full((n_groups, width, vals.shape[1]), np.nan)
    pp = np.zeros((n_groups, width, vals.shape[1]), dtype=bool)
    pv[sorted_ids, member] = vals
    pp[sorted_ids, member] = pres
    return pv, pp, member


def _incremental(op: str, vals: F64, pres: np.ndarray, sorted_ids: I64, n_groups: int) -> F64:
    """avg (incremental mean with its Inf rules) and stdvar (Welford), member by member, as 2.42 does."""
    pv, pp, _ = _padded(vals, pres, sorted_ids, n_groups)
    shape = (pv.shape[0], pv.shape[2])
    count = np.zeros(shape)
    mean = np.zeros(shape)
    value = np.zeros(shape)
    for m in range(pv.shape[1]):
        v, here = pv[:, m, :], pp[:, m, :]
        first = here & (count == 0)
        more = here & (count > 0)
        mean = np.where(first, v, mean)
        count = np.where(here, count + 1, count)
        if op == "avg":
            inf_mean = np.isinf(mean)
            keep = inf_mean & ((np.isinf(v) & ((mean > 0) == (v > 0))) | (~np.isinf(v) & ~np.isnan(v)))
            upd = more & ~keep
            mean = np.where(upd, mean + v / count - mean / count, mean)
        else:
            delta = v - mean
            new_mean = mean + delta / count
            value = np.where(more, value + delta * (v - new_mean), value)
            mean = np.where(more, new_mean, mean)
    result: F64 = mean if op == "avg" else value / np.maximum(count, 1)
    return result


def _go_sorted(values: list[float]) -> list[float]:
    """Values in the order Go's sort.Sort leaves them with Prometheus's NaN-first comparison."""
    perm = list(range(len(values)))

    def less(i: int, j: int) -> bool:
        a, b = values[perm[i]], values[perm[j]]
        return math.isnan(a) or a < b

    _GoSort(less, perm).sort()
    return [values[p] for p in perm]


def _quantile(vals: F64, pres: np.ndarray, sorted_ids: I64, n_groups: int, phi: F64) -> F64:
    """Prometheus's quantile(): NaN sorts first, linear interpolation between closest ranks."""
    pv, pp, _ = _padded(vals, pres, sorted_ids, n_groups)
    # Sort key: present NaN first (as Go's sort with NaN < x), absent members last.
    key = np.where(pp, np.where(np.isnan(pv), -np.inf, pv), np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    sv = np.take_along_axis(pv, order, axis=1)
    # With NaNs among the values Go's unstable sort decides their places: replay it there.
    for g, t in zip(*np.nonzero((np.isnan(pv) & pp).any(axis=1)), strict=True):
        members = pv[g, pp[g, :, t], t].tolist()
        sv[g, : len(members), t] = _go_sorted(members)
    n = pp.sum(axis=1).astype(np.float64)  # (G, T)
    rank = phi[None, :] * (n - 1)
    lower = np.clip(np.floor(rank), 0, None)
    upper = np.minimum(n - 1, lower + 1)
    weight = rank - np.floor(rank)
    # phi outside [0, 1] (answered as -Inf/+Inf below) and NaN must still index safely.
    last = pv.shape[1] - 1
    lo_idx = np.nan_to_num(np.clip(lower, 0, last)).astype(np.int64)
    hi_idx = np.nan_to_num(np.clip(upper, 0, last)).astype(np.int64)
    lo = np.take_along_axis(sv, lo_idx[:, None, :], axis=1)[:, 0, :]
    hi = np.take_along_axis(sv, hi_idx[:, None, :], axis=1)[:, 0, :]
    out = lo * (1 - weight) + hi * weight
    out = np.where(phi[None, :] < 0, -np.inf, np.where(phi[None, :] > 1, np.inf, out))
    result: F64 = np.where(n > 0, out, np.nan)
    return result


def _top_bottom(op: str, v: StepVector, keys: list[Labels], k_values: F64) -> StepVector:
    ids, groups = group_ids(keys)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pv, pp, member = _padded(v.values[order], v.present[order], sorted_ids, len(groups))
    # NaN is never preferred over a number, in either direction; absent members never chosen.
    if op == "topk":
        key = np.where(pp, np.where(np.isnan(pv), np.inf, -pv), np.inf)
    else:
        key = np.where(pp, np.where(np.isnan(pv), np.inf, pv), np.inf)
    rank = np.empty(key.shape, dtype=np.int64)
    np.put_along_axis(
        rank, np.argsort(key, axis=1, kind="stable"), np.arange(key.shape[1])[None, :, None], axis=1
    )
    with np.errstate(invalid="ignore"):
        k = np.where(np.isnan(k_values), 0, np.clip(k_values, -1, 2**62)).astype(np.int64)
    chosen = pp & (rank < k[None, None, :])
    selected = np.zeros_like(v.present)
    selected[order] = chosen[sorted_ids, member]
    if v.n_steps != 1:
        return StepVector(list(v.labels), v.values, selected)
    # An instant query lists each group's picks best first, groups in order of appearance.
    vals = v.values[:, 0]
    rank_key = np.where(np.isnan(vals), np.inf, -vals if op == "topk" else vals)
    rows = np.lexsort((rank_key, ids))
    return StepVector([v.labels[i] for i in rows], v.values[rows], selected[rows])


def _count_values(v: StepVector, keys: list[Labels], label: str) -> StepVector:
    rows, cols = np.nonzero(v.present)
    if rows.size == 0:
        return StepVector.empty(v.n_steps)
    ids, groups = group_ids(keys)
    bits = v.values[rows, cols].view(np.uint64)
    pairs = np.stack([ids[rows].astype(np.uint64), bits], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.zeros((len(uniq), v.n_steps))
    np.add.at(counts, (inverse, cols), 1.0)
    out_labels = [
        groups[int(g)].with_labels(**{label: format_f(float(np.uint64(b).view(np.float64)))}) for g, b in uniq
    ]
    # Distinct bit patterns can print alike (NaN payloads): Prometheus counts by the printed value.
    out_ids, out_keys = group_ids(out_labels)
    merged = np.zeros((len(out_keys), v.n_steps))
    np.add.at(merged, out_ids, counts)
    return StepVector(out_keys, merged, merged > 0)
