"""Range-vector functions against the cases of Prometheus 2.42's promql/testdata/functions.test."""

from __future__ import annotations

import numpy as np
import pytest
from tests.promql.functions.helpers import M, S, expect, range_call, samples_of, scalar

from erpmon.model import Labels
from erpmon.promql._values import StepVector
from erpmon.promql.functions import CallContext, call
from erpmon.promql.functions._testing import load, parse_labels, range_windows

RESETS = {
    'http_requests{path="/foo"}': "1 2 3 0 1 0 0 1 2 0",
    'http_requests{path="/bar"}': "1 2 3 4 5 1 2 3 4 5",
    'http_requests{path="/biz"}': "0 0 0 0 0 1 1 1 1 1",
}


@pytest.mark.parametrize(
    ("minutes", "foo", "bar", "biz"), [(5, 0, 0, 0), (20, 1, 0, 0), (30, 2, 1, 0), (50, 3, 1, 0)]
)
def test_resets(minutes: int, foo: float, bar: float, biz: float) -> None:
    got = range_call("resets", RESETS, 5 * M, 50 * M, minutes * M)
    expect(got, {'{path="/foo"}': foo, '{path="/bar"}': bar, '{path="/biz"}': biz})


@pytest.mark.parametrize(
    ("minutes", "foo", "bar", "biz"), [(5, 0, 0, 0), (20, 3, 3, 0), (30, 4, 5, 1), (50, 8, 9, 1)]
)
def test_changes(minutes: int, foo: float, bar: float, biz: float) -> None:
    got = range_call("changes", RESETS, 5 * M, 50 * M, minutes * M)
    expect(got, {'{path="/foo"}': foo, '{path="/bar"}': bar, '{path="/biz"}': biz})


def test_changes_nan_equals_nan() -> None:
    got = range_call("changes", {'x{a="b"}': "NaN NaN NaN", 'x{a="c"}': "0 NaN 0"}, 5 * M, 15 * M, 15 * M)
    expect(got, {'{a="b"}': 0, '{a="c"}': 2})


def test_no_series_no_result() -> None:
    assert range_call("resets", {}, 5 * M, 50 * M, 50 * M) == []


@pytest.mark.parametrize("minutes", [50, 100])
def test_increase(minutes: int) -> None:
    series = {'http_requests{path="/foo"}': "0+10x10", 'http_requests{path="/bar"}': "0+10x5 0+10x5"}
    got = range_call("increase", series, 5 * M, 50 * M, minutes * M)
    expect(got, {'{path="/foo"}': 100, '{path="/bar"}': 90})


def test_increase_counter_reset() -> None:
    got = range_call("increase", {'http_requests{path="/foo"}': "0 1 2 3 2 3 4"}, 5 * M, 30 * M, 30 * M)
    expect(got, {'{path="/foo"}': 7})


def test_rate_resets() -> None:
    assert range_call("rate", {"c": "0+10x4 0+10x5"}, 5 * M, 50 * M, 50 * M) == [(Labels(), 0.03)]
    expect(range_call("rate", {"c": "0+10x9 0 10"}, 5 * M, 50 * M, 5 * M), {"{}": 0})


def test_rate_window_and_offset() -> None:
    expect(range_call("rate", {"w": "0+80x10"}, 5 * M, 50 * M, 50 * M), {"{}": 0.26666666666666666})
    # offset 5m: the window ends at 45m
    series = {'o{x="a"}': "0+10x10", 'o{x="b"}': "0+20x10"}
    expect(
        range_call("rate", series, 5 * M, 45 * M, 10 * M),
        {'{x="a"}': 0.03333333333333333, '{x="b"}': 0.06666666666666667},
    )


ZERO_CUTOFF = {f'testcounter_zero_cutoff{{start="{i}m"}}': f"{60 * i}+240x10" for i in range(6)}


def test_rate_zero_cutoff() -> None:
    got = range_call("rate", ZERO_CUTOFF, 4 * M, 10 * M, 20 * M)
    want = {'{start="0m"}': 0.5, '{start="1m"}': 0.55, '{start="2m"}': 0.6}
    want |= {'{start="3m"}': 0.65, '{start="4m"}': 0.7, '{start="5m"}': 0.6}
    expect(got, want, rel=1e-15 * 2)
    expect(
        range_call("rate", ZERO_CUTOFF, 4 * M, 50 * M, 20 * M), {f'{{start="{i}m"}}': 0.6 for i in range(6)}
    )


def test_irate() -> None:
    series = {'http_requests{path="/foo"}': "0+10x10", 'http_requests{path="/bar"}': "0+10x5 0+10x5"}
    got = range_call("irate", series, 5 * M, 50 * M, 50 * M)
    expect(got, {'{path="/foo"}': 1 / 30, '{path="/bar"}': 1 / 30})
    expect(range_call("irate", series, 5 * M, 30 * M, 50 * M), {'{path="/foo"}': 1 / 30, '{path="/bar"}': 0})


