"""deriv and predict_linear (least squares with Kahan sums), holt_winters (double exponential smoothing)."""

from __future__ import annotations

import math

import numpy as np

from erpmon.promql._values import F64, I64, RangeWindows, StepVector
from erpmon.promql.functions._context import FunctionError
from erpmon.promql.functions._scan import (
    Scan,
    at_count,
    kahan_add,
    kahan_rows,
    padded,
    scan,
    step_param,
    to_vector,
)


def _regression_sums(w: RangeWindows, s: Scan, intercept_t: I64) -> tuple[F64, F64]:
    """Kahan sums of x, y, xy, x² per window (rows of the result) and their compensations."""
    sums = np.zeros((4, s.size))
    comps = np.zeros((4, s.size))
    if s.lockstep_pays():
        for part, blk in s.blocks():
            sum_b, comp_b, t0_b = sums[:, part], comps[:, part], intercept_t[part]
            for _, m, idx in blk.positions():
                v = w.vs[idx]
                x = (w.ts[idx] - t0_b[:m]) / 1e3
                for row, term in enumerate((x, v, x * v, x * x)):
                    kahan_add(term, sum_b[row, :m], comp_b[row, :m])
        return sums, comps
    for pad in padded(s):
        y = pad.values(w.vs, 0.0)
        x = np.where(pad.inside, (w.ts[pad.idx] - intercept_t[pad.part, None]) / 1e3, 0.0)
        for row, term in enumerate((x, y, x * y, x * x)):
            t_rows, c_rows = kahan_rows(term)
            sums[row, pad.part] = at_count(t_rows, pad.count)
            comps[row, pad.part] = at_count(c_rows, pad.count)
    return sums, comps


def _linear_regression(w: RangeWindows, s: Scan, intercept_t: I64) -> tuple[F64, F64]:
    """Slope and intercept at intercept_t (per window) as Prometheus's linearRegression computes them."""
    init_y = w.vs[s.first]
    # Constant y: every later sample equals the first (so none is NaN).
    cum = np.zeros(w.vs.shape[0] + 1, dtype=np.int64)
    if w.vs.shape[0] > 1:
        np.cumsum(w.vs[1:] != w.vs[:-1], out=cum[2:])
    const_y = (cum[s.first + s.count] - cum[s.first + 1] == 0) & ~np.isnan(init_y)
    with np.errstate(all="ignore"):
        sums, comps = _regression_sums(w, s, intercept_t)
        n = s.count.astype(np.float64)
        sum_x, sum_y, sum_xy, sum_x2 = sums + comps
        cov_xy = sum_xy - sum_x * sum_y / n
        var_x = sum_x2 - sum_x * sum_x / n
        slope = cov_xy / var_x
        intercept = sum_y / n - slope * sum_x / n
    const_inf = const_y & np.isinf(init_y)
    slope = np.where(const_y, np.where(const_inf, np.nan, 0.0), slope)
    intercept = np.where(const_y, np.where(const_inf, np.nan, init_y), intercept)
    return slope, intercept


def deriv(w: RangeWindows) -> StepVector:
    s = scan(w, 2)
    slope, _ = _linear_regression(w, s, w.ts[s.first])
    return to_vector(w, s, slope)


def predict_linear(w: RangeWindows, duration: F64, step_times: I64) -> StepVector:
    """The regression's value `duration` seconds after the step time (Prometheus uses the step's
    evaluation time, before offset and @, as the intercept time)."""
    s = scan(w, 2)
    slope, intercept = _linear_regression(w, s, np.asarray(step_times, dtype=np.int64)[s.step])
    with np.errstate(all="ignore"):
        result = slope * step_param(duration, s) + intercept
    return to_vector(w, s, result)


def _go_f(x: float) -> str:
    """Go's %f for the factors in holt_winters' errors."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    return f"{x:f}"


def _check_factors(w: RangeWindows, sf: F64, tf: F64) -> None:
    """Raise as Prometheus does on the first window (series by series, step by step) it computes."""
    counts = w.end - w.start
    with np.errstate(invalid="ignore"):  # NaN factors pass Prometheus's check
        sf_bad = (sf <= 0) | (sf >= 1)
        tf_bad = (tf <= 0) | (tf >= 1)
    bad = (counts > 0) & (sf_bad | tf_bad)[None, :]
    if not bad.any():
        return
    _, step = np.unravel_index(int(np.argmax(bad.ravel())), bad.shape)
    if sf_bad[step]:
        raise FunctionError(f"invalid smoothing factor. Expected: 0 < sf < 1, got: {_go_f(float(sf[step]))}")
    raise FunctionError(f"invalid trend factor. Expected: 0 < tf < 1, got: {_go_f(float(tf[step]))}")


def holt_winters(w: RangeWindows, sf_steps: F64, tf_steps: F64) -> StepVector:
    sf_steps = np.asarray(sf_steps, dtype=np.float64)
    tf_steps = np.asarray(tf_steps, dtype=np.float64)
    _check_factors(w, sf_steps, tf_steps)
    s = scan(w, 2)
    sf = step_param(sf_steps, s)
    tf = step_param(tf_steps, s)
    s0 = np.zeros(s.size)
    s1 = w.vs[s.first].copy()
    trend = w.vs[s.first + 1] - s1
    with np.errstate(all="ignore"):
        for part, blk in s.blocks():
            s0_b, s1_b, b_b, sf_b, tf_b = s0[part], s1[part], trend[part], sf[part], tf[part]
            for k, m, idx in blk.positions(1):
                x = sf_b[:m] * w.vs[idx]
                if k > 1:  # the trend is the initial one at the first smoothing step
                    b_b[:m] = tf_b[:m] * (s1_b[:m] - s0_b[:m]) + (1 - tf_b[:m]) * b_b[:m]
                y = (1 - sf_b[:m]) * (s1_b[:m] + b_b[:m])
                s0_b[:m] = s1_b[:m]
                s1_b[:m] = x + y
    return to_vector(w, s, s1)
