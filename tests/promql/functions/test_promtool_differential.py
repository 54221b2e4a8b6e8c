"""Differential tests: our functions against Prometheus 2.42 (promtool) on random series.

The series mix counters with resets, gauges, repeated small integers, huge magnitudes and a few
NaN/±Inf samples, with gaps; each query is evaluated by promtool at several instants and by us on
windows built the 2.42 way (both ends included). Values must agree to 1e-12 relative.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from tests.promql.functions.promtool_oracle import promtool_eval
from tests.support import need_binary

from erpmon.model import Labels
from erpmon.promql._values import StepScalar, StepString, StepVector, Value
from erpmon.promql.functions import CallContext, call
from erpmon.promql.functions._testing import close, instant_vector, parse_labels, range_windows

INTERVAL = 15_000
SLOTS = 48
REL = float(os.environ.get("ERPMON_DIFF_REL", "1e-12"))

RANGE_FUNCS = [
    "rate",
    "increase",
    "delta",
    "irate",
    "idelta",
    "resets",
    "changes",
    "deriv",
    "avg_over_time",
    "sum_over_time",
    "count_over_time",
    "min_over_time",
    "max_over_time",
    "last_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "present_over_time",
]
RANGES_MS = [30_000, 95_000, 300_000, 601_000]


def _series(rng: np.random.Generator) -> list[tuple[str, list[float | None]]]:
    out: list[tuple[str, list[float | None]]] = []
    for i in range(10):
        kind = i % 5
        if kind == 0:  # counter with resets
            inc = rng.exponential(3.0, SLOTS).round(int(rng.integers(0, 3)))
            vals = np.cumsum(inc)
            for r in rng.integers(0, SLOTS, 2):
                vals[r:] -= vals[r] - rng.integers(0, 3)
        elif kind == 1:  # gauge
            vals = rng.normal(0, 10 ** float(rng.integers(-3, 4)), SLOTS)
        elif kind == 2:  # few distinct values
            vals = rng.integers(-1, 3, SLOTS).astype(float)
        elif kind == 3:  # huge counter
            vals = 1e15 + np.cumsum(rng.exponential(1e3, SLOTS))
        else:  # gauge with specials
            vals = rng.normal(5, 2, SLOTS)
            for j in rng.integers(0, SLOTS, 3):
                vals[j] = rng.choice([math.nan, math.inf, -math.inf])
        values: list[float | None] = [float(v) for v in vals]
        for j in rng.integers(0, SLOTS, int(rng.integers(0, SLOTS // 3))):
            values[int(j)] = None
        out.append((f'm{{i="{i}"}}', values))
    return out


def _samples(
    series: Sequence[tuple[str, Sequence[float | None]]],
) -> list[tuple[Labels, list[tuple[int, float]]]]:
    return [
        (parse_labels(name), [(k * INTERVAL, v) for k, v in enumerate(values) if v is not None])
        for name, values in series
    ]


def _compare(expr: str, at: int, got: dict[Labels, float], want: list[tuple[str, float]] | str) -> list[str]:
    if isinstance(want, str):
        return [f"{expr} @ {at}: promtool failed: {want}"]
    want_d = {parse_labels(lbl): v for lbl, v in want}
    if set(got) != set(want_d):
        return [f"{expr} @ {at}: labels {sorted(map(str, got))} != {sorted(map(str, want_d))}"]
    return [
        f"{expr} @ {at} {lset}: got {got[lset]!r}, want {want_d[lset]!r}"
        for lset in want_d
        if not close(got[lset], want_d[lset], REL)
    ]


def _ours(v: StepVector | StepScalar) -> dict[Labels, float]:
    assert isinstance(v, StepVector)
    out = {lset: float(v.values[i, 0]) for i, lset in enumerate(v.labels) if v.present[i, 0]}
    assert len(out) == int(v.present[:, 0].sum())
    return out


@pytest.mark.parametrize("seed", range(4))
def test_range_functions_match_prometheus(seed: int, tmp_path: Path) -> None:
    promtool = need_binary("promtool")
    rng = np.random.default_rng(seed)
    series = _series(rng)
    samples = _samples(series)
    times = sorted({int(t) for t in rng.integers(0, SLOTS * INTERVAL + 60_000, 5)} | {SLOTS * INTERVAL // 2})
    queries: list[tuple[str, int, str, list[Value], int]] = []
    for rng_ms in RANGES_MS:
        for at in times:
            for fn in RANGE_FUNCS:
                queries.append((f"{fn}(m[{rng_ms}ms])", at, fn, [], rng_ms))
            for q in (0, 0.25, 0.5, 0.9, 1, -0.5, 1.5):
                queries.append(
                    (f"quantile_over_time({q}, m[{rng_ms}ms])", at, "quantile_over_time", [_s(q)], rng_ms)
                )
            for k in (0, 600, -300.5):
                queries.append((f"predict_linear(m[{rng_ms}ms], {k})", at, "predict_linear", [_s(k)], rng_ms))
            for sf, tf in ((0.5, 0.5), (0.1, 0.9), (0.99, 0.01)):
                queries.append(
                    (f"holt_winters(m[{rng_ms}ms], {sf}, {tf})", at, "holt_winters", [_s(sf), _s(tf)], rng_ms)
                )
    answers = promtool_eval(promtool, tmp_path, INTERVAL, series, [(q[0], q[1]) for q in queries])
    problems: list[str] = []
    for (expr, at, fn, extra, rng_ms), want in zip(queries, answers, strict=True):
        w = range_windows(samples, [at], rng_ms)
        args: list[Value] = [*extra[:1], w] if fn == "quantile_over_time" else [w, *extra]
        got = _ours(call(fn, args, CallContext(np.array([at], dtype=np.int64))))
        problems += _compare(expr, at, got, want)
    assert not problems, "\n".join(problems[:40])


INSTANT_QUERIES: list[tuple[str, str, list[Value]]] = [
    *((f"{fn}(m)", fn, []) for fn in ("abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn")),
    *((f"{fn}(m)", fn, []) for fn in ("sin", "cos", "tan", "asin", "acos", "atan", "deg", "rad")),
    *((f"{fn}(m)", fn, []) for fn in ("sinh", "cosh", "tanh", "asinh", "acosh", "atanh")),
    *((f"{fn}(m * 1e7)", fn, []) for fn in ("year", "month", "day_of_month", "day_of_week", "day_of_year")),
    *((f"{fn}(m * 1e7)", fn, []) for fn in ("hour", "minute", "days_in_month")),
    ("round(m)", "round", []),
    ("round(m, 0.3)", "round", [StepScalar(np.array([0.3]))]),
    ("round(m, 7)", "round", [StepScalar(np.array([7.0]))]),
    ("clamp(m, -1, 2.5)", "clamp", [StepScalar(np.array([-1.0])), StepScalar(np.array([2.5]))]),
    ("clamp_min(m, 0)", "clamp_min", [StepScalar(np.array([0.0]))]),
    ("clamp_max(m, 0)", "clamp_max", [StepScalar(np.array([0.0]))]),
    ("timestamp(m)", "timestamp", []),
    ('label_replace(m, "j", "x$1y", "i", "(.)")', "label_replace", []),
]


def _s(x: float) -> StepScalar:
    return StepScalar(np.array([x]))


def _transform(expr: str, v: StepVector) -> StepVector:
    """The arithmetic inside some queries (`m * 1e7`), applied the way Prometheus does (name dropped)."""
    if "m * 1e7" in expr:
        return StepVector([lset.without_name() for lset in v.labels], v.values * 1e7, v.present)
    return v


@pytest.mark.parametrize("seed", range(3))
def test_instant_functions_match_prometheus(seed: int, tmp_path: Path) -> None:
    promtool = need_binary("promtool")
    rng = np.random.default_rng(100 + seed)
    series = _series(rng)
    samples = _samples(series)
    times = sorted({int(t) for t in rng.integers(0, SLOTS * INTERVAL + 400_000, 4)})
    label_args: list[Value] = [StepString(s) for s in ("j", "x$1y", "i", "(.)")]
    queries = [(expr, at, fn, extra) for expr, fn, extra in INSTANT_QUERIES for at in times]
    answers = promtool_eval(promtool, tmp_path, INTERVAL, series, [(q[0], q[1]) for q in queries])
    problems: list[str] = []
    for (expr, at, fn, extra), want in zip(queries, answers, strict=True):
        v, sample_t = instant_vector(samples, [at])
        ctx = CallContext(np.array([at], dtype=np.int64), sample_times=sample_t)
        args: list[Value] = [_transform(expr, v), *(label_args if fn == "label_replace" else extra)]
        problems += _compare(expr, at, _ours(call(fn, args, ctx)), want)
    assert not problems, "\n".join(problems[:40])


def _bucket_series(rng: np.random.Generator) -> list[tuple[str, list[float | None]]]:
    out: list[tuple[str, list[float | None]]] = []
    bounds = ["-0.5", "0", "0.1", "0.5", "5e-1", "1", "2.5", "10", "+Inf"]
    for h in range(6):
        chosen = [b for b in bounds if rng.random() < 0.7] + (["+Inf"] if h % 3 else [])
        base = np.sort(rng.integers(0, 50, (len(chosen), SLOTS)), axis=0).astype(float)
        if h % 2:  # non-monotonic counts, as rates of racing scrapes give
            base += rng.integers(-3, 4, base.shape)
        for k, le in enumerate(dict.fromkeys(chosen)):
            values: list[float | None] = [float(v) for v in base[k]]
            for j in rng.integers(0, SLOTS, 6):
                values[int(j)] = None
            out.append((f'b{{h="{h}", le="{le}"}}', values))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_histogram_quantile_matches_prometheus(seed: int, tmp_path: Path) -> None:
    promtool = need_binary("promtool")
    rng = np.random.default_rng(200 + seed)
    series = _bucket_series(rng)
    samples = _samples(series)
    times = sorted({int(t) for t in rng.integers(0, SLOTS * INTERVAL, 6)})
    qs = (0.0, 0.1, 0.5, 0.9, 0.99, 1.0, -1.0, 2.0)
    queries = [(f"histogram_quantile({q}, b)", at, q) for q in qs for at in times]
    answers = promtool_eval(promtool, tmp_path, INTERVAL, series, [(q[0], q[1]) for q in queries])
    problems: list[str] = []
    for (expr, at, q), want in zip(queries, answers, strict=True):
        v, _ = instant_vector(samples, [at])
        got = _ours(call("histogram_quantile", [_s(q), v], CallContext(np.array([at], dtype=np.int64))))
        problems += _compare(expr, at, got, want)
    assert not problems, "\n".join(problems[:40])


REGEXES = [
    r"\C",
    r"[\C]",
    r"\\C",
    r"(?<n>x)",
    r"[(?<]x",
    r"(?P<n>.)(.*)",
    r"\Q.\E",
    r"a{2,1001}",
    r"(.)\1",
    r"[[:word:]]+",
    r"\pL+",
    r"(?U)(.+)(.*)",
    r"x**",
    r"(?i)S(.*)",
    r"(?s).*",
    r"[]a]*",
    r"[^]a](.*)",
    r"(?P<n>a)(?P<n>b)",
    r"\8",
    r"(",
    r"",
]
# (No unmatched "{": the oracle's output parser reads a label set up to the first brace.)
TEMPLATES = ["$1", "${1}x", "$1x", "$n-$2", "$$1", "${n}", "$", "$ 1", "$10$0", "[$0]"]


def test_label_replace_regex_and_templates_match_prometheus(tmp_path: Path) -> None:
    promtool = need_binary("promtool")
    series: list[tuple[str, list[float | None]]] = [
        ('m{src="Source-value-10"}', [1.0]),
        ('m{src="ab"}', [2.0]),
    ]
    samples = _samples(series)
    cases = [(regex, template) for regex in REGEXES for template in TEMPLATES[:3]]
    cases += [(r"(?P<n>.)(.*)", template) for template in TEMPLATES]
    queries = [(f'label_replace(m, "dst", "{t}", "src", `{r}`)', 0) for r, t in cases]
    answers = promtool_eval(promtool, tmp_path, INTERVAL, series, queries)
    problems: list[str] = []
    v, _ = instant_vector(samples, [0])
    for (regex, template), (expr, _), want in zip(cases, queries, answers, strict=True):
        args: list[Value] = [v, *(StepString(x) for x in ("dst", template, "src", regex))]
        try:
            got = _ours(call("label_replace", args, CallContext(np.array([0]))))
        except ValueError as err:
            if not (isinstance(want, str) and str(err) == want):
                problems.append(f"{expr}: we raised {err}, Prometheus gave {want}")
            continue
        problems += _compare(expr, 0, got, want)
    assert not problems, "\n".join(problems)


def test_logarithms_are_bit_identical_to_prometheus(tmp_path: Path) -> None:
    """ln, log2 and log10 follow Go's math.Log exactly (subnormals included), not libm's log."""
    promtool = need_binary("promtool")
    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            rng.uniform(0, 10, 200),
            10.0 ** rng.uniform(-300, 300, 200),
            rng.integers(1, 10_000, 100).astype(float),
            10.0 ** np.arange(-20, 21),
            [5e-324, 1e-310, 2.2250738585072014e-308, 0.7071067811865476, 0.7071067811865475, 0.0, -1.0],
        ]
    )
    series: list[tuple[str, list[float | None]]] = [
        (f'm{{k="{i}"}}', [float(v)]) for i, v in enumerate(values)
    ]
    samples = _samples(series)
    answers = promtool_eval(
        promtool, tmp_path, INTERVAL, series, [(f"{fn}(m)", 0) for fn in ("ln", "log2", "log10")]
    )
    v, _ = instant_vector(samples, [0])
    for fn, want in zip(("ln", "log2", "log10"), answers, strict=True):
        assert not isinstance(want, str)
        got = _ours(call(fn, [v], CallContext(np.array([0]))))
        want_d = {parse_labels(lbl): x for lbl, x in want}
        bad = [(str(k), got[k], want_d[k]) for k in want_d if not close(got[k], want_d[k], 0.0)]
        assert not bad, bad[:10]
