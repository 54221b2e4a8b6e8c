"""Property tests: the vectorised range functions give exactly what a one-window-at-a-time loop gives.

The reference (reference.py) follows Prometheus's loops literally; windows vary in length within
one call, so the lockstep scan, its longest-first ordering and the scatter back to (series, step)
are all exercised. Values must be bit-identical (NaN equal to NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.promql.functions import reference as ref

from erpmon.model import Labels
from erpmon.promql._values import RangeWindows, StepScalar, StepVector, Value
from erpmon.promql.functions import CallContext, _scan, call
from erpmon.promql.functions._testing import range_windows

VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=-3, max_value=5).map(float),
    st.sampled_from([0.0, -0.0]),
    st.floats(min_value=1e15, max_value=1e16),
)


@st.composite
def series_sets(draw: st.DrawFn) -> list[tuple[Labels, list[tuple[int, float]]]]:
    out = []
    for i in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):  # scrape-like: a regular grid with gaps, so boundary cases come up
            grid = draw(st.sampled_from([1000, 5000, 15000]))
            times = [
                k * grid for k in draw(st.lists(st.integers(0, 300_000 // grid), max_size=30, unique=True))
            ]
        else:
            times = draw(st.lists(st.integers(0, 300_000), max_size=30, unique=True))
        counter = draw(st.booleans())
        if counter:
            incs = draw(
                st.lists(st.floats(0, 100, allow_nan=False), min_size=len(times), max_size=len(times))
            )
            vals = list(np.cumsum(incs))
            for r in draw(st.lists(st.integers(0, max(len(vals) - 1, 0)), max_size=2)):
                if vals:
                    vals[r:] = [v - vals[r] for v in vals[r:]]
        else:
            vals = draw(st.lists(VALUES, min_size=len(times), max_size=len(times)))
        out.append(
            (
                Labels({"__name__": "m", "i": str(i)}),
                sorted(zip(sorted(times), map(float, vals), strict=True)),
            )
        )
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[RangeWindows, list[list[tuple[int, float]]], list[int]]:
    # Tiny lockstep blocks (see _scan.Scan.blocks) so that block boundaries are crossed.
    _scan.BLOCK = draw(st.sampled_from([1, 2, 3, 5, 16384]))
    _scan.PADDED_BLOCK = draw(st.sampled_from([1, 7, 50, 1 << 19]))
    _scan.LOCKSTEP_MIN_WIDTH = draw(st.sampled_from([0, 512, 1 << 40]))  # lockstep, either, padded
    series = draw(series_sets())
    steps = sorted(draw(st.lists(st.integers(0, 360).map(lambda s: s * 1000), min_size=1, max_size=6)))
    steps = [t + draw(st.sampled_from([0, 0, 1, 499])) for t in steps]
    range_ms = draw(st.one_of(st.integers(1, 200_000), st.sampled_from([30_000, 60_000, 120_000, 16_500])))
    w = range_windows(series, steps, range_ms)
    windows = [
        [(int(w.ts[k]), float(w.vs[k])) for k in range(int(w.start[i, j]), int(w.end[i, j]))]
        for i in range(len(series))
        for j in range(len(steps))
    ]
    return w, windows, steps


@pytest.fixture(autouse=True, scope="module")
def _restore_block() -> Iterator[None]:
    saved = _scan.BLOCK, _scan.PADDED_BLOCK, _scan.LOCKSTEP_MIN_WIDTH
    yield
    _scan.BLOCK, _scan.PADDED_BLOCK, _scan.LOCKSTEP_MIN_WIDTH = saved


def _same(a: float, b: float) -> bool:
    """Bit-identical up to NaN payloads: zeros must agree in sign too."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def _check(
    out: StepVector | StepScalar,
    windows: list[list[tuple[int, float]]],
    steps: list[int],
    expected: Callable[[list[tuple[int, float]], int], float | None],
) -> None:
    assert isinstance(out, StepVector)
    n_steps = len(steps)
    for idx, window in enumerate(windows):
        i, j = divmod(idx, n_steps)
        want = expected(window, j) if window else None
        assert bool(out.present[i, j]) == (want is not None), (i, j, window)
        if want is not None:
            got = float(out.values[i, j])
            assert _same(got, want), (i, j, window, got, want)


def _ctx(steps: list[int]) -> CallContext:
    return CallContext(np.asarray(steps, dtype=np.int64))


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases())
def test_simple_range_functions(case: tuple[RangeWindows, list[list[tuple[int, float]]], list[int]]) -> None:
    w, windows, steps = case
    for name, fn in ref.SIMPLE.items():

        def expected(win: list[tuple[int, float]], j: int, fn: Callable[[ref.Window], float] = fn) -> float:
            return fn(win)

        _check(call(name, [w], _ctx(steps)), windows, steps, expected)


