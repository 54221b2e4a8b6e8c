"""Shared helpers: run one function on series in the promql test notation, and compare results."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from erpmon.model import Labels
from erpmon.promql._values import StepScalar, StepString, StepVector, Value
from erpmon.promql.functions import CallContext, call
from erpmon.promql.functions._testing import close, instant_vector, load, parse_labels, range_windows

S = 1000
M = 60 * S


def scalar(*values: float) -> StepScalar:
    return StepScalar(np.asarray(values, dtype=np.float64))


def string(text: str) -> StepString:
    return StepString(text)


def samples_of(v: StepVector, step: int = 0) -> list[tuple[Labels, float]]:
    return [(lset, float(v.values[i, step])) for i, lset in enumerate(v.labels) if v.present[i, step]]


def range_call(
    name: str,
    series: Mapping[str, str],
    interval_ms: int,
    at_ms: int,
    range_ms: int,
    before: Sequence[Value] = (),
    after: Sequence[Value] = (),
) -> list[tuple[Labels, float]]:
    """`name(before..., series[range], after...)` at one instant, as (labels, value) samples."""
    w = range_windows(load(interval_ms, series), [at_ms], range_ms)
    out = call(name, [*before, w, *after], CallContext(np.array([at_ms], dtype=np.int64)))
    assert isinstance(out, StepVector)
    return samples_of(out)


def instant_call(
    name: str,
    series: Mapping[str, str],
    interval_ms: int,
    at_ms: int,
    before: Sequence[Value] = (),
    after: Sequence[Value] = (),
) -> list[tuple[Labels, float]]:
    v, times = instant_vector(load(interval_ms, series), [at_ms])
    ctx = CallContext(np.array([at_ms], dtype=np.int64), sample_times=times)
    out = call(name, [*before, v, *after], ctx)
    assert isinstance(out, StepVector)
    return samples_of(out)


def expect(got: list[tuple[Labels, float]], expected: Mapping[str, float], rel: float = 1e-12) -> None:
    """Same label sets (no duplicates) and values (NaN equal to NaN) as Prometheus's test files."""
    want = {parse_labels(k): v for k, v in expected.items()}
    have = dict(got)
    assert len(have) == len(got), f"duplicate label sets in {got}"
    assert set(have) == set(want), f"labels differ: got {sorted(have)}, want {sorted(want)}"
    for lset, value in want.items():
        assert close(have[lset], value, rel), f"{lset}: got {have[lset]!r}, want {value!r}"


def nan() -> float:
    return math.nan
