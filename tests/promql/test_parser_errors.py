"""parse_expr's errors: message and position exactly as Prometheus 2.42 reports them.

Every expected message below is what a Prometheus 2.42 server answered (`/api/v1/query`, errorType
bad_data) for the same input, less the API's `invalid parameter "query": ` prefix. They cover
parse_test.go's failing cases and more: the lexer, yacc's error contexts, rule actions and checkAST.
"""

from __future__ import annotations

import pytest

from erpmon.promql._lexer import go_line_col
from erpmon.promql._parser import PromQLSyntaxError, parse_expr

OFFSET_PLACEMENT = (
    "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"
)
AT_PLACEMENT = (
    "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"
)
UNARY = "unary expression only allowed on expressions of type scalar or instant vector, got "

# (query, "line:column", message); a regex's undecodable byte is kept as Python's surrogate escape.
ERRORS = [
    ("", "1:1", "no expression found in input"),
    ("# just a comment\n\n", "1:1", "no expression found in input"),
    ("1+", "1:3", "unexpected end of input"),
    (".", "1:1", "unexpected character: '.'"),
    ("2.5.", "1:4", "unexpected character: '.'"),
    ("100..4", "1:5", 'unexpected number ".4"'),
    ("0deadbeef", "1:1", 'bad number or duration syntax: "0de"'),
    ("1 /", "1:4", "unexpected end of input"),
    ("*1", "1:1", "unexpected <op:*>"),
    ("(1))", "1:5", "unexpected right parenthesis ')'"),
    ("((1)", "1:5", "unclosed left parenthesis"),
    ("(", "1:2", "unclosed left parenthesis"),
    ("1 and 1", "1:1", 'set operator "and" not allowed in binary scalar expression'),
    ("1 == 1", "1:3", "comparisons between scalars must use BOOL modifier"),
    ("1 or 1", "1:1", 'set operator "or" not allowed in binary scalar expression'),
    ("1 unless 1", "1:1", 'set operator "unless" not allowed in binary scalar expression'),
    ("1 !~ 1", "1:3", "unexpected character after '!': '~'"),
    ("1 =~ 1", "1:3", "unexpected character after '=': '~'"),
    ('-"string"', "1:1", UNARY + '"string"'),
    ("-test[5m]", "1:1", UNARY + '"range vector"'),
    ("*test", "1:1", "unexpected <op:*>"),
    ("1 offset 1d", "1:1", OFFSET_PLACEMENT),
    ("foo offset 1s offset 2s", "1:1", "offset may not be set multiple times"),
    ("a - on(b) ignoring(c) d", "1:11", "unexpected <ignoring>"),
    ("foo and 1", "1:1", 'set operator "and" not allowed in binary scalar expression'),
    ("1 and foo", "1:1", 'set operator "and" not allowed in binary scalar expression'),
    ("foo or 1", "1:1", 'set operator "or" not allowed in binary scalar expression'),
    ("1 unless foo", "1:1", 'set operator "unless" not allowed in binary scalar expression'),
    ("1 + on(bar) foo", "1:1", "vector matching only allowed between instant vectors"),
    ("foo + on(bar) 1", "1:1", "vector matching only allowed between instant vectors"),
    ("foo and bar group_left(baz) bar", "1:13", "unexpected <group_left>"),
    ("foo and on(bar) group_left(baz) bar", "1:1", 'no grouping allowed for "and" operation'),
    ("foo and on(bar) group_right(baz) bar", "1:1", 'no grouping allowed for "and" operation'),
    ("foo or on(bar) group_left(baz) bar", "1:1", 'no grouping allowed for "or" operation'),
    ("foo unless ignoring(bar) group_left(baz) bar", "1:1", 'no grouping allowed for "unless" operation'),
    (
        'http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}',
        "1:35",
        'label "instance" must not occur in ON and GROUP clause at once',
    ),
    ("foo + bool bar", "1:5", "bool modifier can only be used on comparison operators"),
    ("foo + bool 10", "1:5", "bool modifier can only be used on comparison operators"),
    ("foo and bool 10", "1:5", "bool modifier can only be used on comparison operators"),
    ("foo @ +Inf", "1:1", "timestamp out of bounds for @ modifier: +Inf"),
    ("foo @ -Inf", "1:1", "timestamp out of bounds for @ modifier: -Inf"),
    ("foo @ NaN", "1:1", "timestamp out of bounds for @ modifier: NaN"),
    (
        "foo @ 9223372036854775807",
        "1:1",
        "timestamp out of bounds for @ modifier: 9223372036854775808.000000",
    ),
    (
        "foo @ -9223372036854775809",
        "1:1",
        "timestamp out of bounds for @ modifier: -9223372036854775808.000000",
    ),
    ("{", "1:2", "unexpected end of input inside braces"),
    ("}", "1:1", "unexpected character: '}'"),
    ("some{", "1:6", "unexpected end of input inside braces"),
    ("some}", "1:5", "unexpected character: '}'"),
    ("some_metric{a=b}", "1:15", 'unexpected identifier "b" in label matching, expected string'),
    ('some_metric{a:b="b"}', "1:14", "unexpected character inside braces: ':'"),
    ('foo{a*"b"}', "1:6", "unexpected character inside braces: '*'"),
    ('foo{a>="b"}', "1:6", "unexpected character inside braces: '>'"),
    ("foo{gibberish}", "1:14", 'unexpected "}" in label matching, expected label matching operator'),
    ("foo{1}", "1:5", "unexpected character inside braces: '1'"),
    ("{}", "1:1", "vector selector must contain at least one non-empty matcher"),
    ('{x=""}', "1:1", "vector selector must contain at least one non-empty matcher"),
    ('{x=~".*"}', "1:1", "vector selector must contain at least one non-empty matcher"),
    ('{x!~".+"}', "1:1", "vector selector must contain at least one non-empty matcher"),
    ('{x!="a"}', "1:1", "vector selector must contain at least one non-empty matcher"),
    ('foo{__name__="bar"}', "1:1", 'metric name must not be set twice: "foo" or "bar"'),
    ("foo{__name__= =}", "1:15", 'unexpected "=" in label matching, expected string'),
    ("foo{,}", "1:5", 'unexpected "," in label matching, expected identifier or "}"'),
    ('foo{__name__ == "bar"}', "1:15", 'unexpected "=" in label matching, expected string'),
    ('foo{__name__="bar" lol}', "1:20", 'unexpected identifier "lol" in label matching, expected "," or "}"'),
    ("foo[5mm]", "1:5", 'bad duration syntax: "5mm"'),
    ("foo[5m1]", "1:5", 'bad duration syntax: "5m1"'),
    ("foo[5m:1m1]", "1:8", 'bad number or duration syntax: "1m1"'),
    ("foo[5y1hs]", "1:5", 'not a valid duration string: "5y1hs"'),
    ("foo[5m1h]", "1:5", 'not a valid duration string: "5m1h"'),
    ("foo[5m1m]", "1:5", 'not a valid duration string: "5m1m"'),
    ("foo[0m]", "1:5", "duration must be greater than 0"),
    ('foo["5m"]', "1:5", "missing unit character in duration"),
    ("foo[]", "1:5", "missing unit character in duration"),
    ("foo[1]", "1:5", "missing unit character in duration"),
    ("some_metric[5m] OFFSET 1", "1:24", 'unexpected number "1" in offset, expected duration'),
    ("some_metric[5m] OFFSET 1mm", "1:24", 'bad number or duration syntax: "1mm"'),
    ("some_metric[5m] OFFSET", "1:23", "unexpected end of input in offset, expected duration"),
    ("some_metric OFFSET 1m[5m]", "1:22", "no offset modifiers allowed before range"),
    ("some_metric[5m] @ 1m", "1:19", 'unexpected duration "1m" in @, expected timestamp'),
    ("some_metric[5m] @", "1:18", "unexpected end of input in @, expected timestamp"),
    ("some_metric @ 1234 [5m]", "1:20", "no @ modifiers allowed before range"),
    ("(foo + bar)[5m]", "1:12", "ranges only allowed for vector selectors"),
    ("sum without(==)(some_metric)", "1:13", "unexpected <op:==> in grouping opts, expected label"),
    ("sum without(,)(some_metric)", "1:13", 'unexpected "," in grouping opts, expected label'),
    ("sum without(foo,,)(some_metric)", "1:17", 'unexpected "," in grouping opts, expected label'),
    ("sum some_metric by (test)", "1:5", 'unexpected identifier "some_metric"'),
    ("sum (some_metric) by test", "1:22", 'unexpected identifier "test" in grouping opts, expected "("'),
    ("sum () by (test)", "1:1", "no arguments for aggregate expression provided"),
    ("MIN keep_common (some_metric)", "1:5", 'unexpected identifier "keep_common"'),
    ("MIN (some_metric) keep_common", "1:19", 'unexpected identifier "keep_common"'),
    ("sum (some_metric) without (test) by (test)", "1:34", "unexpected <by>"),
    ("sum without (test) (some_metric) by (test)", "1:34", "unexpected <by>"),
    (
        "topk(some_metric)",
        "1:1",
        "wrong number of arguments for aggregate expression provided, expected 2, got 1",
    ),
    ("topk(some_metric,)", "1:17", "trailing commas not allowed in function call args"),
    (
        "topk(some_metric, other_metric)",
        "1:6",
        "expected type scalar in aggregation parameter, got instant vector",
    ),
    ("count_values(5, other_metric)", "1:14", "expected type string in aggregation parameter, got scalar"),
    ("rate(some_metric[5m]) @ 1234", "1:1", AT_PLACEMENT),
    ("floor()", "1:1", 'expected 1 argument(s) in call to "floor", got 0'),
    ("floor(some_metric, other_metric)", "1:1", 'expected 1 argument(s) in call to "floor", got 2'),
    ("floor(some_metric, 1)", "1:1", 'expected 1 argument(s) in call to "floor", got 2'),
    ("floor(1)", "1:7", 'expected type instant vector in call to function "floor", got scalar'),
    (
        "hour(some_metric, some_metric, some_metric)",
        "1:1",
        'expected at most 1 argument(s) in call to "hour", got 3',
    ),
    ("time(some_metric)", "1:1", 'expected 0 argument(s) in call to "time", got 1'),
    ("non_existent_function_far_bar()", "1:1", 'unknown function with name "non_existent_function_far_bar"'),
    ("rate(some_metric)", "1:6", 'expected type range vector in call to function "rate", got instant vector'),
    ("-=", "1:2", 'unexpected "="'),
    ("++-++-+-+-<", "1:11", "unexpected <op:<>"),
    ("e-+=/(0)", "1:4", 'unexpected "="'),
    ("a>b()", "1:3", 'unknown function with name "b"'),
    ("rate(avg)", "1:6", 'expected type range vector in call to function "rate", got instant vector'),
    ('"\\c"', "1:1", "unknown escape sequence U+0063 'c'"),
    ('"\\x."', "1:1", "illegal character U+002E '.' in escape sequence"),
    ('foo{bar="baz"}[', "1:16", "missing unit character in duration"),
    (
        'min_over_time(rate(foo{bar="baz"}[2s])[5m:])[4m:3s] offset 10m offset 10m',
        "1:1",
        "offset may not be set multiple times",
    ),
    ("test[5d] OFFSET 10s [10m:5s]", "1:1", "subquery is only allowed on instant vector, got matrix instead"),
    (
        '(foo + bar{nm="val"})[5m:][10m:5s]',
        "1:1",
        "subquery is only allowed on instant vector, got matrix instead",
    ),
    ("rate(food[1m])[1h] offset 1h", "1:15", "ranges only allowed for vector selectors"),
    ("rate(food[1m])[1h] @ 100", "1:15", "ranges only allowed for vector selectors"),
    ("foo @ start(", "1:13", "unclosed left parenthesis"),
    ("foo @ start)", "1:13", "unexpected right parenthesis ')'"),
    ("foo @ 1 @ 2", "1:1", "@ <timestamp> may not be set multiple times"),
    ("foo @ start() @ 100", "1:1", "@ <timestamp> may not be set multiple times"),
    ("sum(foo) by (a) @ 100", "1:1", AT_PLACEMENT),
    ("foo:bar(1)", "1:8", 'unexpected "("'),
    ("start()", "1:6", 'unexpected "("'),
    ("foo[5m] @ start() [5m]", "1:19", "ranges only allowed for vector selectors"),
    ("foo @ +x", "1:8", 'unexpected identifier "x" in @, expected timestamp'),
    ("foo offset - 5", "1:14", 'unexpected number "5" in offset, expected duration'),
    ("foo[5m:5]", "1:8", 'unexpected number "5" in subquery selector, expected duration or "]"'),
    ("foo[5m 5m]", "1:8", 'unexpected duration "5m" in subquery or range, expected ":" or "]"'),
    ("foo[5m:5m 1]", "1:11", 'unexpected number "1" in subquery selector, expected "]"'),
    ("foo[5m:(]", "1:8", 'unexpected "(" in subquery selector, expected duration or "]"'),
    ("foo[5m::]", "1:8", "unexpected colon ':'"),
    ("foo[[5m]]", "1:5", "missing unit character in duration"),
    ("foo]", "1:4", "unexpected right bracket ']'"),
    ("a + on(x) group_left , b", "1:22", 'unexpected "," in grouping opts, expected "("'),
    ("a + on(x) group_left (b)", "1:25", "unexpected end of input"),
    ("a + on , b", "1:8", 'unexpected "," in grouping opts, expected "("'),
    ("a == on(x) bool b", "1:12", "unexpected <bool>"),
    ("sum by", "1:7", 'unexpected end of input in grouping opts, expected "("'),
    ("sum by (a b) (x)", "1:11", 'unexpected identifier "b" in grouping opts, expected "," or ")"'),
    ('sum by ("a") (x)', "1:9", 'unexpected string "\\"a\\"" in grouping opts, expected label'),
    ("sum by (inf) (x)", "1:9", 'unexpected number "inf" in grouping opts, expected label'),
    ("sum by (a:b) (x)", "1:9", 'unexpected metric identifier "a:b" in grouping opts, expected label'),
    ("rate(foo, *)", "1:9", "trailing commas not allowed in function call args"),
    ("rate(foo,,)", "1:9", "trailing commas not allowed in function call args"),
    ("rate(,)", "1:6", 'unexpected ","'),
    ("sum(,)", "1:5", 'unexpected "," in aggregation'),
    ("sum(a, b)", "1:1", "wrong number of arguments for aggregate expression provided, expected 1, got 2"),
    ("quantile(a)", "1:1", "wrong number of arguments for aggregate expression provided, expected 2, got 1"),
    (
        'count_values("x", a, b)',
        "1:1",
        "wrong number of arguments for aggregate expression provided, expected 2, got 3",
    ),
    ("absent(foo[5m])", "1:8", 'expected type instant vector in call to function "absent", got range vector'),
    ("label_join(foo)", "1:1", 'expected at least 3 argument(s) in call to "label_join", got 1'),
    (
        'label_join(foo, "a", "b", "c", 1)',
        "1:32",
        'expected type string in call to function "label_join", got scalar',
    ),
    ("round(foo, 1, 2)", "1:1", 'expected at most 2 argument(s) in call to "round", got 3'),
    ("clamp(foo, 1)", "1:1", 'expected 3 argument(s) in call to "clamp", got 2'),
    (
        "histogram_quantile(foo, 0.9)",
        "1:20",
        'expected type scalar in call to function "histogram_quantile", got instant vector',
    ),
    ('vector("a")', "1:8", 'expected type scalar in call to function "vector", got string'),
    ("scalar(1)", "1:8", 'expected type instant vector in call to function "scalar", got scalar'),
    ('a + "b"', "1:5", "binary expression must contain only scalar and instant vector types"),
    ('"a" + 1', "1:1", "binary expression must contain only scalar and instant vector types"),
    ('"a" > bool 1', "1:1", "binary expression must contain only scalar and instant vector types"),
    ("foo[5m] + 1", "1:1", "binary expression must contain only scalar and instant vector types"),
    ("1 + foo[5m:]", "1:5", "binary expression must contain only scalar and instant vector types"),
    ("sum(foo[5m])", "1:5", "expected type instant vector in aggregation expression, got range vector"),
    ('topk("x", foo)', "1:6", "expected type scalar in aggregation parameter, got string"),
    ("quantile(foo, bar)", "1:10", "expected type scalar in aggregation parameter, got instant vector"),
    ("-(foo[5m])", "1:1", UNARY + '"range vector"'),
    ('-(-"x")', "1:3", UNARY + '"string"'),
    ("foo[5m:1m][5m:]", "1:1", "subquery is only allowed on instant vector, got matrix instead"),
    ("1[5m:]", "1:1", "subquery is only allowed on instant vector, got scalar instead"),
    ('"x"[5m:]', "1:1", "subquery is only allowed on instant vector, got string instead"),
    ("rate(foo[5m])[5m]", "1:14", "ranges only allowed for vector selectors"),
    ("foo offset 1m offset -1m", "1:1", "offset may not be set multiple times"),
    ("foo[1h:] offset 1m offset 1m", "1:1", "offset may not be set multiple times"),
    ("foo @ start() @ end()", "1:1", "@ <timestamp> may not be set multiple times"),
    ("foo[5m] offset 1m @ 1 @ 2", "1:1", "@ <timestamp> may not be set multiple times"),
    ('{a="b"} @ 1 [5m]', "1:13", "no @ modifiers allowed before range"),
    ("1 @ 5", "1:1", AT_PLACEMENT),
    ('"x" offset 5m', "1:1", OFFSET_PLACEMENT),
    ("a and on(x) group_left b", "1:1", 'no grouping allowed for "and" operation'),
    ("a or ignoring(x) group_right(y) b", "1:1", 'no grouping allowed for "or" operation'),
    ("a + on(x) group_left(x) b", "1:3", 'label "x" must not occur in ON and GROUP clause at once'),
    ("a > on(x) bool b", "1:11", "unexpected <bool>"),
    ("a bool > b", "1:3", "unexpected <bool>"),
    ("a > bool bool b", "1:10", "unexpected <bool>"),
    ("foo offset 300y", "1:12", "duration out of range"),
    ("foo @ 1e20", "1:1", "timestamp out of bounds for @ modifier: 100000000000000000000.000000"),
    ("0x", "1:1", 'error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax'),
    ("0x1.8", "1:1", 'error parsing number: strconv.ParseFloat: parsing "0x1.8": invalid syntax'),
    ("1e", "1:1", 'error parsing number: strconv.ParseFloat: parsing "1e": invalid syntax'),
    ("1e+", "1:1", 'error parsing number: strconv.ParseFloat: parsing "1e+": invalid syntax'),
    ('foo{a=~"\\xff"}', "1:5", "error parsing regexp: invalid UTF-8: `\udcff)$`"),
    ('foo{a="\\400"}', "1:7", "escape sequence is an invalid Unicode code point"),
    ('foo{a="\\ud800"}', "1:7", "escape sequence is an invalid Unicode code point"),
    ('foo{a="\\U00110000"}', "1:7", "escape sequence is an invalid Unicode code point"),
    ("'\\u12'", "1:1", "illegal character U+0027 ''' in escape sequence"),
    ('"\\u12', "1:1", "escape sequence not terminated"),
    ("`abc", "1:1", "unterminated raw string"),
    ('"abc', "1:1", "unterminated quoted string"),
    ("'abc", "1:1", "unterminated quoted string"),
    ('"a\nb"', "1:1", "unterminated quoted string"),
    ('foo{a="�"}', "1:7", "invalid UTF-8 rune"),
    ("é", "1:1", "unexpected character: 'é'"),
    ("foo é", "1:5", "unexpected character: 'é'"),
    ("foo\n  + é", "2:5", "unexpected character: 'é'"),
    ("foo\n\n   {", "3:5", "unexpected end of input inside braces"),
    ("1 # x\n== 1", "1:3", "comparisons between scalars must use BOOL modifier"),
    ("1 # x\n== bool 1 == 1", "2:11", "comparisons between scalars must use BOOL modifier"),
    ("foo bar", "1:5", 'unexpected identifier "bar"'),
    ("foo 12345678901", "1:5", 'unexpected number "1234567890"...'),
    ('"aaaaaaaaaaaaaaa" foo', "1:19", 'unexpected identifier "foo"'),
    ('foo "bbbbbbbbbbbbbbbbbb"', "1:5", 'unexpected string "\\"bbbbbbbbb"...'),
    ("foo 5m", "1:5", 'unexpected duration "5m"'),
    ("foo 1h30m20s10ms", "1:5", 'unexpected duration "1h30m20s10"...'),
    ("@ 5", "1:1", 'unexpected "<Item 57385>" <op:@>'),
    ("foo @ @", "1:7", 'unexpected "<Item 57385>" <op:@> in @, expected timestamp'),
    ("on", "1:1", "unexpected <on>"),
    ("bool", "1:1", "unexpected <bool>"),
    ("group_left", "1:1", "unexpected <group_left>"),
    ("atan2", "1:1", "unexpected <op:atan2>"),
    ("foo atan2", "1:10", "unexpected end of input"),
    ("by(foo)", "1:3", 'unexpected "("'),
    ('foo{a="b"}{c="d"}', "1:11", 'unexpected "{"'),
    ("foo}", "1:4", "unexpected character: '}'"),
]


@pytest.mark.parametrize(("query", "where", "message"), ERRORS)
def test_error_message(query: str, where: str, message: str) -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        parse_expr(query)
    assert str(info.value) == f"{where}: parse error: {message}"
    assert info.value.msg == message


@pytest.mark.parametrize(("query", "where", "message"), ERRORS)
def test_error_position_is_a_character_offset(query: str, where: str, message: str) -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        parse_expr(query)
    err = info.value
    assert 0 <= err.pos <= len(query)
    assert go_line_col(query, err.pos) == (err.line, err.col)
    assert f"{err.line}:{err.col}" == where


def test_is_a_value_error() -> None:
    assert issubclass(PromQLSyntaxError, ValueError)


def test_columns_count_bytes_lines_count_newlines() -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        parse_expr("foo\n  + é")
    assert (info.value.pos, info.value.line, info.value.col) == (8, 2, 5)
    with pytest.raises(PromQLSyntaxError) as info:
        parse_expr('"é" + *')
    assert (info.value.pos, info.value.col) == (6, 8)  # é is two bytes in UTF-8


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(PromQLSyntaxError, match="nested too deeply"):
        parse_expr("(" * 5000 + "1" + ")" * 5000)
