"""Building function inputs from sample lists, for tests (ours and the evaluator's).

Series values can be written in the notation of Prometheus's promql test files (`load 5m`):
`0+10x10 _ 5 NaN stale _x3 1x2`, expanded as Prometheus expands them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from erpmon.model import STALE_NAN, Labels, is_stale_nan
from erpmon.promql._values import F64, RangeWindows, StepVector

Samples = Sequence[tuple[int, float]]
SeriesInput = tuple[Labels | Mapping[str, str], Samples]


def _value(token: str) -> float:
    if token == "stale":
        return STALE_NAN
    return float(token)


def expand_values(text: str) -> list[float | None]:
    """Prometheus's series notation; None is an omitted sample (`_`)."""
    out: list[float | None] = []
    for item in text.split():
        if item == "_":
            out.append(None)
        elif item.startswith("_x"):
            out.extend([None] * int(item[2:]))
        elif "x" in item and not item.lower().startswith("0x"):
            head, times = item.rsplit("x", 1)
            n = int(times)
            # The step's sign: the last + or - that is not an exponent's.
            split = next(
                (i for i in range(len(head) - 1, 0, -1) if head[i] in "+-" and head[i - 1] not in "eE"), 0
            )
            if split > 0:
                value, step = _value(head[:split]), _value(head[split:])
            else:
                value, step = _value(head), 0.0
            for _ in range(n + 1):
                out.append(value)
                value += step
        else:
            out.append(_value(item))
    return out


Loaded = list[tuple[Labels, list[tuple[int, float]]]]


def load(interval_ms: int, series: Mapping[str, str] | Sequence[tuple[Labels, str]]) -> Loaded:
    """Series from (labels, notation) pairs, one sample per interval from t=0."""
    items = list(series.items()) if isinstance(series, Mapping) else list(series)
    out: Loaded = []
    for lset, text in items:
        labels = lset if isinstance(lset, Labels) else parse_labels(lset)
        samples = [(i * interval_ms, v) for i, v in enumerate(expand_values(text)) if v is not None]
        out.append((labels, samples))
    return out


def parse_labels(text: str) -> Labels:
    """`name{a="b", c="d"}` or `{a="b"}` (values without escapes), for tests."""
    text = text.strip()
    name, _, rest = text.partition("{")
    pairs: dict[str, str] = {"__name__": name.strip()} if name.strip() else {}
    rest = rest.rstrip("}").strip()
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, _, value = part.partition("=")
        pairs[key.strip()] = value.strip().strip('"')
    return Labels(pairs)


def range_windows(series: Sequence[SeriesInput], eval_t: Sequence[int], range_ms: int) -> RangeWindows:
    """RangeWindows over [t - range_ms, t] (both ends included, Prometheus 2.42) for each eval time.

    Staleness markers are removed, as the evaluator removes them.
    """
    labels: list[Labels] = []
    ts_parts: list[np.ndarray] = []
    vs_parts: list[np.ndarray] = []
    for lset, samples in series:
        labels.append(lset if isinstance(lset, Labels) else Labels(lset))
        kept = sorted((t, v) for t, v in samples if not is_stale_nan(v))
        ts_parts.append(np.asarray([t for t, _ in kept], dtype=np.int64))
        vs_parts.append(np.asarray([v for _, v in kept], dtype=np.float64))
    counts = [p.shape[0] for p in ts_parts]
    offsets = np.zeros(len(series) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    ts = np.concatenate(ts_parts) if ts_parts else np.empty(0, dtype=np.int64)
    vs = np.concatenate(vs_parts) if vs_parts else np.empty(0)
    times = np.asarray(eval_t, dtype=np.int64)
    start = np.zeros((len(series), times.shape[0]), dtype=np.int64)
    end = np.zeros((len(series), times.shape[0]), dtype=np.int64)
    for i, part in enumerate(ts_parts):
        start[i] = offsets[i] + np.searchsorted(part, times - range_ms, side="left")
        end[i] = offsets[i] + np.searchsorted(part, times, side="right")
    return RangeWindows(labels, ts, vs, offsets, start, end, times, range_ms)


def instant_vector(
    series: Sequence[SeriesInput], eval_t: Sequence[int], lookback_ms: int = 300_000
) -> tuple[StepVector, F64]:
    """The latest sample within the lookback at each eval time, and its timestamp in seconds."""
    times = np.asarray(eval_t, dtype=np.int64)
    n, steps = len(series), times.shape[0]
    values = np.zeros((n, steps))
    present = np.zeros((n, steps), dtype=bool)
    sample_t = np.zeros((n, steps))
    labels: list[Labels] = []
    for i, (lset, samples) in enumerate(series):
        labels.append(lset if isinstance(lset, Labels) else Labels(lset))
        ordered = sorted(samples)
        ts = np.asarray([t for t, _ in ordered], dtype=np.int64)
        vs = np.asarray([v for _, v in ordered], dtype=np.float64)
        idx = np.searchsorted(ts, times, side="right") - 1
        ok = idx >= 0
        pick = np.where(ok, idx, 0)
        if ts.shape[0]:
            ok &= ts[pick] >= times - lookback_ms
            ok &= ~np.asarray([is_stale_nan(float(x)) for x in vs[pick]], dtype=bool)
            values[i] = np.where(ok, vs[pick], 0.0)
            sample_t[i] = ts[pick] / 1000
        present[i] = ok
    return StepVector(labels, values, present), sample_t


def vector_of(rows: Sequence[tuple[Labels | Mapping[str, str], Sequence[float | None]]]) -> StepVector:
    """A StepVector from per-row values per step (None: absent at that step)."""
    steps = len(rows[0][1]) if rows else 1
    labels = [lset if isinstance(lset, Labels) else Labels(lset) for lset, _ in rows]
    values = np.asarray([[0.0 if v is None else v for v in vals] for _, vals in rows], dtype=np.float64)
    present = np.asarray([[v is not None for v in vals] for _, vals in rows], dtype=bool)
    return StepVector(labels, values.reshape(len(rows), steps), present.reshape(len(rows), steps))


def rows_at(v: StepVector, step: int = 0) -> dict[Labels, float]:
    """The samples of a StepVector at one step, by label set (for assertions)."""
    return {lset: float(v.values[i, step]) for i, lset in enumerate(v.labels) if v.present[i, step]}


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    """Equal as Prometheus's tests compare (NaN equals NaN), within a relative tolerance."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) < 1e-300
