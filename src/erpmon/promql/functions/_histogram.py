"""histogram_quantile over classic buckets, every group and step at once (Prometheus's bucketQuantile).

Series are grouped by their labels without `le` (the metric name stays in the key, so two
histograms differing only by name give two results with equal labels: the evaluator's duplicate
check rejects them, as Prometheus does); the result drops `le` and `__name__`. At each step a
group's present buckets are sorted by bound, buckets with equal bounds summed, the counts made
monotonic, and the quantile interpolated in the bucket holding its rank (found with Go's binary
search, so non-monotonic NaN counts land where they land in Prometheus).
Native histograms are not supported: histogram_count/sum/fraction give empty vectors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from erpmon.model import Labels
from erpmon.promql._values import F64, I64, StepVector

BUCKET_LABEL = "le"
# Largest (group x slot x step) block handled at once.
_BLOCK = 1 << 20

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_HEX_DIGITS = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_HEX = re.compile(
    rf"[+-]?0[xX](?:_?{_HEX_DIGITS}(?:\.(?:{_HEX_DIGITS})?)?|\.{_HEX_DIGITS})[pP][+-]?[0-9](?:_?[0-9])*\Z"
)
_INF = re.compile(r"[+-]?(?:inf|infinity)\Z", re.IGNORECASE)


def go_parse_float(text: str) -> float | None:
    """Go's strconv.ParseFloat(text, 64), or None where it errs (syntax, or out of range)."""
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if text.lower() == "nan":
        return math.nan
    if _DECIMAL.match(text):
        value = float(text)
        return None if math.isinf(value) else value
    if _HEX.match(text):
        try:
            return float.fromhex(text.replace("_", ""))
        except OverflowError:
            return None
    return None


