"""Straightforward one-window-at-a-time versions of Prometheus 2.42's range functions.

They follow functions.go's loops literally (in Python floats, which are IEEE doubles like Go's),
so the vectorised implementation must give the same bits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

Window = Sequence[tuple[int, float]]  # (t_ms, value), sorted, at least one sample


def _kahan_inc(inc: float, total: float, comp: float) -> tuple[float, float]:
    t = total + inc
    if abs(total) >= abs(inc):
        comp += (total - t) + inc
    else:
        comp += (inc - t) + total
    return t, comp


def extrapolated(w: Window, eval_t: int, range_ms: int, counter: bool, rate: bool) -> float | None:
    if len(w) < 2:
        return None
    result = w[-1][1] - w[0][1]
    if counter:
        prev = w[0][1]
        for _, v in w[1:]:
            if v < prev:
                result += prev
            prev = v
    to_start = (w[0][0] - (eval_t - range_ms)) / 1000
    to_end = (eval_t - w[-1][0]) / 1000
    sampled = (w[-1][0] - w[0][0]) / 1000
    average = sampled / (len(w) - 1)
    if counter and result > 0 and w[0][1] >= 0:
        to_zero = sampled * (w[0][1] / result)
        if to_zero < to_start:
            to_start = to_zero
    threshold = average * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average / 2
    interval += to_end if to_end < threshold else average / 2
    factor = interval / sampled
    if rate:
        factor /= (
            float(range_ms // 1000) + float(range_ms % 1000 * 1_000_000) / 1e9
        )  # Go's Duration.Seconds()
    return result * factor


def instant(w: Window, rate: bool) -> float | None:
    if len(w) < 2:
        return None
    (t0, v0), (t1, v1) = w[-2], w[-1]
    result = v1 if rate and v1 < v0 else v1 - v0
    if rate:
        result /= (t1 - t0) / 1000
    return result


def sum_over_time(w: Window) -> float:
    total = comp = 0.0
    for _, v in w:
        total, comp = _kahan_inc(v, total, comp)
    return total if math.isinf(total) else total + comp


def avg_over_time(w: Window) -> float:
    mean = comp = count = 0.0
    for _, v in w:
        count += 1
        if math.isinf(mean):
            if math.isinf(v) and (mean > 0) == (v > 0):
                continue
            if not math.isinf(v) and not math.isnan(v):
                continue
        mean, comp = _kahan_inc(v / count - mean / count, mean, comp)
    return mean if math.isinf(mean) else mean + comp


def stdvar_over_time(w: Window) -> float:
    count = mean = c_mean = aux = c_aux = 0.0
    for _, v in w:
        count += 1
        delta = v - (mean + c_mean)
        mean, c_mean = _kahan_inc(delta / count, mean, c_mean)
        aux, c_aux = _kahan_inc(delta * (v - (mean + c_mean)), aux, c_aux)
    return (aux + c_aux) / count


def stddev_over_time(w: Window) -> float:
    return math.sqrt(stdvar_over_time(w))


def max_over_time(w: Window) -> float:
    best = w[0][1]
    for _, v in w:
        if v > best or math.isnan(best):
            best = v
    return best


def min_over_time(w: Window) -> float:
    best = w[0][1]
    for _, v in w:
        if v < best or math.isnan(best):
            best = v
    return best


def quantile(q: float, w: Window) -> float:
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    values = sorted((v for _, v in w), key=lambda v: (not math.isnan(v), v if not math.isnan(v) else 0))
    n = float(len(values))
    rank = q * (n - 1)
    lower = max(0.0, math.floor(rank))
    upper = min(n - 1, lower + 1)
    weight = rank - math.floor(rank)
    return values[int(lower)] * (1 - weight) + values[int(upper)] * weight


def changes(w: Window) -> float:
    n = 0
    for (_, a), (_, b) in itertools.pairwise(w):
        if b != a and not (math.isnan(a) and math.isnan(b)):
            n += 1
    return float(n)


def resets(w: Window) -> float:
    return float(sum(1 for (_, a), (_, b) in itertools.pairwise(w) if b < a))


def linear_regression(w: Window, intercept_t: int) -> tuple[float, float]:
    n = sx = cx = sy = cy = sxy = cxy = sx2 = cx2 = 0.0
    init_y = w[0][1]
    const_y = True
    for i, (t, v) in enumerate(w):
        if const_y and i > 0 and v != init_y:
            const_y = False
        n += 1.0
        x = (t - intercept_t) / 1e3
        sx, cx = _kahan_inc(x, sx, cx)
        sy, cy = _kahan_inc(v, sy, cy)
        sxy, cxy = _kahan_inc(x * v, sxy, cxy)
        sx2, cx2 = _kahan_inc(x * x, sx2, cx2)
    if const_y:
        if math.isinf(init_y):
            return math.nan, math.nan
        return 0.0, init_y
    sx, sy, sxy, sx2 = sx + cx, sy + cy, sxy + cxy, sx2 + cx2
    cov = sxy - sx * sy / n
    var = sx2 - sx * sx / n
    slope = _div(cov, var)
    return slope, sy / n - slope * sx / n


def holt_winters(w: Window, sf: float, tf: float) -> float | None:
    if len(w) < 2:
        return None
    s0, s1 = 0.0, w[0][1]
    b = w[1][1] - w[0][1]
    for i in range(1, len(w)):
        x = sf * w[i][1]
        if i - 1 != 0:
            b = tf * (s1 - s0) + (1 - tf) * b
        y = (1 - sf) * (s1 + b)
        s0, s1 = s1, x + y
    return s1


SIMPLE: dict[str, Callable[[Window], float]] = {
    "sum_over_time": sum_over_time,
    "avg_over_time": avg_over_time,
    "stdvar_over_time": stdvar_over_time,
    "stddev_over_time": stddev_over_time,
    "max_over_time": max_over_time,
    "min_over_time": min_over_time,
    "changes": changes,
    "resets": resets,
    "count_over_time": lambda w: float(len(w)),
    "last_over_time": lambda w: w[-1][1],
    "present_over_time": lambda w: 1.0,
}


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """bucketQuantile for (upper bound, count) pairs, as quantile.go's loops do it."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets, key=lambda b: b[0])
    if not math.isinf(buckets[-1][0]) or buckets[-1][0] < 0:
        return math.nan
    merged: list[list[float]] = []
    for bound, count in buckets:
        if merged and merged[-1][0] == bound:
            merged[-1][1] += count
        else:
            merged.append([bound, count])
    top = merged[0][1]
    for b in merged[1:]:
        if b[1] > top:
            top = b[1]
        elif b[1] < top:
            b[1] = top
    if len(merged) < 2:
        return math.nan
    observations = merged[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    lo, hi = 0, len(merged) - 1  # Go's sort.Search over all but the last bucket
    while lo < hi:
        mid = (lo + hi) // 2
        if not merged[mid][1] >= rank:
            lo = mid + 1
        else:
            hi = mid
    k = lo
    if k == len(merged) - 1:
        return merged[-2][0]
    if k == 0 and merged[0][0] <= 0:
        return merged[0][0]
    start, end, count = 0.0, merged[k][0], merged[k][1]
    if k > 0:
        start = merged[k - 1][0]
        count -= merged[k - 1][1]
        rank -= merged[k - 1][1]
    return start + (end - start) * _div(rank, count)


def _div(a: float, b: float) -> float:
    """IEEE division as Go does it (Python raises on a zero divisor)."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)
