"""deriv and predict_linear (least squares with Kahan sums), holt_winters (double exponential smoothing)."""

from __future__ import annotations

import math

import numpy as np

from erpmon.promql._values import F64, I64, RangeWindows, StepVector
from erpmon.promql.functions._context import FunctionError
from erpmon.promql.functions._scan import Scan, kahan_add, scan, step_param, to_vector


def _linear_regression(w: RangeWindows, s: Scan, intercept_t: I64) -> tuple[F64, F64]:
    """Slope and intercept at intercept_t (per window) as Prometheus's linearRegression computes them."""
    size = s.size
    sums = np.zeros((4, size))  # x, y, xy, x²
    comps = np.zeros((4, size))
    init_y = w.vs[s.first]
    const_y = np.ones(size, dtype=bool)
    with np.errstate(all="ignore"):
        for part, blk in s.blocks():
            sum_b, comp_b = sums[:, part], comps[:, part]
            const_b, init_b, t0_b = const_y[part], init_y[part], intercept_t[part]
            for k, m, idx in blk.positions():
                v = w.vs[idx]
                if k > 0:
                    const_b[:m] &= v == init_b[:m]
                x = (w.ts[idx] - t0_b[:m]) / 1e3
                kahan_add(x, sum_b[0, :m], comp_b[0, :m])
                kahan_add(v, sum_b[1, :m], comp_b[1, :m])
                kahan_add(x * v, sum_b[2, :m], comp_b[2, :m])
                kahan_add(x * x, sum_b[3, :m], comp_b[3, :m])
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
