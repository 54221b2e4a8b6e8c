"""Lossless column transforms for block samples (the why and the measurements: docs/tsdb-format.md).

Rows are grouped per series and sorted by time. Per series:
- `dt`: t[i] - t[i-1]; the first row repeats the second delta (a filler, so encodings see
  no jump between series) and the true first timestamp goes to the series table.
- values use a per-series `scale`: k >= 0 means every finite value v equals
  int(round(v * 10^k)) / 10^k bit for bit, and `dv` holds deltas of those integers (first
  row: filler, first integer in the series table). Values that are not finite or are -0.0
  are "exceptions": their bits go to the nullable `vx` column and the integer carries over.
  k = -1 (XOR) stores each value's bits XOR the previous value's bits, first row raw.
Everything is vectorised over the whole block: segment starts, reduceat and cumulative ops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]

XOR = -1
MAX_SCALE = 9
_NEG_ZERO_BITS = np.uint64(0x8000000000000000)
_EXACT = float(2**53)


@dataclass(frozen=True)
class Encoded:
    dt: I64
    dv: I64
    vx: I64  # exception bits, meaningful where vx_valid
    vx_valid: npt.NDArray[np.bool_]
    first_t: I64
    first_v: I64
    scale: npt.NDArray[np.int8]


def _starts(counts: I64) -> I64:
    return np.cumsum(counts) - counts


def _exceptions(vs: F64) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = ~np.isfinite(vs) | (vs.view(np.uint64) == _NEG_ZERO_BITS)
    return out


def choose_scales(vs: F64, counts: I64) -> npt.NDArray[np.int8]:
    """Smallest decimal scale that round-trips every non-exception value, else XOR.

    Each pass only looks at the rows of series still undecided, so a block of counters
    (all scale 0) costs one pass.
    """
    n_series = len(counts)
    scale = np.full(n_series, XOR, dtype=np.int8)
    if not len(vs):
        return scale
    series = np.arange(n_series)
    finite = np.where(_exceptions(vs), np.nan, vs)  # NaN marks "no constraint"
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(MAX_SCALE + 1):
            p = 10.0**k
            scaled = np.round(finite * p)
            fits = np.abs(scaled) < _EXACT
            back = np.where(fits, scaled, 0.0).astype(np.int64).astype(np.float64) / p
            ok = np.isnan(finite) | (fits & (back.view(np.uint64) == finite.view(np.uint64)))
            ok_series = np.logical_and.reduceat(ok, np.cumsum(counts) - counts)
            scale[series[ok_series]] = k
            if ok_series.all():
                break
            # Keep only the undecided series' rows for the next, finer scale.
            rows = np.repeat(~ok_series, counts)
            finite, counts, series = finite[rows], counts[~ok_series], series[~ok_series]
    return scale


def encode(ts: I64, vs: F64, counts: I64) -> Encoded:
    """Encode rows grouped by series (`counts[i]` rows each, none empty, times rising)."""
    n = len(ts)
    starts = _starts(counts)
    is_start = np.zeros(n, dtype=bool)
    is_start[starts] = True
    has_second = counts > 1
    scale = choose_scales(vs, counts)

    dt = np.empty(n, dtype=np.int64)
    dt[1:] = ts[1:] - ts[:-1]
    dt[starts] = np.where(has_second, dt[np.minimum(starts + 1, n - 1)], 0)

    bits = vs.view(np.uint64)
    scale_rows = np.repeat(scale, counts)
    special = _exceptions(vs)
    decimal = scale_rows >= 0
    valid = decimal & ~special
    iv = np.zeros(n, dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.round(vs[valid] * 10.0 ** scale_rows[valid])
    iv[valid] = scaled.astype(np.int64)
    # Exceptions carry the previous integer so the deltas around them stay small.
    src = np.maximum.accumulate(np.where(valid | is_start, np.arange(n), 0))
    iv = iv[src]
    dv = np.empty(n, dtype=np.int64)
    dv[1:] = iv[1:] - iv[:-1]
    dv[starts] = np.where(has_second, dv[np.minimum(starts + 1, n - 1)], 0)
    prev = np.empty(n, dtype=np.uint64)
    prev[1:] = bits[:-1]
    prev[starts] = 0
    xor_rows = ~decimal
    dv[xor_rows] = (bits[xor_rows] ^ prev[xor_rows]).view(np.int64)
    vx_valid = decimal & special
    vx = np.where(vx_valid, bits.view(np.int64), 0)
    first_v = np.where(scale >= 0, iv[starts], 0)
    return Encoded(dt, dv, vx, vx_valid, ts[starts].copy(), first_v, scale)


def _segmented_cumsum(deltas: I64, starts: I64, firsts: I64) -> I64:
    """Per segment: firsts[i], then running sums of the segment's deltas after its first row.

    One cumsum over everything: each segment's first delta is replaced by the jump from
    the previous segment's last value to this segment's first value.
    """
    x = deltas.copy()
    csum = np.cumsum(deltas)
    # Value of the last row of segment i-1 under the plain cumsum, minus its true value.
    ends = starts[1:] - 1
    prev_true_last = firsts[:-1] + (csum[ends] - csum[starts[:-1]])
    x[starts[0]] = firsts[0]
    x[starts[1:]] = firsts[1:] - prev_true_last
    out: I64 = np.cumsum(x)
    return out


def decode(
    dt: I64,
    dv: I64,
    vx: I64,
    vx_valid: npt.NDArray[np.bool_],
    counts: I64,
    first_t: I64,
    first_v: I64,
    scale: npt.NDArray[np.int8],
) -> tuple[I64, F64]:
    """Inverse of `encode` for whole series (rows of series i are `counts[i]` long)."""
    n = len(dt)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    starts = _starts(counts)
    ts = _segmented_cumsum(dt, starts, first_t)
    iv = _segmented_cumsum(dv, starts, first_v)
    vs = iv.astype(np.float64)
    if (scale > 0).any():
        vs /= np.repeat(10.0 ** np.maximum(scale, 0), counts)
    if (scale < 0).any():
        decimal = np.repeat(scale >= 0, counts)
        acc = np.bitwise_xor.accumulate(dv.view(np.uint64))
        before = np.where(starts > 0, acc[np.maximum(starts - 1, 0)], np.uint64(0))
        xbits = acc ^ np.repeat(before, counts)
        vs = np.where(decimal, vs, xbits.view(np.float64))
    if vx_valid.any():
        vs[vx_valid] = vx[vx_valid].view(np.float64)
    return ts, vs