def histogram_quantile(phi: F64, v: StepVector) -> StepVector:
    steps = v.n_steps
    rows: list[int] = []
    bounds: list[float] = []
    parsed: dict[str, float | None] = {}
    for i, lset in enumerate(v.labels):
        le = lset.get(BUCKET_LABEL)
        bound = parsed[le] if le in parsed else parsed.setdefault(le, go_parse_float(le))
        if bound is not None:
            rows.append(i)
            bounds.append(bound)
    if not rows:
        return StepVector.empty(steps)
    index: dict[Labels, int] = {}
    group_of = np.fromiter(
        (index.setdefault(v.labels[i].without(BUCKET_LABEL), len(index)) for i in rows), np.int64, len(rows)
    )
    keys = list(index)
    row_idx = np.asarray(rows, dtype=np.int64)
    bound_arr = np.asarray(bounds, dtype=np.float64)
    order = np.lexsort((bound_arr, group_of))
    row_idx, bound_arr, group_of = row_idx[order], bound_arr[order], group_of[order]
    # A slot is one distinct bound in a group: buckets with equal bounds are added together.
    new_slot = np.ones(len(rows), dtype=bool)
    new_slot[1:] = (group_of[1:] != group_of[:-1]) | (bound_arr[1:] != bound_arr[:-1])
    slot_id = np.cumsum(new_slot) - 1
    first_slot_of_group = slot_id[np.flatnonzero(np.r_[True, group_of[1:] != group_of[:-1]])]
    slot_in_group = slot_id - first_slot_of_group[group_of]
    width = int(slot_in_group.max()) + 1
    ub = np.full((len(keys), width), np.nan)
    ub[group_of, slot_in_group] = bound_arr

    out_v = np.zeros((len(keys), steps))
    out_p = np.zeros((len(keys), steps), dtype=bool)
    unique_slots = bool(new_slot.all())
    chunk = max(1, _BLOCK // max(1, len(keys) * width))
    for lo in range(0, steps, chunk):
        hi = min(steps, lo + chunk)
        vals = v.values[row_idx, lo:hi]
        pres = v.present[row_idx, lo:hi]
        counts = np.zeros((len(keys), width, hi - lo))
        slot_present = np.zeros((len(keys), width, hi - lo), dtype=bool)
        if unique_slots:
            counts[group_of, slot_in_group] = np.where(pres, vals, 0.0)
            slot_present[group_of, slot_in_group] = pres
        else:  # equal bounds written differently ("0.2", "2e-1"): Prometheus adds them in bound order
            np.add.at(counts, (group_of, slot_in_group), np.where(pres, vals, 0.0))
            np.logical_or.at(slot_present, (group_of, slot_in_group), pres)
        values, present = _quantiles(np.asarray(phi, dtype=np.float64)[lo:hi], ub, counts, slot_present)
        out_v[:, lo:hi] = values
        out_p[:, lo:hi] = present
    labels = [k.without_name() for k in keys]
    return StepVector(labels, out_v, out_p)


def _quantiles(q: F64, ub: F64, counts: F64, slot_present: np.ndarray) -> tuple[F64, np.ndarray]:
    """bucketQuantile for every (group, step): ub (G, S) sorted bounds, counts/presence (G, S, T)."""
    g_n, s_n, t_n = counts.shape
    length: I64 = slot_present.sum(axis=1)  # (G, T) buckets present after coalescing
    b: F64 = np.broadcast_to(ub[:, :, None], counts.shape)
    c = counts
    gaps_g, gaps_t = np.nonzero(~slot_present.all(axis=1))
    if gaps_g.size:  # where buckets are missing, move the present ones to the front, in order
        c, b = counts.copy(), b.copy()
        here = slot_present[gaps_g, :, gaps_t]  # (K, S)
        k_i, s_i = np.nonzero(here)
        pos = (np.cumsum(here, axis=1) - 1)[k_i, s_i]
        sub_c = np.full(here.shape, np.nan)
        sub_b = np.full(here.shape, np.nan)
        sub_c[k_i, pos] = counts[gaps_g[k_i], s_i, gaps_t[k_i]]
        sub_b[k_i, pos] = ub[gaps_g[k_i], s_i]
        c[gaps_g, :, gaps_t] = sub_c
        b[gaps_g, :, gaps_t] = sub_b
    # ensureMonotonic: a running maximum; NaN counts stay, and a NaN first count stops it.
    running = np.fmax.accumulate(c, axis=1)
    nan_c = np.isnan(c)
    has_nan = bool(nan_c.any())
    mono = np.where(nan_c | nan_c[:, :1, :], c, running) if has_nan else running

    gg = np.arange(g_n)[:, None]
    tt = np.arange(t_n)[None, :]

    def at(arr: F64, idx: I64 | int) -> F64:
        out: F64 = arr[gg, np.clip(idx, 0, s_n - 1), tt]
        return out

    last = length - 1
    obs = at(mono, last)
    with np.errstate(all="ignore"):
        rank = q[None, :] * obs
        if has_nan:
            k = _go_search(mono, rank, np.maximum(last, 0), at)
        else:  # monotonic: the first bucket (before the last) whose count reaches the rank
            below = (mono < rank[:, None, :]) & (np.arange(s_n)[None, :, None] < last[:, None, :])
            # A NaN rank (0 × Inf observations) reaches no count: Go's search ends at the end.
            k = np.where(np.isnan(rank), np.maximum(last, 0), below.sum(axis=1))
        below_c = np.where(k > 0, at(mono, k - 1), 0.0)
        start = np.where(k > 0, at(b, k - 1), 0.0)
        end = at(b, k)
        bucket_count = np.where(k > 0, at(mono, k) - below_c, at(mono, k))
        in_rank = np.where(k > 0, rank - below_c, rank)
        result = start + (end - start) * (in_rank / bucket_count)
        result = np.where((k == 0) & (at(b, 0) <= 0), at(b, 0), result)
        result = np.where(k == last, at(b, last - 1), result)
        result = np.where(obs == 0, np.nan, result)
        result = np.where(length < 2, np.nan, result)
        result = np.where(at(b, last) == math.inf, result, np.nan)
        qq = np.broadcast_to(q[None, :], result.shape)
        result = np.where(qq > 1, math.inf, result)
        result = np.where(qq < 0, -math.inf, result)
        result = np.where(np.isnan(qq), np.nan, result)
    return result, length > 0


def _go_search(mono: F64, rank: F64, hi: I64, at: Callable[[F64, I64], F64]) -> I64:
    """Go's sort.Search for count >= rank in [0, hi), step by step as Go bisects (NaN counts
    make the sequence non-monotonic, and then where the search ends depends on its path)."""
    lo = np.zeros(hi.shape, dtype=np.int64)
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        found = at(mono, mid) >= rank
        lo = np.where(active & ~found, mid + 1, lo)
        hi = np.where(active & found, mid, hi)