def test_delta_idelta() -> None:
    series = {'h{path="/foo"}': "0 50 100 150 200", 'h{path="/bar"}': "200 150 100 50 0"}
    expect(range_call("delta", series, 5 * M, 20 * M, 20 * M), {'{path="/foo"}': 200, '{path="/bar"}': -200})
    series = {'h{path="/foo"}': "0 50 100 150", 'h{path="/bar"}': "0 50 100 50"}
    expect(range_call("idelta", series, 5 * M, 20 * M, 20 * M), {'{path="/foo"}': 50, '{path="/bar"}': -50})


def test_deriv_predict_linear() -> None:
    canary = {'http_requests{job="app-server", instance="1", group="canary"}': "0+80x10"}
    want = '{group="canary", instance="1", job="app-server"}'
    expect(range_call("deriv", canary, 5 * M, 50 * M, 50 * M), {want: 0.26666666666666666})
    middle = {"testcounter_reset_middle": "0+10x4 0+10x5"}
    expect(range_call("deriv", middle, 5 * M, 50 * M, 100 * M), {"{}": 0.010606060606060607})
    got = range_call("predict_linear", middle, 5 * M, 50 * M, 100 * M, after=[scalar(3600)])
    expect(got, {"{}": 76.81818181818181})


@pytest.mark.parametrize(
    ("step_min", "want"), [(50, 76.81818181818181), (10, 51.36363636363637), (70, 89.54545454545455)]
)
def test_predict_linear_at_modifier_uses_step_time(step_min: int, want: float) -> None:
    """`predict_linear(x[100m] @ 3000, 3600)`: the window ends at 3000s, the intercept is at the step."""
    w = range_windows(load(5 * M, {"t": "0+10x4 0+10x5"}), [3000 * S], 100 * M)
    out = call("predict_linear", [w, scalar(3600)], CallContext(np.array([step_min * M])))
    assert isinstance(out, StepVector)
    expect(samples_of(out), {"{}": want})


def test_holt_winters_trends() -> None:
    positive = {
        'h{job="api-server", instance="0", group="production"}': "0+10x1000 100+30x1000",
        'h{job="api-server", instance="1", group="production"}': "0+20x1000 200+30x1000",
        'h{job="api-server", instance="0", group="canary"}': "0+30x1000 300+80x1000",
        'h{job="api-server", instance="1", group="canary"}': "0+40x2000",
    }
    got = range_call("holt_winters", positive, 10 * S, 8000 * S, M, after=[scalar(0.01), scalar(0.1)])
    expect(
        got,
        {
            '{job="api-server", instance="0", group="production"}': 8000,
            '{job="api-server", instance="1", group="production"}': 16000,
            '{job="api-server", instance="0", group="canary"}': 24000,
            '{job="api-server", instance="1", group="canary"}': 32000,
        },
    )
    negative = {
        'h{job="api-server", instance="0", group="production"}': "8000-10x1000",
        'h{job="api-server", instance="1", group="production"}': "0-20x1000",
        'h{job="api-server", instance="0", group="canary"}': "0+30x1000 300-80x1000",
        'h{job="api-server", instance="1", group="canary"}': "0-40x1000 0+40x1000",
    }
    got = range_call("holt_winters", negative, 10 * S, 8000 * S, M, after=[scalar(0.01), scalar(0.1)])
    expect(
        got,
        {
            '{job="api-server", instance="0", group="production"}': 0,
            '{job="api-server", instance="1", group="production"}': -16000,
            '{job="api-server", instance="0", group="canary"}': 24000,
            '{job="api-server", instance="1", group="canary"}': -32000,
        },
        rel=1e-9,
    )


AVG = {
    "metric": ("1 2 3 4 5", 3.0, 15.0),
    "metric2": ("1 2 3 4 Inf", float("inf"), float("inf")),
    "metric3": ("1 2 3 4 -Inf", float("-inf"), float("-inf")),
    "metric4": ("1 2 3 Inf -Inf", float("nan"), float("nan")),
    "metric5": ("Inf 0 Inf", float("inf"), float("inf")),
    "metric5c": ("Inf Inf Inf -Inf", float("nan"), float("nan")),
    "metric6": ("1 2 3 -Inf -Inf", float("-inf"), float("-inf")),
    "metric6b": ("-Inf 0 -Inf", float("-inf"), float("-inf")),
    "metric6c": ("-Inf -Inf -Inf Inf", float("nan"), float("nan")),
    "metric7": ("1 2 -Inf -Inf Inf", float("nan"), float("nan")),
    "metric8": ("9.988465674311579e+307 9.988465674311579e+307", 9.988465674311579e307, float("inf")),
    "metric9": (
        "-9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307",
        -9.988465674311579e307,
        float("-inf"),
    ),
    "metric10": ("-9.988465674311579e+307 9.988465674311579e+307", 0.0, 0.0),
}


