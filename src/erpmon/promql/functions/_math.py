"""Element-wise functions on instant vectors: math, rounding, clamping. All drop the metric name."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from erpmon.promql._values import F64, StepVector

# Go's math constants 1/Ln10 and 1/Ln2, rounded once from their exact values as Go's compiler does
# (1/math.log(10) in float arithmetic is one ulp off).
_INV_LN10 = 0.4342944819032518
_INV_LN2 = 1.4426950408889634


# fdlibm's e_log.c coefficients, as Go's math.Log uses them.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
_FRAC_MASK = np.uint64(0x000FFFFFFFFFFFFF)
_HALF_EXP = np.uint64(0x3FE0000000000000)


def _ln(v: F64) -> F64:
    """Go's math.Log on amd64, bit for bit (numpy's log differs in the last bit for ~3% of inputs).

    The reduction splits the bits as the assembly does: subnormals are not renormalised, which
    gives Prometheus's (inexact) answers for them too.
    """
    x = np.asarray(v, dtype=np.float64)
    bits = x.view(np.uint64)
    f1 = ((bits & _FRAC_MASK) | _HALF_EXP).view(np.float64)
    k = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.float64) - 1022.0
    low = f1 < math.sqrt(2) / 2
    f1 = np.where(low, f1 * 2, f1)
    k = np.where(low, k - 1, k)
    f = f1 - 1
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    lg1, lg2, lg3, lg4, lg5, lg6, lg7 = _LG
    r = s2 * (lg1 + s4 * (lg3 + s4 * (lg5 + s4 * lg7))) + s4 * (lg2 + s4 * (lg4 + s4 * lg6))
    hfsq = 0.5 * f * f
    out = k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)
    out = np.where(x == 0, -np.inf, out)
    out = np.where(x < 0, np.nan, out)
    result: F64 = np.where(np.isnan(x) | np.isposinf(x), x, out)
    return result


def _log2(v: F64) -> F64:
    """Go's math.Log2: exact for powers of two, else Log(frac)/Ln2 + exp (Frexp renormalises)."""
    frac, exp = np.frexp(v)
    out: F64 = np.where(frac == 0.5, (exp - 1).astype(np.float64), _ln(frac) * _INV_LN2 + exp)
    return out


def _log10(v: F64) -> F64:
    out: F64 = _ln(v) * _INV_LN10
    return out


def _sgn(v: F64) -> F64:
    out: F64 = np.where(v < 0, -1.0, np.where(v > 0, 1.0, v))
    return out


def _deg(v: F64) -> F64:
    out: F64 = v * 180 / math.pi
    return out


def _rad(v: F64) -> F64:
    out: F64 = v * math.pi / 180
    return out


UNARY: dict[str, Callable[[F64], F64]] = {
    "abs": np.abs,
    "ceil": np.ceil,
    "floor": np.floor,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "ln": _ln,
    "log2": _log2,
    "log10": _log10,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "asinh": np.arcsinh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "deg": _deg,
    "rad": _rad,
    "sgn": _sgn,
}


def _without_name(v: StepVector, values: F64, present: np.ndarray | None = None) -> StepVector:
    return StepVector(
        [lset.without_name() for lset in v.labels], values, v.present if present is None else present
    )


def unary(name: str, v: StepVector) -> StepVector:
    with np.errstate(all="ignore"):
        values = UNARY[name](v.values)
    return _without_name(v, np.asarray(values, dtype=np.float64))


def go_max(x: F64, y: F64) -> F64:
    """Go's math.Max: +Inf wins over NaN, NaN over the rest, +0 over -0."""
    with np.errstate(invalid="ignore"):
        out = np.where(x > y, x, y)
        zeros = (x == 0) & (y == 0)
        out = np.where(zeros, np.where(np.signbit(x), y, x), out)
        out = np.where(np.isnan(x) | np.isnan(y), np.nan, out)
        result: F64 = np.where(np.isposinf(x) | np.isposinf(y), np.inf, out)
    return result


def go_min(x: F64, y: F64) -> F64:
    """Go's math.Min: -Inf wins over NaN, NaN over the rest, -0 over +0."""
    with np.errstate(invalid="ignore"):
        out = np.where(x < y, x, y)
        zeros = (x == 0) & (y == 0)
        out = np.where(zeros, np.where(np.signbit(x), x, y), out)
        out = np.where(np.isnan(x) | np.isnan(y), np.nan, out)
        result: F64 = np.where(np.isneginf(x) | np.isneginf(y), -np.inf, out)
    return result


def clamp(v: StepVector, lo: F64, hi: F64) -> StepVector:
    """max(lo, min(hi, v)); no output at steps where hi < lo."""
    shape = v.values.shape
    capped = go_min(np.broadcast_to(hi[None, :], shape), v.values)
    values = go_max(np.broadcast_to(lo[None, :], shape), capped)
    with np.errstate(invalid="ignore"):
        keep = ~(hi < lo)
    return _without_name(v, values, v.present & keep[None, :])


def clamp_max(v: StepVector, hi: F64) -> StepVector:
    return _without_name(v, go_min(np.broadcast_to(hi[None, :], v.values.shape), v.values))


def clamp_min(v: StepVector, lo: F64) -> StepVector:
    return _without_name(v, go_max(np.broadcast_to(lo[None, :], v.values.shape), v.values))


def round_(v: StepVector, to_nearest: F64 | None) -> StepVector:
    """floor(v / to_nearest + 0.5) * to_nearest, computed with the inverse as Prometheus does."""
    nearest = np.ones(v.n_steps) if to_nearest is None else to_nearest
    with np.errstate(all="ignore"):
        inverse = (1.0 / nearest)[None, :]
        values = np.floor(v.values * inverse + 0.5) / inverse
    return _without_name(v, values)
