"""OpenMetrics 1.0 text: what Prometheus 2.42's openmetricsparse accepts, and what it makes of it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from erpmon.exposition import NO_TIMESTAMP, NORMAL_NAN_BITS, MetricType, ParseError, parse_openmetrics
from erpmon.model import Labels

from .helpers import om

ALL_TYPES = """\
# TYPE acme_http_router_request_seconds summary
# UNIT acme_http_router_request_seconds seconds
# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
# TYPE go_goroutines gauge
go_goroutines 69
# TYPE process_cpu_seconds counter
# UNIT process_cpu_seconds seconds
process_cpu_seconds_total 4.20072246e+06
process_cpu_seconds_created 1.6e9
# TYPE req_seconds histogram
req_seconds_bucket{le="0.1"} 8 # {trace_id="KOO5S4vxi0o"} 0.07 1.6e9
req_seconds_bucket{le="+Inf"} 10 # {} 12
req_seconds_count 10
req_seconds_sum 2.5
req_seconds_created 1.5e9
# TYPE queue gaugehistogram
queue_bucket{le="1"} 3
queue_bucket{le="+Inf"} 5
queue_gcount 5
queue_gsum 7.5
# TYPE build info
build_info{version="1.2.3"} 1
# TYPE feature stateset
feature{feature="a"} 1
feature{feature="b"} 0
# TYPE thing unknown
thing -Inf
# EOF
"""


def test_all_types() -> None:
    got = om(ALL_TYPES)
    assert got.openmetrics
    assert got.types == {
        "acme_http_router_request_seconds": MetricType.SUMMARY,
        "go_goroutines": MetricType.GAUGE,
        "process_cpu_seconds": MetricType.COUNTER,
        "req_seconds": MetricType.HISTOGRAM,
        "queue": MetricType.GAUGE_HISTOGRAM,
        "build": MetricType.INFO,
        "feature": MetricType.STATESET,
        "thing": MetricType.UNKNOWN,
    }
    assert got.units == {"acme_http_router_request_seconds": "seconds", "process_cpu_seconds": "seconds"}
    assert got.helps == {
        "acme_http_router_request_seconds": "Latency though all of ACME's HTTP request router."
    }
    assert len(got) == 19
    assert got.keys[6:8] == ['req_seconds_bucket{le="0.1"}', 'req_seconds_bucket{le="+Inf"}']
    assert got.values[6:8].tolist() == [8.0, 10.0]  # the exemplars' values are dropped
    assert got.timestamps[6:8].tolist() == [NO_TIMESTAMP, NO_TIMESTAMP]  # and their timestamps
    assert got.values[-1] == -math.inf
    assert got.labels['build_info{version="1.2.3"}'] == Labels({"__name__": "build_info", "version": "1.2.3"})
    assert got.labels["process_cpu_seconds_total"] == Labels({"__name__": "process_cpu_seconds_total"})


@pytest.mark.parametrize(
    ("token", "ms"),
    [
        ("0", 0),
        ("1", 1000),
        ("1.5", 1500),
        ("1520879607.789", 1520879607789),
        ("-1.5", -1500),
        ("1e3", 1_000_000),
        ("0.0019", 1),  # truncated toward zero, as int64() does
        ("-0.0019", -1),
        ("1.005", 1004),  # 1.005 * 1000 == 1004.9999999999999 in float64, as in Go
        ("9.2e15", 9_200_000_000_000_000_000),
    ],
)
def test_timestamps_are_float_seconds(token: str, ms: int) -> None:
    got = om(f"a 1 {token}\n# EOF\n")
    assert got.timestamps.tolist() == [ms]


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("NaN", "invalid timestamp"),
        ("Inf", "invalid timestamp"),
        ("1e16", "timestamp out of range"),  # Go would wrap to math.MinInt64; we refuse
        ("1_0", "unsupported character in float"),
        ("0x10", 'strconv.ParseFloat: parsing "0x10": invalid syntax'),
        ("1e999", 'strconv.ParseFloat: parsing "1e999": value out of range'),
    ],
)
def test_invalid_timestamps(token: str, reason: str) -> None:
    for known in (frozenset(), frozenset({"a"})):
        with pytest.raises(ParseError) as e:
            parse_openmetrics(f"a 1\na 1 {token}\n# EOF\n", known=known)
        assert (e.value.line, e.value.reason) == (2, reason)


def test_values_and_nan_bits() -> None:
    got = om("a NaN\nb +Inf\nc -Inf\nd 1e-3\ne -0.0\n# EOF\n")
    assert got.values.view(np.uint64)[0] == NORMAL_NAN_BITS
    assert got.values[1:].tolist() == [math.inf, -math.inf, 0.001, -0.0]


@pytest.mark.parametrize(
    ("series", "want"),
    [
        (r'm{a="x\\y"}', "x\\y"),
        (r'm{a="x\"y"}', 'x"y'),
        (r'm{a="x\ny"}', "x\ny"),
        (r'm{a="x y # {z}"}', "x y # {z}"),
    ],
)
def test_label_value_escapes(series: str, want: str) -> None:
    got = om(f"{series} 1\n# EOF\n")
    assert got.labels[series]["a"] == want


def test_help_unescapes_quotes_too() -> None:
    assert om('# HELP m a \\"b\\" \\\\ \\n\n# EOF\n').helps == {"m": 'a "b" \\ \n'}


def test_exemplars_are_checked_then_dropped() -> None:
    got = om(
        'a_total{x="1"} 5 # {trace_id="abc",span_id="d"} 1.5 1520879607.789\n'
        'b_bucket{le="1"} 6 100 # {trace_id="x y"} 2\n'
        "# EOF\n"
    )
    assert got.keys == ['a_total{x="1"}', 'b_bucket{le="1"}']
    assert got.values.tolist() == [5.0, 6.0]
    assert got.timestamps.tolist() == [NO_TIMESTAMP, 100_000]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("# comment\n# EOF\n", '"INVALID" "c" is not a valid start token'),
        ("\n# EOF\n", '"INVALID" "\\n" is not a valid start token'),
        ("a  1\n# EOF\n", 'expected value after metric, got "INVALID"'),
        ('a {b="1"} 1\n# EOF\n', 'strconv.ParseFloat: parsing "{b=\\"1\\"}": invalid syntax'),
        ('a{b="1", c="2"} 1\n# EOF\n', 'expected label name, got "INVALID"'),
        ('a{b = "1"} 1\n# EOF\n', 'expected equal, got "INVALID"'),
        ("a 1 \n# EOF\n", 'expected timestamp or # symbol, got "INVALID"'),
        ('a{b="1",b="2"} 1\n# EOF\n', 'label name "b" is not unique'),
        ('a_total 1 # {b="1"} x\n# EOF\n', 'strconv.ParseFloat: parsing "x": invalid syntax'),
        ('a_total 1 # {b="1"}  1\n# EOF\n', 'expected value after exemplar labels, got "INVALID"'),
        (
            'a_total 1 # {b="1"} 1 2 3\n# EOF\n',
            'expected next entry after exemplar timestamp, got "TIMESTAMP"',
        ),
        ('a_total 1 # {b="1"} 1 \n# EOF\n', 'expected timestamp or comment, got "INVALID"'),
        ("# EOF\n# EOF\n", "unexpected data after # EOF"),
        ("# EOF \n", "unexpected data after # EOF"),
        ("a 1\r\n# EOF\n", 'strconv.ParseFloat: parsing "1\\r": invalid syntax'),
        ("# TYPE a untyped\n# EOF\n", 'invalid metric type "untyped"'),
        ("# TYPE a\tcounter\n# EOF\n", "expected text in TYPE"),
        ("# HELP a\n# EOF\n", "expected text in HELP"),
    ],
)
def test_errors(body: str, reason: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_openmetrics("ok 1\n" + body)
    assert (e.value.line, e.value.reason) == (2, reason)


def test_eof_rules() -> None:
    assert om("# EOF").keys == []
    assert om("# EOF\n").keys == []
    assert om("a 1\n# EOF").keys == ["a"]
    with pytest.raises(ParseError, match=r"^line 2: data does not end with # EOF$"):
        parse_openmetrics("a 1\n")
    with pytest.raises(ParseError, match=r"^line 2: unexpected data after # EOF$"):
        parse_openmetrics("a 1\n# EOF\nb 1\n")


def test_duplicates_and_known_keys() -> None:
    body = 'a{x="1"} 1\na{x="1"} 2 3\nb 4\n# EOF\n'
    first = om(body)
    assert first.keys == ['a{x="1"}', 'a{x="1"}', "b"]
    assert first.values.tolist() == [1.0, 2.0, 4.0]
    assert first.timestamps.tolist() == [NO_TIMESTAMP, 3000, NO_TIMESTAMP]
    again = om(body, known={'a{x="1"}'})
    assert list(again.labels) == ["b"]
    with pytest.raises(ParseError, match=r"^line 2: expected next entry after timestamp"):
        parse_openmetrics('a{x="1"} 1\na{x="1"} 2 3 4\n# EOF\n', known={'a{x="1"}'})


def test_prometheus_is_laxer_than_the_spec() -> None:
    # The OpenMetrics spec refuses all of these; Prometheus 2.42 checks syntax only, so do we.
    lax = (
        "c 1\n"  # a sample before its TYPE, a counter without _total
        "# TYPE c counter\n"
        "# TYPE c gauge\n"  # metadata twice
        "g 1\n"
        "c 2\n"  # the family interleaved with another
        'h_bucket{le="+Inf"} 1\nh_bucket{le="1"} 2\n'  # buckets out of order, no TYPE at all
        'm_total 1 # {a="b"} 1\n'  # an exemplar on an untyped family
        "# EOF\n"
    )
    got = om(lax)
    assert got.keys == ["c", "g", "c", 'h_bucket{le="+Inf"}', 'h_bucket{le="1"}', "m_total"]
    assert got.types == {"c": MetricType.GAUGE}
