"""The series notation of promtool's input_series and exp_samples labels, checked against promtool 2.42.

Expected values and messages were taken from promtool runs (`promtool test rules` printing the
loaded samples or the parse error).
"""

from __future__ import annotations

import math

import pytest

from erpmon.model import is_stale_nan
from erpmon.rules.unittest import SeriesParseError, parse_metric, parse_series_desc

EXPECTED_VALUE = 'expected number or "stale"'


def values(text: str) -> list[float | None]:
    return parse_series_desc(text)[1]


@pytest.mark.parametrize(
    ("notation", "expected"),
    [
        ("x 1 2 3", [1, 2, 3]),
        ("x 1+1x3", [1, 2, 3, 4]),
        ("x 1-1x3", [1, 0, -1, -2]),
        ("x -1-1x3", [-1, -2, -3, -4]),
        ("x 1x3", [1, 1, 1, 1]),
        ("x 1x0", [1]),
        ("x _x3 1", [None, None, None, 1]),  # _xN is N blanks, vxN is N+1 values
        ("x _x0 2", [2]),
        ("x _ _ 1", [None, None, 1]),
        ("x 1e3 1E-3 .5 5. 010 08 0777", [1000, 0.001, 0.5, 5, 8, 8, 511]),  # 010 is octal
        ("x 0x10", [0.0] * 11),  # no hex in series: 0 repeated
        ("x +1 -0", [1, -0.0]),
        ("x 1 2 ", [1, 2]),
        ("x 1  2", [1, 2]),
        ("x 1\t2", [1, 2]),
        ("x 99999999999999999999", [1e20]),
        ("x 1e-400", [0.0]),
        ("x", []),
    ],
)
def test_values(notation: str, expected: list[float | None]) -> None:
    got = values(notation)
    assert got == expected
    assert [math.copysign(1, v) if v is not None else None for v in got] == [
        math.copysign(1, v) if v is not None else None for v in expected
    ]


def test_steps_accumulate_like_go() -> None:
    # Go adds the step to the running value; 0.1+0.2x6 is not 0.1 + k*0.2.
    got = values("x 0.1+0.2x6")
    running, expected = 0.1, []
    for _ in range(7):
        expected.append(running)
        running += 0.2
    assert got == expected
    assert got[6] != 0.1 + 6 * 0.2


def test_special_values() -> None:
    got = values("x Inf -Inf +Inf NaN nan inf stale")
    assert got[:3] == [math.inf, -math.inf, math.inf]
    assert math.isnan(got[3]) and math.isnan(got[4]) and got[5] == math.inf  # type: ignore[arg-type]
    assert is_stale_nan(got[6])  # type: ignore[arg-type]
    assert not is_stale_nan(got[3])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ('x{a="b"} 1', (("__name__", "x"), ("a", "b"))),
        ('x{a="b",} 1', (("__name__", "x"), ("a", "b"))),
        ('{a="b"} 1', (("a", "b"),)),
        ('{__name__="y",a="b"} 1', (("__name__", "y"), ("a", "b"))),
        ('y{__name__="z"} 1', (("__name__", "y"),)),
        ("x{a='b'} 1", (("__name__", "x"), ("a", "b"))),
        ("x{a=`b`} 1", (("__name__", "x"), ("a", "b"))),
        ('x{a="b\\"c"} 1', (("__name__", "x"), ("a", 'b"c'))),
        ("x:y:z 1", (("__name__", "x:y:z"),)),
        ("sum 1", (("__name__", "sum"),)),
        ("by 1", (("__name__", "by"),)),
    ],
)
def test_series_labels(text: str, labels: tuple[tuple[str, str], ...]) -> None:
    assert parse_series_desc(text)[0] == labels


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x 1x3x2", '1:6: parse error: unexpected "x"'),
        ("x 1a", '1:3: parse error: bad number syntax: "1"'),
        (
            "x stalex3",
            '1:3: parse error: unexpected identifier "stalex3" in series values, ' + EXPECTED_VALUE,
        ),
        ("x stale x3", '1:9: parse error: unexpected "x"'),
        ("x sum", "1:3: parse error: unexpected <aggr:sum>"),
        ("x 1 x3", '1:5: parse error: unexpected "x"'),
        ('x{a="b"} 1 , 2', "1:12: parse error: unexpected character in series sequence: ','"),
        ("x{a=b} 1", '1:5: parse error: unexpected identifier "b" in label set, expected string'),
        ("x y 1", '1:3: parse error: unexpected identifier "y" in series values, ' + EXPECTED_VALUE),
        ("1 2", '1:1: parse error: unexpected number "1" in series values'),
        (
            "x 1x1.5",
            "1:5: parse error: invalid repetition in series values: "
            'strconv.ParseUint: parsing "1.5": invalid syntax',
        ),
        ("x 1 2 # c", "1:7: parse error: unexpected character in series sequence: '#'"),
        ("x 1+", "1:5: parse error: unexpected end of input in series values"),
        ("x 1+2 3", '1:6: parse error: unexpected " " in series values'),
        (
            "x 1e400",
            '1:3: parse error: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range',
        ),
    ],
)
def test_series_errors(text: str, message: str) -> None:
    with pytest.raises(SeriesParseError) as info:
        parse_series_desc(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("", ()),
        ("{}", ()),
        ("x", (("__name__", "x"),)),
        ('x{a="1", b=""}', (("__name__", "x"), ("a", "1"), ("b", ""))),  # empty values are kept
    ],
)
def test_metric(text: str, labels: tuple[tuple[str, str], ...]) -> None:
    assert parse_metric(text) == labels


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x{a=1}", "1:5: parse error: unexpected character inside braces: '1'"),
        ('metric{a=~"x"}', '1:9: parse error: unexpected <op:=~> in label set, expected "="'),
        ("metric other", '1:8: parse error: unexpected identifier "other"'),
        ('metric{a="1",', "1:14: parse error: unexpected end of input inside braces"),
    ],
)
def test_metric_errors(text: str, message: str) -> None:
    with pytest.raises(SeriesParseError) as info:
        parse_metric(text)
    assert str(info.value) == message
