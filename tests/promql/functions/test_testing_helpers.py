"""The input builders other tests (ours and the evaluator's) rely on."""

from __future__ import annotations

import math

import numpy as np

from erpmon.model import Labels, is_stale_nan
from erpmon.promql.functions._testing import expand_values, instant_vector, load, parse_labels, range_windows


def test_series_notation_expands_as_prometheus() -> None:
    assert expand_values("0+10x3 _x2 5 -1-1x2 1x2") == [0, 10, 20, 30, None, None, 5, -1, -2, -3, 1, 1, 1]
    assert expand_values("-1e-3+2e-3x2") == [-0.001, 0.001, 0.003]
    got = expand_values("NaN Inf -Inf stale")
    assert math.isnan(got[0]) and got[1:3] == [math.inf, -math.inf] and is_stale_nan(got[3])  # type: ignore[arg-type]


def test_range_windows_include_both_ends_and_drop_stale_markers() -> None:
    series = load(10_000, {'a{x="1"}': "1 2 stale 4", 'b{x="2"}': "_ 5"})
    w = range_windows(series, [20_000, 30_000], 20_000)
    assert w.labels == [parse_labels('a{x="1"}'), parse_labels('b{x="2"}')]
    assert w.ts.tolist() == [0, 10_000, 30_000, 10_000] and w.offsets.tolist() == [0, 3, 4]
    windows = [[w.ts[k] for k in range(w.start[i, j], w.end[i, j])] for i in range(2) for j in range(2)]
    assert windows == [[0, 10_000], [10_000, 30_000], [10_000], [10_000]]


def test_instant_vector_lookback_and_staleness() -> None:
    series = load(60_000, {"m": "1 stale _ _ _ _ _ 2"})
    v, times = instant_vector(series, [0, 30_000, 60_000, 400_000, 420_000], lookback_ms=300_000)
    assert v.labels == [Labels({"__name__": "m"})]
    assert v.present[0].tolist() == [True, True, False, False, True]
    assert np.asarray(times)[0, [0, 1, 4]].tolist() == [0.0, 0.0, 420.0]
