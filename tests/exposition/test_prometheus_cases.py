"""The error cases of Prometheus 2.42's promparse_test.go / openmetricsparse_test.go, same wording."""

from __future__ import annotations

import pytest

from erpmon.exposition import ParseError, parse_openmetrics, parse_text

from .helpers import om, text

TEXT_ERRORS = [
    ("a", 'expected value after metric, got "INVALID"'),
    ("a{b='c'} 1\n", 'expected label value, got "INVALID"'),
    ("a{b=\n", 'expected label value, got "INVALID"'),
    (b'a{\xff="foo"} 1\n', 'expected label name, got "INVALID"'),
    (b'a{b="\xff"} 1\n', "invalid UTF-8 label value"),
    ("a true\n", 'strconv.ParseFloat: parsing "true": invalid syntax'),
    ('something_weird{problem="', 'expected label value, got "INVALID"'),
    ('empty_label_name{=""} 0', 'expected label name, got "EQUAL"'),
    ("foo 1_2\n", "unsupported character in float"),
    ("foo 0x1p-3\n", "unsupported character in float"),
    ("foo 0x1P-3\n", "unsupported character in float"),
    ("foo 0 1_2\n", 'expected next entry after timestamp, got "INVALID"'),
    ('{a="ok"} 1', '"INVALID" is not a valid start token'),
    ("# TYPE #\n#EOF\n", 'expected metric name after TYPE, got "INVALID"'),
    ("# HELP #\n#EOF\n", 'expected metric name after HELP, got "INVALID"'),
    ('a{b=\x00"ssss"} 1\n', 'expected label value, got "INVALID"'),
    ('a{b="\x00', 'expected label value, got "INVALID"'),
    ('a{b\x00="hiih"}\t1', 'expected equal, got "INVALID"'),
    ('a\x00{b="ddd"} 1', 'expected value after metric, got "INVALID"'),
    ("a 0 1\x00", 'expected next entry after timestamp, got "INVALID"'),
]

TEXT_NUL_OK = ['null_byte_metric{a="abc\x00"} 1', 'a{b="\x00ss"} 1\n', 'a{b="\x00"} 1\n']

