"""The *_over_time functions, following Prometheus 2.42's per-window algorithms exactly.

2.42 already sums with Kahan-Neumaier compensation (sum_over_time, and the incremental mean of
avg_over_time with its infinite-mean shortcut), and updates stddev/stdvar Welford-style with
compensated sums; we replay those loops (see _scan: lockstep across windows, or along padded
rows for plain sums). min/max follow its NaN rule (a NaN is replaced by any later sample).
avg, stddev and stdvar carry state from sample to sample, so only the lockstep loop fits them.
"""

from __future__ import annotations

import numpy as np

from erpmon.model import Labels
from erpmon.promql._values import F64, I64, Bool, RangeWindows, StepVector
from erpmon.promql.functions._scan import (
    Scan,
    at_count,
    kahan_add,
    kahan_inc,
    kahan_rows,
    padded,
    scan,
    step_param,
    to_vector,
)

# Largest padded block (windows x samples) quantile_over_time sorts at once.
_QUANTILE_BLOCK = 1 << 20


def count_over_time(w: RangeWindows) -> StepVector:
    s = scan(w)
    return to_vector(w, s, s.count.astype(np.float64))


def present_over_time(w: RangeWindows) -> StepVector:
    s = scan(w)
    return to_vector(w, s, np.ones(s.size))


def last_over_time(w: RangeWindows) -> StepVector:
    """The last sample; unlike every other range function it keeps the metric name."""
    s = scan(w)
    return to_vector(w, s, w.vs[s.last], keep_name=True)


def absent_over_time(w: RangeWindows, absent_labels: Labels) -> StepVector:
    """1 with `absent_labels` at the steps where no series has a sample in its window."""
    steps = w.eval_t.shape[0]
    seen: Bool = np.zeros(steps, dtype=bool)
    if w.start.shape[0]:
        seen = np.any((w.end - w.start) > 0, axis=0)
    return StepVector([absent_labels], np.ones((1, steps)), ~seen[None, :])


def _kahan_sum(w: RangeWindows, s: Scan) -> tuple[F64, F64]:
    """Each window's Kahan sum and compensation, in lockstep or as padded rows (same bits)."""
    total = np.zeros(s.size)
    comp = np.zeros(s.size)
    with np.errstate(all="ignore"):
        if s.lockstep_pays():
            for part, blk in s.blocks():
                t, c = total[part], comp[part]
                for _, m, idx in blk.positions():
                    kahan_add(w.vs[idx], t[:m], c[:m])
        else:
            for pad in padded(s):
                t_rows, c_rows = kahan_rows(pad.values(w.vs, 0.0))
                total[pad.part] = at_count(t_rows, pad.count)
                comp[pad.part] = at_count(c_rows, pad.count)
    return total, comp


def sum_over_time(w: RangeWindows) -> StepVector:
    s = scan(w)
    total, comp = _kahan_sum(w, s)
    with np.errstate(all="ignore"):
        result = np.where(np.isinf(total), total, total + comp)
    return to_vector(w, s, result)


def avg_over_time(w: RangeWindows) -> StepVector:
    s = scan(w)
    mean = np.zeros(s.size)
    comp = np.zeros(s.size)
    # The infinite-mean rule needs checking only if the mean can become infinite at all.
    tame = bool(np.isfinite(w.vs).all()) and (w.vs.size == 0 or float(np.abs(w.vs).max()) < 1e300)
    with np.errstate(all="ignore"):
        for part, blk in s.blocks():
            mean_b, comp_b = mean[part], comp[part]
            for k, m, idx in blk.positions():
                v = w.vs[idx]
                mu, c = mean_b[:m], comp_b[:m]
                count = float(k + 1)
                inc = v / count - mu / count
                if tame:
                    kahan_add(inc, mu, c)
                    continue
                # Once the mean is infinite it stays as it is for any finite sample and for an
                # infinity of its own sign (Prometheus skips those; mean - mean would be NaN).
                v_inf = np.isinf(v)
                keep = np.isinf(mu) & ((v_inf & ((mu > 0) == (v > 0))) | (~v_inf & ~np.isnan(v)))
                new_mu, new_c = kahan_inc(inc, mu, c)
                mu[...] = np.where(keep, mu, new_mu)
                c[...] = np.where(keep, c, new_c)
        result = np.where(np.isinf(mean), mean, mean + comp)
    return to_vector(w, s, result)


