"""rate, increase, delta (extrapolated), irate, idelta, resets, changes."""

from __future__ import annotations

import numpy as np

from erpmon.promql._values import F64, I64, Bool, RangeWindows, StepVector
from erpmon.promql.functions._scan import Scan, longest_first, pair_counts, scan, series_starts, to_vector


def range_seconds(range_ms: int) -> float:
    """Go's time.Duration.Seconds() of a millisecond range: whole seconds plus the fraction."""
    whole, ms = divmod(range_ms, 1000)
    return float(whole) + float(ms * 1_000_000) / 1e9


def _drops(w: RangeWindows) -> Bool:
    """drops[i]: sample i is lower than the one before it in its series (a counter reset)."""
    vs = w.vs
    drops = np.zeros(vs.shape[0], dtype=bool)
    if vs.shape[0] > 1:
        with np.errstate(invalid="ignore"):
            drops[1:] = vs[1:] < vs[:-1]
    drops &= ~series_starts(w)
    return drops


def _add_reset_values(w: RangeWindows, s: Scan, result: F64) -> None:
    """Add the value before each counter reset in each window, in sample order, as Prometheus does."""
    resets = np.flatnonzero(_drops(w))
    if resets.size == 0:
        return
    lo = np.searchsorted(resets, s.first + 1, side="left")
    hi = np.searchsorted(resets, s.last + 1, side="left")
    sel = np.flatnonzero(hi > lo)
    if sel.size == 0:
        return
    order, running = longest_first((hi - lo)[sel])
    sel = sel[order]
    base = lo[sel]
    acc = result[sel]
    for k, m in enumerate(running.tolist()):
        acc[:m] += w.vs[resets[base[:m] + k] - 1]
    result[sel] = acc


def extrapolated_rate(w: RangeWindows, is_counter: bool, is_rate: bool) -> StepVector:
    """Prometheus 2.42's extrapolatedRate for float samples, every window at once."""
    s = scan(w, 2)
    first, last = s.first, s.last
    first_t, last_t = w.ts[first], w.ts[last]
    first_v = w.vs[first]
    eval_t = w.eval_t[s.step]
    with np.errstate(all="ignore"):
        result = w.vs[last] - first_v
        if is_counter:
            _add_reset_values(w, s, result)
        to_start = (first_t - (eval_t - w.range_ms)) / 1000
        to_end = (eval_t - last_t) / 1000
        sampled = (last_t - first_t) / 1000
        average = sampled / (s.count - 1).astype(np.float64)
        if is_counter:
            to_zero = sampled * (first_v / result)
            use_zero = (result > 0) & (first_v >= 0) & (to_zero < to_start)
            to_start = np.where(use_zero, to_zero, to_start)
        threshold = average * 1.1
        interval = sampled + np.where(to_start < threshold, to_start, average / 2)
        interval = interval + np.where(to_end < threshold, to_end, average / 2)
        factor = interval / sampled
        if is_rate:
            factor = factor / range_seconds(w.range_ms)
        result = result * factor
    return to_vector(w, s, result)


def instant_value(w: RangeWindows, is_rate: bool) -> StepVector:
    """irate / idelta: the last two samples of each window."""
    s = scan(w, 2)
    last = s.last
    lv, pv = w.vs[last], w.vs[last - 1]
    with np.errstate(all="ignore"):
        if is_rate:
            result = np.where(lv < pv, lv, lv - pv)
            interval: I64 = w.ts[last] - w.ts[last - 1]
            result = result / (interval / 1000)
        else:
            result = lv - pv
    return to_vector(w, s, result)


def resets(w: RangeWindows) -> StepVector:
    s = scan(w, 1)
    return to_vector(w, s, pair_counts(w, s, _drops(w)).astype(np.float64))


def changes(w: RangeWindows) -> StepVector:
    vs = w.vs
    flags = np.zeros(vs.shape[0], dtype=bool)
    if vs.shape[0] > 1:
        cur, prev = vs[1:], vs[:-1]
        flags[1:] = (cur != prev) & ~(np.isnan(cur) & np.isnan(prev))
    s = scan(w, 1)
    return to_vector(w, s, pair_counts(w, s, flags).astype(np.float64))