@SETTINGS
@given(cases())
def test_rate_family(case: tuple[RangeWindows, list[list[tuple[int, float]]], list[int]]) -> None:
    w, windows, steps = case
    for name, counter, rate in (("rate", True, True), ("increase", True, False), ("delta", False, False)):
        out = call(name, [w], _ctx(steps))

        def expected(win: list[tuple[int, float]], j: int, c: bool = counter, r: bool = rate) -> float | None:
            return ref.extrapolated(win, steps[j], w.range_ms, c, r)

        _check(out, windows, steps, expected)
    _check(call("irate", [w], _ctx(steps)), windows, steps, lambda win, j: ref.instant(win, True))
    _check(call("idelta", [w], _ctx(steps)), windows, steps, lambda win, j: ref.instant(win, False))


@SETTINGS
@given(cases(), st.floats(-600, 600, allow_nan=False))
def test_regression(case: tuple[RangeWindows, list[list[tuple[int, float]]], list[int]], k: float) -> None:
    w, windows, steps = case

    def deriv(win: list[tuple[int, float]], j: int) -> float | None:
        return None if len(win) < 2 else ref.linear_regression(win, win[0][0])[0]

    def predict(win: list[tuple[int, float]], j: int) -> float | None:
        if len(win) < 2:
            return None
        slope, intercept = ref.linear_regression(win, steps[j])
        return slope * k + intercept

    _check(call("deriv", [w], _ctx(steps)), windows, steps, deriv)
    ks = StepScalar(np.full(len(steps), k))
    _check(call("predict_linear", [w, ks], _ctx(steps)), windows, steps, predict)


@SETTINGS
@given(cases(), st.lists(st.floats(0.01, 0.99), min_size=2, max_size=2))
def test_holt_winters(
    case: tuple[RangeWindows, list[list[tuple[int, float]]], list[int]], f: list[float]
) -> None:
    w, windows, steps = case
    # Different factors at each step exercise the per-window parameters.
    sf = np.linspace(f[0], 0.5, len(steps))
    tf = np.linspace(f[1], 0.3, len(steps))
    args: list[Value] = [w, StepScalar(sf), StepScalar(tf)]
    out = call("holt_winters", args, _ctx(steps))
    _check(out, windows, steps, lambda win, j: ref.holt_winters(win, float(sf[j]), float(tf[j])))


@SETTINGS
@given(
    cases(),
    st.lists(
        st.sampled_from([0.0, 0.1, 0.5, 0.99, 1.0, -0.1, 1.1, math.nan, 0.3333]), min_size=6, max_size=6
    ),
)
def test_quantile_over_time(
    case: tuple[RangeWindows, list[list[tuple[int, float]]], list[int]], qs: list[float]
) -> None:
    w, windows, steps = case
    q = np.asarray(qs[: len(steps)])
    out = call("quantile_over_time", [StepScalar(q), w], _ctx(steps))
    _check(out, windows, steps, lambda win, j: ref.quantile(float(q[j]), win))


BOUNDS = ["0", "0.1", "0.5", "5e-1", "1", "1e0", "-1", "2.5", "+Inf", "+inf", "x"]


@st.composite
def bucket_vectors(draw: st.DrawFn) -> StepVector:
    steps = draw(st.integers(1, 5))
    labels: list[Labels] = []
    rows: list[list[float]] = []
    present: list[list[bool]] = []
    for h in range(draw(st.integers(0, 3))):
        for le in draw(st.lists(st.sampled_from(BOUNDS), unique=True, max_size=7)):
            labels.append(Labels({"__name__": draw(st.sampled_from(["b", "b", "c"])), "h": str(h), "le": le}))
            rows.append(
                draw(
                    st.lists(st.one_of(st.integers(0, 20).map(float), VALUES), min_size=steps, max_size=steps)
                )
            )
            present.append(draw(st.lists(st.booleans(), min_size=steps, max_size=steps)))
    values = np.asarray(rows, dtype=np.float64).reshape(len(rows), steps)
    return StepVector(labels, values, np.asarray(present, dtype=bool).reshape(len(rows), steps))


@SETTINGS
@given(
    bucket_vectors(),
    st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0, -0.5, 2.0, math.nan]), min_size=5, max_size=5),
)
def test_histogram_quantile(v: StepVector, qs: list[float]) -> None:
    steps = v.n_steps
    q = np.asarray(qs[:steps])
    out = call("histogram_quantile", [StepScalar(q), v], _ctx(list(range(steps))))
    assert isinstance(out, StepVector)
    groups: dict[Labels, list[int]] = {}
    for i, lset in enumerate(v.labels):
        if lset.get("le") != "x":
            groups.setdefault(lset.without("le"), []).append(i)
    assert len(out.labels) == len(groups)
    for row, (key, members) in enumerate(groups.items()):
        assert out.labels[row] == key.without_name()
        for j in range(steps):
            buckets = [
                (
                    float(v.labels[i].get("le").replace("inf", "Inf").replace("Inf", "inf")),
                    float(v.values[i, j]),
                )
                for i in members
                if v.present[i, j]
            ]
            assert bool(out.present[row, j]) == bool(buckets)
            if buckets:
                assert _same(float(out.values[row, j]), ref.bucket_quantile(float(q[j]), buckets)), (
                    buckets,
                    q[j],
                )