@pytest.mark.parametrize("name", sorted(AVG))
def test_avg_and_sum_over_time(name: str) -> None:
    text, avg, total = AVG[name]
    expect(range_call("avg_over_time", {name: text}, 10 * S, M, M), {"{}": avg})
    expect(range_call("sum_over_time", {name: text}, 10 * S, M, M), {"{}": total})


def test_stddev_stdvar() -> None:
    expect(range_call("stdvar_over_time", {"m": "0 8 8 2 3"}, 10 * S, M, M), {"{}": 10.56}, rel=1e-14)
    expect(range_call("stddev_over_time", {"m": "0 8 8 2 3"}, 10 * S, M, M), {"{}": 3.249615}, rel=1e-6)
    same = {"m": "1.5990505637277868 1.5990505637277868 1.5990505637277868"}
    expect(range_call("stdvar_over_time", same, 10 * S, M, M), {"{}": 0})
    expect(range_call("stddev_over_time", same, 10 * S, M, M), {"{}": 0})


QUANTILE_DATA = {'data{test="two"}': "0 1", 'data{test="three"}': "0 1 2", 'data{test="uneven"}': "0 1 4"}


@pytest.mark.parametrize(
    ("q", "two", "three", "uneven"),
    [
        (0, 0, 0, 0),
        (0.5, 0.5, 1, 1),
        (0.75, 0.75, 1.5, 2.5),
        (0.8, 0.8, 1.6, 2.8),
        (1, 1, 2, 4),
        (-1, float("-inf"), float("-inf"), float("-inf")),
        (2, float("inf"), float("inf"), float("inf")),
        (float("nan"), float("nan"), float("nan"), float("nan")),
    ],
)
def test_quantile_over_time(q: float, two: float, three: float, uneven: float) -> None:
    got = range_call("quantile_over_time", QUANTILE_DATA, 10 * S, M, M, before=[scalar(q)])
    expect(got, {'{test="two"}': two, '{test="three"}': three, '{test="uneven"}': uneven}, rel=1e-15)


NANS = {
    'data{type="numbers"}': "2 0 3",
    'data{type="some_nan"}': "2 0 NaN",
    'data{type="some_nan2"}': "2 NaN 1",
    'data{type="some_nan3"}': "NaN 0 1",
    'data{type="only_nan"}': "NaN NaN NaN",
}


def test_min_max_last_with_nans() -> None:
    nan = float("nan")
    keys = [
        '{type="numbers"}',
        '{type="some_nan"}',
        '{type="some_nan2"}',
        '{type="some_nan3"}',
        '{type="only_nan"}',
    ]
    expect(range_call("min_over_time", NANS, 10 * S, M, M), dict(zip(keys, [0, 0, 1, 0, nan], strict=True)))
    expect(range_call("max_over_time", NANS, 10 * S, M, M), dict(zip(keys, [3, 2, 2, 1, nan], strict=True)))
    got = range_call("last_over_time", NANS, 10 * S, M, M)
    expect(got, {"data" + k: v for k, v in zip(keys, [3, nan, 1, 1, nan], strict=True)})


PRESENT = {
    'http_requests{path="/foo",instance="127.0.0.1",job="httpd"}': "1+1x10",
    'http_requests{path="/bar",instance="127.0.0.1",job="httpd"}': "1+1x10",
}


@pytest.mark.parametrize(
    ("at_min", "range_min", "present"), [(5, 5, True), (15, 5, True), (16, 5, False), (16, 6, True)]
)
def test_present_and_absent_over_time(at_min: int, range_min: int, present: bool) -> None:
    got = range_call("present_over_time", PRESENT, M, at_min * M, range_min * M)
    want = {
        '{instance="127.0.0.1", job="httpd", path="/bar"}': 1,
        '{instance="127.0.0.1", job="httpd", path="/foo"}': 1,
    }
    expect(got, want if present else {})
    w = range_windows(load(M, PRESENT), [at_min * M], range_min * M)
    ctx = CallContext(np.array([at_min * M]), absent_labels=Labels({"job": "httpd"}))
    out = call("absent_over_time", [w], ctx)
    assert isinstance(out, StepVector)
    absent = samples_of(out)
    assert absent == ([] if present else [(Labels({"job": "httpd"}), 1.0)])


def test_duplicate_results_are_returned_for_the_evaluator() -> None:
    got = range_call("changes", {'t1{src="a",dst="b"}': "0", 't2{src="a",dst="b"}': "1"}, 5 * M, 0, 5 * M)
    assert [lset for lset, _ in got] == [parse_labels('{src="a",dst="b"}')] * 2