OM_ERRORS = [
    ("", "data does not end with # EOF"),
    ("\n", '"INVALID" "\\n" is not a valid start token'),
    ("metric", 'expected value after metric, got "EOF"'),
    ("metric 1", "data does not end with # EOF"),
    ("metric 1\n", "data does not end with # EOF"),
    ('metric_total 1 # {aa="bb"} 4', "data does not end with # EOF"),
    ("a\n#EOF\n", 'expected value after metric, got "INVALID"'),
    ("\n\n#EOF\n", '"INVALID" "\\n" is not a valid start token'),
    (" a 1\n#EOF\n", '"INVALID" " " is not a valid start token'),
    ("9\n#EOF\n", '"INVALID" "9" is not a valid start token'),
    ("# TYPE u untyped\n#EOF\n", 'invalid metric type "untyped"'),
    ("# TYPE c counter \n#EOF\n", 'invalid metric type "counter "'),
    ("#  TYPE c counter\n#EOF\n", '"INVALID" " " is not a valid start token'),
    ("# TYPE \n#EOF\n", 'expected metric name after TYPE, got "INVALID"'),
    ("# TYPE m\n#EOF\n", "expected text in TYPE"),
    ("# UNIT metric suffix\n#EOF\n", 'unit not a suffix of metric "metric"'),
    ("# UNIT metricsuffix suffix\n#EOF\n", 'unit not a suffix of metric "metricsuffix"'),
    ("# UNIT m suffix\n#EOF\n", 'unit not a suffix of metric "m"'),
    ("# UNIT \n#EOF\n", 'expected metric name after UNIT, got "INVALID"'),
    ("# UNIT m\n#EOF\n", "expected text in UNIT"),
    ("# HELP \n#EOF\n", 'expected metric name after HELP, got "INVALID"'),
    ("# HELP m\n#EOF\n", "expected text in HELP"),
    ("a\t1\n#EOF\n", 'expected value after metric, got "INVALID"'),
    ("a 1\t2\n#EOF\n", 'strconv.ParseFloat: parsing "1\\t2": invalid syntax'),
    ("a 1 2 \n#EOF\n", 'expected next entry after timestamp, got "INVALID"'),
    ("a 1 2 #\n#EOF\n", 'expected next entry after timestamp, got "TIMESTAMP"'),
    ("a 1 1z\n#EOF\n", 'strconv.ParseFloat: parsing "1z": invalid syntax'),
    (" # EOF\n", '"INVALID" " " is not a valid start token'),
    ("# EOF\na 1", "unexpected data after # EOF"),
    ("# EOF\n\n", "unexpected data after # EOF"),
    ("# EOFa 1", "unexpected data after # EOF"),
    ("#\tTYPE c counter\n", '"INVALID" "\\t" is not a valid start token'),
    ("# TYPE c  counter\n", 'invalid metric type " counter"'),
    ("a 1 1 1\n# EOF\n", 'expected next entry after timestamp, got "TIMESTAMP"'),
    ("a{b='c'} 1\n# EOF\n", 'expected label value, got "INVALID"'),
    ('a{b="c",} 1\n# EOF\n', 'expected label name, got "BCLOSE"'),
    ('a{,b="c"} 1\n# EOF\n', 'expected label name or left brace, got "COMMA"'),
    ('a{b="c"d="e"} 1\n# EOF\n', 'expected comma, got "LNAME"'),
    ('a{b="c",,d="e"} 1\n# EOF\n', 'expected label name, got "COMMA"'),
    ("a{b=\n# EOF\n", 'expected label value, got "INVALID"'),
    (b'a{\xff="foo"} 1\n# EOF\n', 'expected label name or left brace, got "INVALID"'),
    (b'a{b="\xff"} 1\n# EOF\n', "invalid UTF-8 label value"),
    ("a true\n", 'strconv.ParseFloat: parsing "true": invalid syntax'),
    ('something_weird{problem="\n# EOF\n', 'expected label value, got "INVALID"'),
    ('empty_label_name{=""} 0\n# EOF\n', 'expected label name or left brace, got "EQUAL"'),
    ("foo 1_2\n\n# EOF\n", "unsupported character in float"),
    ("foo 0x1p-3\n\n# EOF\n", "unsupported character in float"),
    ("foo 0x1P-3\n\n# EOF\n", "unsupported character in float"),
    ("foo 0 1_2\n\n# EOF\n", "unsupported character in float"),
    ("custom_metric_total 1 # {aa=bb}\n# EOF\n", 'expected label value, got "INVALID"'),
    ('custom_metric_total 1 # {aa="bb"}\n# EOF\n', 'expected value after exemplar labels, got "INVALID"'),
    ('custom_metric_total 1 # {aa="bb"}', 'expected value after exemplar labels, got "EOF"'),
    ('custom_metric 1 # {aa="bb"}', "metric name custom_metric does not support exemplars"),
    ('custom_metric_total 1 # {aa="bb",,cc="dd"} 1', 'expected label name, got "COMMA"'),
    ('custom_metric_total 1 # {aa="bb"} 1_2', "unsupported character in float"),
    ('custom_metric_total 1 # {aa="bb"} 0x1p-3', "unsupported character in float"),
    ('custom_metric_total 1 # {aa="bb"} true', 'strconv.ParseFloat: parsing "true": invalid syntax'),
    ('custom_metric_total 1 # {aa="bb",cc=}', 'expected label value, got "INVALID"'),
    (b'custom_metric_total 1 # {aa=\\"\xff\\"} 9.0', 'expected label value, got "INVALID"'),
    ('{b="c",} 1', '"INVALID" "{" is not a valid start token'),
    ("a 1 NaN", "invalid timestamp"),
    ("a 1 -Inf", "invalid timestamp"),
    ("a 1 Inf", "invalid timestamp"),
    ('# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 NaN', "invalid exemplar timestamp"),
    ('# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 -Inf', "invalid exemplar timestamp"),
    ('# TYPE hhh histogram\nhhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 Inf', "invalid exemplar timestamp"),
    ('a{b=\x00"ssss"} 1\n# EOF\n', 'expected label value, got "INVALID"'),
    ('a{b="\x00', 'expected label value, got "INVALID"'),
    ('a{b\x00="hiih"}\t1', 'expected equal, got "INVALID"'),
    ('a\x00{b="ddd"} 1', 'expected value after metric, got "INVALID"'),
]

OM_NUL_OK = [
    'null_byte_metric{a="abc\x00"} 1\n# EOF\n',
    'a{b="\x00ss"} 1\n# EOF\n',
    'a{b="\x00"} 1\n# EOF\n',
    'a{b="\x00"} 1\n# EOF',
]


@pytest.mark.parametrize(("body", "reason"), TEXT_ERRORS)
def test_text_errors(body: str | bytes, reason: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_text(body)
    assert e.value.reason == reason


@pytest.mark.parametrize("body", TEXT_NUL_OK)
def test_text_nul_in_label_values(body: str) -> None:
    assert len(text(body)) == 1


@pytest.mark.parametrize(("body", "reason"), OM_ERRORS)
def test_openmetrics_errors(body: str | bytes, reason: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_openmetrics(body)
    assert e.value.reason == reason


@pytest.mark.parametrize("body", OM_NUL_OK)
def test_openmetrics_nul_in_label_values(body: str) -> None:
    assert len(om(body)) == 1
