"""histogram_quantile, label_replace and label_join against 2.42's histograms.test and functions.test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.promql.functions.helpers import M, expect, instant_call, scalar, string

from erpmon.model import Labels
from erpmon.promql._values import StepVector
from erpmon.promql.functions import CallContext, FunctionError, call
from erpmon.promql.functions._testing import parse_labels

INF, NAN = math.inf, math.nan
HIST = {
    'testhistogram_bucket{le="0.1", start="positive"}': "0+5x10",
    'testhistogram_bucket{le=".2", start="positive"}': "0+7x10",
    'testhistogram_bucket{le="1e0", start="positive"}': "0+11x10",
    'testhistogram_bucket{le="+Inf", start="positive"}': "0+12x10",
    'testhistogram_bucket{le="-.2", start="negative"}': "0+1x10",
    'testhistogram_bucket{le="-0.1", start="negative"}': "0+2x10",
    'testhistogram_bucket{le="0.3", start="negative"}': "0+2x10",
    'testhistogram_bucket{le="+Inf", start="negative"}': "0+3x10",
}


@pytest.mark.parametrize(
    ("q", "positive", "negative"),
    [
        (-0.1, -INF, -INF),
        (1.01, INF, INF),
        (NAN, NAN, NAN),
        (0, 0, -0.2),
        (1, 1, 0.3),
        (0.2, 0.048, -0.2),
        (0.5, 0.15, -0.15),
        (0.8, 0.72, 0.3),
    ],
)
def test_histogram_quantile(q: float, positive: float, negative: float) -> None:
    got = instant_call("histogram_quantile", HIST, 5 * M, 50 * M, before=[scalar(q)])
    expect(got, {'{start="positive"}': positive, '{start="negative"}': negative}, rel=1e-14)


@pytest.mark.parametrize(("q", "want"), [(1 / 6, 1), (0.5, 3), (5 / 6, 5)])
def test_histogram_quantile_mid_bucket(q: float, want: float) -> None:
    series = {'h{le="0"}': "0+0x10", 'h{le="2"}': "0+1x10", 'h{le="4"}': "0+2x10", 'h{le="6"}': "0+3x10"}
    series['h{le="+Inf"}'] = "0+3x10"
    expect(instant_call("histogram_quantile", series, 5 * M, 7 * M, before=[scalar(q)]), {"{}": want}, 1e-14)


NONMONOTONIC = {
    'nonmonotonic_bucket{le="0.1"}': "0+2x10",
    'nonmonotonic_bucket{le="1"}': "0+1x10",
    'nonmonotonic_bucket{le="10"}': "0+5x10",
    'nonmonotonic_bucket{le="100"}': "0+4x10",
    'nonmonotonic_bucket{le="1000"}': "0+9x10",
    'nonmonotonic_bucket{le="+Inf"}': "0+8x10",
}


@pytest.mark.parametrize(("q", "want"), [(0.01, 0.0045), (0.5, 8.5), (0.99, 979.75)])
def test_histogram_quantile_nonmonotonic(q: float, want: float) -> None:
    expect(
        instant_call("histogram_quantile", NONMONOTONIC, 5 * M, 50 * M, before=[scalar(q)]),
        {"{}": want},
        1e-14,
    )


def test_histogram_quantile_coalesces_equal_bounds() -> None:
    mixed = {
        'mixed_bucket{job="job1", instance="ins1", le="0.1"}': "1",
        'mixed_bucket{job="job1", instance="ins1", le="0.2"}': "1",
        'mixed_bucket{job="job1", instance="ins1", le="2e-1"}': "1",
        'mixed_bucket{job="job1", instance="ins1", le="2.0e-1"}': "1",
        'mixed_bucket{job="job1", instance="ins1", le="+Inf"}': "4",
        'mixed_bucket{job="job1", instance="ins2", le="+inf"}': "0",
        'mixed_bucket{job="job1", instance="ins2", le="+Inf"}': "0",
    }
    for q, want in ((0.5, 0.15), (0.75, 0.2), (1, 0.2)):
        got = instant_call("histogram_quantile", mixed, 5 * M, 0, before=[scalar(q)])
        expect(got, {'{instance="ins1", job="job1"}': want, '{instance="ins2", job="job1"}': NAN}, 1e-14)


def test_histogram_quantile_empty_and_malformed() -> None:
    empty = {'b{le="0.1"}': "0", 'b{le="0.2"}': "0", 'b{le="+Inf"}': "0"}
    expect(instant_call("histogram_quantile", empty, 5 * M, 0, before=[scalar(0.2)]), {"{}": NAN})
    no_inf = {'b{le="0.1"}': "1", 'b{le="0.2"}': "2"}
    expect(instant_call("histogram_quantile", no_inf, 5 * M, 0, before=[scalar(0.5)]), {"{}": NAN})
    one = {'b{le="+Inf"}': "3"}
    expect(instant_call("histogram_quantile", one, 5 * M, 0, before=[scalar(0.5)]), {"{}": NAN})
    bad = {'b{le="x"}': "3", "b": "4", 'b{le="1_0"}': "5", 'b{le="1e999"}': "1"}
    assert instant_call("histogram_quantile", bad, 5 * M, 0, before=[scalar(0.5)]) == []


def test_histogram_quantile_names_stay_in_the_grouping_key() -> None:
    series = {
        'a_bucket{le="0.1"}': "1",
        'a_bucket{le="+Inf"}': "2",
        'b_bucket{le="0.1"}': "1",
        'b_bucket{le="+Inf"}': "2",
    }
    got = instant_call("histogram_quantile", series, 5 * M, 0, before=[scalar(0.5)])
    assert [lset for lset, _ in got] == [Labels(), Labels()]  # the evaluator's duplicate check rejects it


def test_histogram_quantile_buckets_missing_at_some_steps() -> None:
    v = StepVector(
        [parse_labels('h{le="1"}'), parse_labels('h{le="2"}'), parse_labels('h{le="+Inf"}')],
        np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [4.0, 4.0, 4.0]]),
        np.array([[True, False, True], [True, True, False], [True, True, True]]),
    )
    out = call("histogram_quantile", [scalar(0.5, 0.5, 0.5), v], CallContext(np.array([0, 1, 2])))
    assert isinstance(out, StepVector)
    assert out.labels == [Labels()]
    # step 2: only le=1 (1) and +Inf (4): the rank 2 is past the last finite bucket, whose bound is returned
    assert out.values[0].tolist() == [2.0, 2.0, 1.0]


LR = {
    'testmetric{src="source-value-10",dst="original-destination-value"}': "0",
    'testmetric{src="source-value-20",dst="original-destination-value"}': "1",
}


def _lr(*args: str) -> list[tuple[Labels, float]]:
    return instant_call("label_replace", LR, 5 * M, 0, after=[string(a) for a in args])


def test_label_replace() -> None:
    t = "testmetric"
    expect(
        _lr("dst", "destination-value-$1", "src", "source-value-(.*)"),
        {
            t + '{src="source-value-10",dst="destination-value-10"}': 0,
            t + '{src="source-value-20",dst="destination-value-20"}': 1,
        },
    )
    unchanged = {t + '{src="source-value-10",dst="original-destination-value"}': 0}
    unchanged[t + '{src="source-value-20",dst="original-destination-value"}'] = 1
    expect(_lr("dst", "destination-value-$1", "src", "value-(.*)"), unchanged)
    expect(_lr("dst", "value-$1", "nonexistent-src", "source-value-(.*)"), unchanged)
    expect(_lr("dst", "value-$1", "src", "non-matching-regex"), unchanged)
    expect(
        _lr("dst", "$1-value-$2", "src", "(.*)-value-(.*)"),
        {
            t + '{src="source-value-10",dst="source-value-10"}': 0,
            t + '{src="source-value-20",dst="source-value-20"}': 1,
        },
    )
    expect(
        _lr("dst", "value-$1", "nonexistent-src", "(.*)"),
        {t + '{src="source-value-10",dst="value-"}': 0, t + '{src="source-value-20",dst="value-"}': 1},
    )
    expect(_lr("dst", "", "dst", ".*"), {t + '{src="source-value-10"}': 0, t + '{src="source-value-20"}': 1})


def test_label_replace_go_templates() -> None:
    got = _lr("dst", "${1}x$1x$$ $a $ ${2 $name $10", "src", "(.*)-value-(?P<a>.*)")
    assert {lset.get("dst") for lset, _ in got} == {"sourcex$ 10 $ ${2  ", "sourcex$ 20 $ ${2  "}


def test_label_replace_errors() -> None:
    with pytest.raises(FunctionError, match=r"^invalid regular expression in label_replace\(\): \(\.\*$"):
        _lr("dst", "value-$1", "src", "(.*")
    with pytest.raises(
        FunctionError, match=r"^invalid destination label name in label_replace\(\): invalid-label"
    ):
        _lr("invalid-label-name", "", "src", "(.*)")
    # Errors are raised even when the vector is empty, as Prometheus validates on every call.
    empty = StepVector.empty(1)
    with pytest.raises(FunctionError):
        call("label_replace", [empty, *map(string, ("d", "", "s", "("))], CallContext(np.array([0])))


def test_label_replace_collisions_are_returned() -> None:
    got = _lr("src", "", "", "")
    assert len(got) == 2 and got[0][0] == got[1][0]


JOIN = {
    'testmetric{src="a",src1="b",src2="c",dst="original-destination-value"}': "0",
    'testmetric{src="d",src1="e",src2="f",dst="original-destination-value"}': "1",
}


def _join(*args: str) -> list[tuple[Labels, float]]:
    return instant_call("label_join", JOIN, 5 * M, 0, after=[string(a) for a in args])


def test_label_join() -> None:
    t = "testmetric"
    expect(
        _join("dst", "-", "src", "src1", "src2"),
        {t + '{src="a",src1="b",src2="c",dst="a-b-c"}': 0, t + '{src="d",src1="e",src2="f",dst="d-e-f"}': 1},
    )
    expect(
        _join("dst", "-", "src", "src3", "src1"),
        {t + '{src="a",src1="b",src2="c",dst="a--b"}': 0, t + '{src="d",src1="e",src2="f",dst="d--e"}': 1},
    )
    dropped = {t + '{src="a",src1="b",src2="c"}': 0, t + '{src="d",src1="e",src2="f"}': 1}
    expect(_join("dst", "", "emptysrc", "emptysrc1", "emptysrc2"), dropped)
    expect(_join("dst", ", "), dropped)
    with pytest.raises(FunctionError, match=r"^invalid source label name in label_join\(\): a-b$"):
        _join("dst", "-", "src", "a-b")
    with pytest.raises(FunctionError, match=r"^invalid destination label name in label_join\(\): 1x$"):
        _join("1x", "-", "src")