def _variance(w: RangeWindows, s: Scan) -> F64:
    mean = np.zeros(s.size)
    c_mean = np.zeros(s.size)
    aux = np.zeros(s.size)
    c_aux = np.zeros(s.size)
    with np.errstate(all="ignore"):
        for part, blk in s.blocks():
            mean_b, c_mean_b, aux_b, c_aux_b = mean[part], c_mean[part], aux[part], c_aux[part]
            for k, m, idx in blk.positions():
                v = w.vs[idx]
                mu, c_mu = mean_b[:m], c_mean_b[:m]
                delta = v - (mu + c_mu)
                kahan_add(delta / float(k + 1), mu, c_mu)
                kahan_add(delta * (v - (mu + c_mu)), aux_b[:m], c_aux_b[:m])
        variance: F64 = (aux + c_aux) / s.count
    return variance


def stdvar_over_time(w: RangeWindows) -> StepVector:
    s = scan(w)
    return to_vector(w, s, _variance(w, s))


def stddev_over_time(w: RangeWindows) -> StepVector:
    s = scan(w)
    with np.errstate(all="ignore"):
        return to_vector(w, s, np.sqrt(_variance(w, s)))


def _extreme(w: RangeWindows, largest: bool) -> StepVector:
    """Prometheus keeps the first sample, replaced by any greater (smaller) one, and a NaN by
    anything: the max (min) of the non-NaN samples, NaN if all are. Of equal extremes the first
    stays, which only shows for zeros: the result is then the window's first zero, with its sign.
    """
    s = scan(w)
    if s.lockstep_pays():
        best = w.vs[s.first].copy()
        with np.errstate(invalid="ignore"):
            for part, blk in s.blocks():
                best_b = best[part]
                for _, m, idx in blk.positions(1):
                    v = w.vs[idx]
                    b = best_b[:m]
                    better = (v > b) if largest else (v < b)
                    better |= np.isnan(b)
                    np.copyto(b, v, where=better)
        return to_vector(w, s, best)
    result = np.empty(s.size)
    reduce = np.fmax.reduce if largest else np.fmin.reduce
    for pad in padded(s):
        x = pad.values(w.vs, np.nan)
        top = reduce(x, axis=1)
        zero = top == 0
        if zero.any():
            first_zero = np.argmax((x == 0) & pad.inside, axis=1)
            top = np.where(zero, x[np.arange(x.shape[0]), first_zero], top)
        result[pad.part] = top
    return to_vector(w, s, result)


def max_over_time(w: RangeWindows) -> StepVector:
    return _extreme(w, largest=True)


def min_over_time(w: RangeWindows) -> StepVector:
    return _extreme(w, largest=False)


def quantile_over_time(phi: F64, w: RangeWindows) -> StepVector:
    """Prometheus's quantile(): values sorted with NaN first, linear between the closest ranks."""
    s = scan(w)
    q = step_param(phi, s)
    result = np.empty(s.size)
    for pad in padded(s, _QUANTILE_BLOCK):
        result[pad.part] = _quantile_rows(pad.values(w.vs, np.inf), pad.inside, pad.count, q[pad.part])
    return to_vector(w, s, result)


def _quantile_rows(vals: F64, inside: Bool, count: I64, q: F64) -> F64:
    nan = np.isnan(vals)
    n_nan = nan.sum(axis=1)
    # NaNs sort first in Prometheus; stand them in as -Inf (all equal, so the order of the rest
    # is unchanged) and put NaN back in the first n_nan places. Padding sorts last as +Inf.
    vals = np.where(nan, -np.inf, vals)
    # Stable, as Go's insertion sort is for the short windows it sorts that way: -0 and 0 compare
    # equal, so their order decides the sign of a zero result.
    vals.sort(axis=1, kind="stable")
    width = vals.shape[1]
    n = count.astype(np.float64)
    with np.errstate(all="ignore"):
        rank = q * (n - 1)
        floor_rank = np.floor(rank)
        lower = np.maximum(0.0, floor_rank)
        upper = np.minimum(n - 1, lower + 1)
        weight = rank - floor_rank
        rows = np.arange(vals.shape[0])
        # Out-of-range φ gives indices outside the window; their result is replaced below.
        lo_i = np.clip(np.nan_to_num(lower), 0, width - 1).astype(np.int64)
        hi_i = np.clip(np.nan_to_num(upper), 0, width - 1).astype(np.int64)
        lo_v = np.where(lo_i < n_nan, np.nan, vals[rows, lo_i])
        hi_v = np.where(hi_i < n_nan, np.nan, vals[rows, hi_i])
        result = lo_v * (1 - weight) + hi_v * weight
    result = np.where(q < 0, -np.inf, result)
    result = np.where(q > 1, np.inf, result)
    out: F64 = np.where(np.isnan(q), np.nan, result)
    return out
