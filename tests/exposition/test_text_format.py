"""Text format 0.0.4: what Prometheus 2.42's promparse accepts, and what it makes of it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from erpmon.exposition import NO_TIMESTAMP, NORMAL_NAN_BITS, MetricType, ParseError, parse_text
from erpmon.model import STALE_NAN_BITS, Labels

from .helpers import text


def test_samples_metadata_and_labels() -> None:
    got = text(
        "# HELP http_requests_total The total number of HTTP requests.\n"
        "# TYPE http_requests_total counter\n"
        'http_requests_total{method="post",code="200"} 1027 1395066363000\n'
        'http_requests_total{method="post",code="400"}    3 1395066363000\n'
        "\n"
        "# A normal comment.\n"
        "# TYPE untyped_thing untyped\n"
        "untyped_thing 12.47\n"
    )
    assert got.keys == [
        'http_requests_total{method="post",code="200"}',
        'http_requests_total{method="post",code="400"}',
        "untyped_thing",
    ]
    assert got.values.tolist() == [1027.0, 3.0, 12.47]
    assert got.timestamps.tolist() == [1395066363000, 1395066363000, NO_TIMESTAMP]
    assert got.labels['http_requests_total{method="post",code="400"}'] == Labels(
        {"__name__": "http_requests_total", "method": "post", "code": "400"}
    )
    assert got.labels["untyped_thing"] == Labels({"__name__": "untyped_thing"})
    assert got.types == {"http_requests_total": MetricType.COUNTER, "untyped_thing": MetricType.UNKNOWN}
    assert got.helps == {"http_requests_total": "The total number of HTTP requests."}
    assert got.units == {}
    assert not got.openmetrics


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("# HELP m a\\\\b\\nc", "a\\b\nc"),  # HELP unescapes \\ and \n ...
        ('# HELP m say \\"hi\\"', 'say \\"hi\\"'),  # ... but not \" (label values do)
        ("# HELP m", ""),
        ("# HELP m    ", ""),
        ("# HELP m  two spaces", " two spaces"),  # only the first blank goes
        ("# HELP m\ttabbed", "tabbed"),
        ("#\tHELP\tm\tx ", "x "),
        ("  # HELP m indented", "indented"),
        ("# HELP m foo\x00bar", "foo\x00bar"),
    ],
)
def test_help_text(line: str, want: str) -> None:
    assert text(line + "\n").helps == {"m": want}


@pytest.mark.parametrize(
    "line",
    ["#", "# just a comment", "#HELP m not metadata", "# HELPER m x", "# HELP", "# UNIT m seconds", "#\t"],
)
def test_other_comments_are_ignored(line: str) -> None:
    got = text(line + "\nm 1\n")
    assert got.keys == ["m"] and got.helps == {} and got.types == {}


@pytest.mark.parametrize(
    ("word", "mtype"),
    [
        ("counter", MetricType.COUNTER),
        ("gauge", MetricType.GAUGE),
        ("histogram", MetricType.HISTOGRAM),
        ("summary", MetricType.SUMMARY),
        ("untyped", MetricType.UNKNOWN),
    ],
)
def test_types(word: str, mtype: MetricType) -> None:
    assert text(f"# TYPE m {word}\n").types == {"m": mtype}


@pytest.mark.parametrize("word", ["unknown", "info", "stateset", "gaugehistogram", "Counter", "counter "])
def test_types_the_text_format_lacks(word: str) -> None:
    with pytest.raises(ParseError, match=r'^line 1: invalid metric type "'):
        parse_text(f"# TYPE m {word}\n")


def test_type_after_its_samples_is_fine() -> None:
    got = text("m 1\n# TYPE m gauge\n")
    assert got.keys == ["m"] and got.types == {"m": MetricType.GAUGE}


@pytest.mark.parametrize(
    ("series", "want"),
    [
        (r'm{a="x\\y"}', "x\\y"),
        (r'm{a="x\"y"}', 'x"y'),
        (r'm{a="x\ny"}', "x\ny"),
        (r'm{a="x\\ny"}', "x\\ny"),  # \\ first, then a plain n
        (r'm{a="x\ty"}', "x\\ty"),  # unknown escapes stay as written
        (r'm{a="\\\""}', '\\"'),
        ('m{a="日本"}', "日本"),
        ('m{a="} { , ="}', "} { , ="),
    ],
)
def test_label_value_escapes(series: str, want: str) -> None:
    got = text(series + " 1\n")
    assert got.keys == [series]
    assert got.labels[series]["a"] == want


@pytest.mark.parametrize(
    "series",
    [
        'm{a="1",}',
        'm{ a = "1" , b = "2" , }',
        'm {a="1"}',
        'm\t{a="1"}',
        'm{a="1" b="2"}',  # no comma between pairs: 2.42 takes it
        'm{a="1"b="2"}',
    ],
)
def test_label_block_spacing_and_commas(series: str) -> None:
    got = text(series + " 7\n")
    assert got.keys == [series]
    assert got.labels[series]["a"] == "1"


def test_empty_label_set_and_empty_values() -> None:
    got = text('m{} 1\nn{a="",b="x"} 2\n')
    assert got.labels == {
        "m{}": Labels({"__name__": "m"}),
        'n{a="",b="x"}': Labels({"__name__": "n", "b": "x"}),
    }


@pytest.mark.parametrize(
    ("body", "keys", "values", "timestamps"),
    [
        ("m 1", ["m"], [1.0], [NO_TIMESTAMP]),  # no trailing newline
        ("  m 1 \n", ["m"], [1.0], [NO_TIMESTAMP]),
        ("m\t1\t2\t\n", ["m"], [1.0], [2]),
        ("m 1 0\n", ["m"], [1.0], [0]),
        ("m 1 9223372036854775807\n", ["m"], [1.0], [2**63 - 1]),
        ("m 1 007\n", ["m"], [1.0], [7]),
        ('m{a="1"}2\n', ['m{a="1"}'], [2.0], [NO_TIMESTAMP]),  # value glued to the brace
        ("m-1\n", ["m"], [-1.0], [NO_TIMESTAMP]),  # ... or to the name
        ("m+Inf\n", ["m"], [math.inf], [NO_TIMESTAMP]),
        ("\n\n  \n\t\nm 1\n\n", ["m"], [1.0], [NO_TIMESTAMP]),
        ("", [], [], []),
    ],
)
def test_spacing_and_timestamps(
    body: str, keys: list[str], values: list[float], timestamps: list[int]
) -> None:
    got = text(body)
    assert got.keys == keys
    assert got.values.tolist() == values
    assert got.timestamps.tolist() == timestamps


def test_label_value_spanning_lines() -> None:
    # The 0.0.4 lexer lets a quoted value run over a line break.
    got = text('m{a="x\ny"} 1\nn 2\n')
    assert got.keys == ['m{a="x\ny"}', "n"]
    assert got.labels['m{a="x\ny"}']["a"] == "x\ny"


def test_nul_at_a_line_start_ends_the_payload() -> None:
    assert text("a 1\n\x00b 2\n").keys == ["a"]
    assert text("a 1\n#\x00\nb 2\n").keys == ["a"]
    assert text('a{b="\x00"} 1\n').labels['a{b="\x00"}']["b"] == "\x00"


def test_duplicate_series_both_come_through() -> None:
    got = text('m{a="1"} 1\nm{a="1"} 2\n')
    assert got.keys == ['m{a="1"}', 'm{a="1"}']
    assert got.values.tolist() == [1.0, 2.0]
    assert list(got.labels) == ['m{a="1"}']


@pytest.mark.parametrize(
    ("token", "want"),
    [
        ("0", 0.0),
        ("-0", -0.0),
        ("+1", 1.0),
        ("1e3", 1000.0),
        ("1E-3", 0.001),
        (".5", 0.5),
        ("5.", 5.0),
        ("1.5e+10", 1.5e10),
        ("+Inf", math.inf),
        ("-Inf", -math.inf),
        ("Inf", math.inf),
        ("inf", math.inf),
        ("+infinity", math.inf),
        ("-Infinity", -math.inf),
        ("1e-400", 0.0),  # underflow is not an error in Go
        ("1.7976931348623157e308", 1.7976931348623157e308),
    ],
)
def test_values(token: str, want: float) -> None:
    got = text(f"m {token}\n").values
    assert got.tolist() == [want]
    assert math.copysign(1, got[0]) == math.copysign(1, want)


@pytest.mark.parametrize("token", ["NaN", "nan", "NAN"])
def test_nan_is_the_normal_nan_not_the_staleness_marker(token: str) -> None:
    got = text(f"m {token}\nn {token} 5\n").values
    bits = got.view(np.uint64).tolist()
    assert bits == [NORMAL_NAN_BITS, NORMAL_NAN_BITS]
    assert STALE_NAN_BITS not in bits


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("1_000", "unsupported character in float"),
        ("0x1p3", "unsupported character in float"),
        ("0x10", 'strconv.ParseFloat: parsing "0x10": invalid syntax'),
        ("+NaN", 'strconv.ParseFloat: parsing "+NaN": invalid syntax'),
        ("-nan", 'strconv.ParseFloat: parsing "-nan": invalid syntax'),
        ("infin", 'strconv.ParseFloat: parsing "infin": invalid syntax'),
        ("1e", 'strconv.ParseFloat: parsing "1e": invalid syntax'),
        (".", 'strconv.ParseFloat: parsing ".": invalid syntax'),
        ("1,5", 'strconv.ParseFloat: parsing "1,5": invalid syntax'),
        ("１", 'strconv.ParseFloat: parsing "１": invalid syntax'),  # float() takes Unicode digits
        ("1\r", 'strconv.ParseFloat: parsing "1\\r": invalid syntax'),  # CRLF line ends
        ("1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
        ("-1e400", 'strconv.ParseFloat: parsing "-1e400": value out of range'),
        ("1" + "0" * 400, f'strconv.ParseFloat: parsing "1{"0" * 400}": value out of range'),
    ],
)
def test_invalid_values(token: str, reason: str) -> None:
    for known in (frozenset(), frozenset({"m"})):  # a known key gets no pass
        with pytest.raises(ParseError) as e:
            parse_text(f"ok 1\nm {token}\n", known=known)
        assert (e.value.line, e.value.reason) == (2, reason)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("m 1 -5", 'expected timestamp or new record, got "INVALID"'),
        ("m 1 1.5", 'expected next entry after timestamp, got "INVALID"'),
        ("m 1 2 3", 'expected next entry after timestamp, got "TIMESTAMP"'),
        ("m 1 9223372036854775808", 'strconv.ParseInt: parsing "9223372036854775808": value out of range'),
    ],
)
def test_invalid_timestamps(line: str, reason: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_text(line + "\n", known={"m"})
    assert e.value.reason == reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("1m 1", '"INVALID" is not a valid start token'),
        ("m.x 1", 'strconv.ParseFloat: parsing ".x": invalid syntax'),
        ('m{1a="x"} 1', 'expected label name, got "INVALID"'),
        ('m{a-b="x"} 1', 'expected equal, got "INVALID"'),
        ('m{a.b="x"} 1', 'expected equal, got "INVALID"'),
        ('m{,a="x"} 1', 'expected label name, got "COMMA"'),
        ('m{a="x",,} 1', 'expected label name, got "COMMA"'),
        ('m{a="1",a="2"} 1', 'label name "a" is not unique'),
        ('m{__name__="n"} 1', 'label name "__name__" is not unique'),
        ('m{a="1",b="",a=""} 1', 'label name "a" is not unique'),
        ('m{a="1"}{b="2"} 1', 'expected value after metric, got "BOPEN"'),
        ("m\\ 1", 'strconv.ParseFloat: parsing "\\\\": invalid syntax'),
        ("m", 'expected value after metric, got "INVALID"'),
        ('m{a="1"}', 'expected value after metric, got "INVALID"'),
        ("m 1 \x00", 'expected timestamp or new record, got "INVALID"'),
    ],
)
def test_invalid_names_and_label_sets(line: str, reason: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_text("# HELP m x\nok 1\n" + line + "\nlater 1\n")
    assert (e.value.line, e.value.reason) == (3, reason)
    assert str(e.value) == f"line 3: {reason}"


def test_the_first_error_in_payload_order_wins() -> None:
    body = "a 1\nb x\nc{ 1\n"
    with pytest.raises(ParseError, match=r'^line 2: strconv.ParseFloat: parsing "x"'):
        parse_text(body)
    with pytest.raises(ParseError, match=r'^line 2: label name "a" is not unique'):
        parse_text('ok 1\nm{a="1",a="1"} 1\nbad line\n')


def test_invalid_utf8() -> None:
    assert text(b"# comment \xff\nm 1\n").keys == ["m"]
    with pytest.raises(ParseError, match=r"^line 2: invalid UTF-8 label value$"):
        parse_text(b'ok 1\nm{a="\xff"} 1\n')
    with pytest.raises(ParseError, match=r"^line 1: help text is not a valid utf8 string$"):
        parse_text(b"# HELP m \xff\n")
    with pytest.raises(ParseError, match=r'^line 1: expected label name, got "INVALID"$'):
        parse_text(b'a{\xff="foo"} 1\n')


def test_known_keys_skip_label_parsing_but_not_validation() -> None:
    body = 'm{a="1"} 1\nm{a="2"} 2 1000\nn 3\n'
    first = text(body)
    assert set(first.labels) == {'m{a="1"}', 'm{a="2"}', "n"}
    again = text(body, known={'m{a="1"}', 'm{a="2"}'})
    assert list(again.labels) == ["n"]
    assert again.keys == first.keys
    assert again.timestamps.tolist() == [NO_TIMESTAMP, 1000, NO_TIMESTAMP]
    with pytest.raises(ParseError, match=r"^line 2: expected next entry after timestamp"):
        parse_text('m{a="1"} 1\nm{a="2"} 2 1000 x\n', known=set(first.keys))


def test_bytes_and_str_agree() -> None:
    body = '# TYPE m gauge\nm{a="é"} 1\n'
    assert text(body.encode()).labels == text(body).labels
