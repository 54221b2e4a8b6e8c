"""parse_expr: the trees of valid queries, in the spirit of Prometheus 2.42's parse_test.go."""

from __future__ import annotations

import dataclasses
import math

import pytest

from erpmon.model import Matcher
from erpmon.promql._ast import (
    AggregateExpr,
    BinaryExpr,
    Call,
    Expr,
    MatrixSelector,
    NumberLiteral,
    ParenExpr,
    StringLiteral,
    SubqueryExpr,
    UnaryExpr,
    ValueType,
    VectorMatching,
    VectorSelector,
)
from erpmon.promql._check import expr_type
from erpmon.promql._parser import PromQLSyntaxError, parse_expr, parse_metric_selector

MIN = 60_000
H = 60 * MIN
D = 24 * H


def n(value: float) -> NumberLiteral:
    return NumberLiteral(value)


def s(value: str) -> StringLiteral:
    return StringLiteral(value)


def vs(
    name: str | None,
    *matchers: Matcher,
    offset_ms: int = 0,
    at_ms: int | None = None,
    at: str | None = None,
) -> VectorSelector:
    ms = (Matcher.equal("__name__", name), *matchers) if name is not None else matchers
    return VectorSelector(name, ms, offset_ms, at_ms, at)  # type: ignore[arg-type]


def ms(selector: VectorSelector, range_ms: int) -> MatrixSelector:
    return MatrixSelector(selector, range_ms)


def b(
    op: str, lhs: Expr, rhs: Expr, matching: VectorMatching | None = None, bool_: bool = False
) -> BinaryExpr:
    if matching is None and expr_type(lhs) is expr_type(rhs) is ValueType.VECTOR:
        set_op = op in ("and", "or", "unless")
        matching = VectorMatching("many-to-many" if set_op else "one-to-one")
    return BinaryExpr(op, lhs, rhs, bool_, matching)


def one(*labels: str, on: bool = False) -> VectorMatching:
    return VectorMatching("one-to-one", labels, on)


def m2m(*labels: str, on: bool = False) -> VectorMatching:
    return VectorMatching("many-to-many", labels, on)


def strip(expr: Expr) -> Expr:
    """The tree with every position zeroed (positions have their own tests)."""
    changes: dict[str, object] = {"pos": 0}
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str | Matcher):
            changes[f.name] = tuple(strip(v) for v in value)
        elif dataclasses.is_dataclass(value) and hasattr(value, "pos"):
            changes[f.name] = strip(value)  # type: ignore[arg-type]
    return dataclasses.replace(expr, **changes)  # type: ignore[arg-type]


foo, bar = vs("foo"), vs("bar")

CASES: list[tuple[str, Expr]] = [
    # Numbers.
    ("1", n(1)),
    ("+Inf", n(math.inf)),
    ("-Inf", n(-math.inf)),
    ("inf", n(math.inf)),
    (".5", n(0.5)),
    ("5.", n(5)),
    ("123.4567", n(123.4567)),
    ("5e-3", n(0.005)),
    ("5e3", n(5000)),
    ("0xc", n(12)),
    ("0X1F", n(31)),
    ("0755", n(493)),
    ("08", n(8)),
    ("+5.5e-3", n(0.0055)),
    ("-0755", n(-493)),
    ("--1", n(1)),
    ("9223372036854775808", n(9223372036854775808.0)),
    # Scalar arithmetic, precedence and associativity.
    ("1 + 1", b("+", n(1), n(1))),
    ("1 - 1", b("-", n(1), n(1))),
    ("1 * 1", b("*", n(1), n(1))),
    ("1 % 1", b("%", n(1), n(1))),
    ("1 / 1", b("/", n(1), n(1))),
    ("1 atan2 1", b("atan2", n(1), n(1))),
    ("1 == bool 1", b("==", n(1), n(1), bool_=True)),
    ("1 != bool 1", b("!=", n(1), n(1), bool_=True)),
    ("1 > bool 1", b(">", n(1), n(1), bool_=True)),
    ("1 >= bool 1", b(">=", n(1), n(1), bool_=True)),
    ("1 < bool 1", b("<", n(1), n(1), bool_=True)),
    ("1 <= bool 1", b("<=", n(1), n(1), bool_=True)),
    ("+1 + -2 * 1", b("+", n(1), b("*", n(-2), n(1)))),
    ("1 + 2/(3*1)", b("+", n(1), b("/", n(2), ParenExpr(b("*", n(3), n(1)))))),
    ("1 < bool 2 - 1 * 2", b("<", n(1), b("-", n(2), b("*", n(1), n(2))), bool_=True)),
    ("1 - 2 - 3", b("-", b("-", n(1), n(2)), n(3))),
    ("2 ^ 3 ^ 2", b("^", n(2), b("^", n(3), n(2)))),
    ("-1 ^ 2", UnaryExpr("-", b("^", n(1), n(2)))),
    ("-2 * 3", b("*", n(-2), n(3))),
    ("2 ^ -1 ^ 2", b("^", n(2), UnaryExpr("-", b("^", n(1), n(2))))),
    ("a * -b ^ c", b("*", vs("a"), UnaryExpr("-", b("^", vs("b"), vs("c"))))),
    ("-(1)", UnaryExpr("-", ParenExpr(n(1)))),
    ("-some_metric", UnaryExpr("-", vs("some_metric"))),
    ("+some_metric", UnaryExpr("+", vs("some_metric"))),
    (" +some_metric", UnaryExpr("+", vs("some_metric"))),
    # Vector binary operations and matching.
    ("foo * bar", b("*", foo, bar)),
    ("foo * sum", b("*", foo, vs("sum"))),
    ("foo == 1", b("==", foo, n(1))),
    ("foo == bool 1", b("==", foo, n(1), bool_=True)),
    ("2.5 / bar", b("/", n(2.5), bar)),
    ("foo and bar", b("and", foo, bar)),
    ("foo or bar", b("or", foo, bar)),
    ("foo unless bar", b("unless", foo, bar)),
    ("foo + bar or bla and blub", b("or", b("+", foo, bar), b("and", vs("bla"), vs("blub")))),
    (
        "foo and bar unless baz or qux",
        b("or", b("unless", b("and", foo, bar), vs("baz")), vs("qux")),
    ),
    (
        "bar + on(foo) bla / on(baz, buz) group_right(test) blub",
        b(
            "+",
            bar,
            b("/", vs("bla"), vs("blub"), VectorMatching("one-to-many", ("baz", "buz"), True, ("test",))),
            one("foo", on=True),
        ),
    ),
    ("foo * on(test,blub) bar", b("*", foo, bar, one("test", "blub", on=True))),
    (
        "foo * on(test,blub) group_left bar",
        b("*", foo, bar, VectorMatching("many-to-one", ("test", "blub"), True)),
    ),
    ("foo and on(test,blub) bar", b("and", foo, bar, m2m("test", "blub", on=True))),
    ("foo and on() bar", b("and", foo, bar, m2m(on=True))),
    ("foo and ignoring(test,blub) bar", b("and", foo, bar, m2m("test", "blub"))),
    ("foo and ignoring() bar", b("and", foo, bar, m2m())),
    ("foo unless on(bar) baz", b("unless", foo, vs("baz"), m2m("bar", on=True))),
    (
        "foo / on(test,blub) group_left(bar) bar",
        b("/", foo, bar, VectorMatching("many-to-one", ("test", "blub"), True, ("bar",))),
    ),
    (
        "foo - ignoring(test,blub) group_right(bar,foo) bar",
        b("-", foo, bar, VectorMatching("one-to-many", ("test", "blub"), False, ("bar", "foo"))),
    ),
    ("foo > bool on(a) bar", b(">", foo, bar, one("a", on=True), bool_=True)),
    (
        "a + on(x) group_left (b) c",
        b("+", vs("a"), vs("c"), VectorMatching("many-to-one", ("x",), True, ("b",))),
    ),
    (
        "a + ignoring(x) group_left(x) b",
        b("+", vs("a"), vs("b"), VectorMatching("many-to-one", ("x",), False, ("x",))),
    ),
    ("1 + on() foo", b("+", n(1), foo)),  # scalar side: no matching, an empty on() is fine
    ("and and and", b("and", vs("and"), vs("and"))),
    ("a atan2 on(x) b", b("atan2", vs("a"), vs("b"), one("x", on=True))),
    # Selectors.
    ("foo", foo),
    ("min", vs("min")),
    ("by", vs("by")),
    ("offset offset 5m", vs("offset", offset_ms=5 * MIN)),
    ("start", vs("start")),
    ("SUM", vs("SUM")),
    ("foo offset 5m", vs("foo", offset_ms=5 * MIN)),
    ("foo offset -7m", vs("foo", offset_ms=-7 * MIN)),
    ("foo OFFSET 1h30m", vs("foo", offset_ms=90 * MIN)),
    ("foo OFFSET 1m30ms", vs("foo", offset_ms=MIN + 30)),
    ("foo @ 1603774568", vs("foo", at_ms=1603774568000)),
    ("foo @ -100", vs("foo", at_ms=-100000)),
    ("foo @ .3", vs("foo", at_ms=300)),
    ("foo @ 3.", vs("foo", at_ms=3000)),
    ("foo @ 3.33", vs("foo", at_ms=3330)),
    ("foo @ 3.3333", vs("foo", at_ms=3333)),
    ("foo @ 3.3335", vs("foo", at_ms=3334)),
    ("foo @ 0.0005", vs("foo", at_ms=1)),
    ("foo @ -0.0005", vs("foo", at_ms=-1)),
    ("foo @ 3e2", vs("foo", at_ms=300000)),
    ("foo @ 3e-1", vs("foo", at_ms=300)),
    ("foo @ 0xA", vs("foo", at_ms=10000)),
    ("foo @ -3.3e1", vs("foo", at_ms=-33000)),
    ("foo @ +5", vs("foo", at_ms=5000)),
    ("foo @ start()", vs("foo", at="start")),
    ("foo @ END()", vs("foo", at="end")),
    ("foo @ 100 offset 1m", vs("foo", offset_ms=MIN, at_ms=100000)),
    ("foo offset 1m @ 100", vs("foo", offset_ms=MIN, at_ms=100000)),
    ('foo:bar{a="bc"}', vs("foo:bar", Matcher.equal("a", "bc"))),
    (":foo", vs(":foo")),
    ("foo{NaN='bc'}", vs("foo", Matcher.equal("NaN", "bc"))),
    ("foo{bar='}'}", vs("foo", Matcher.equal("bar", "}"))),
    (
        'foo{a="b", foo!="bar", test=~"test", bar!~"baz",}',
        vs(
            "foo",
            Matcher.equal("a", "b"),
            Matcher.not_equal("foo", "bar"),
            Matcher.regex("test", "test"),
            Matcher.not_regex("bar", "baz"),
        ),
    ),
    ('{__name__=~"foo.+"}', vs(None, Matcher.regex("__name__", "foo.+"))),
    (
        '{__name__="foo",__name__="bar"}',
        vs(None, Matcher.equal("__name__", "foo"), Matcher.equal("__name__", "bar")),
    ),
    ('{x!=""}', vs(None, Matcher.not_equal("x", ""))),
    ('{on="x", by="y"}', vs(None, Matcher.equal("on", "x"), Matcher.equal("by", "y"))),
    ("foo # a comment", foo),
    ("# a comment\nfoo", foo),
    ('foo{a="b" # comment\n}', vs("foo", Matcher.equal("a", "b"))),
    # Range selectors.
    ("test[5s]", ms(vs("test"), 5000)),
    ("test[5m]", ms(vs("test"), 5 * MIN)),
    ("test[5m30s]", ms(vs("test"), 5 * MIN + 30000)),
    ("test[ 5m ]", ms(vs("test"), 5 * MIN)),
    ("test[5h] OFFSET 5m", ms(vs("test", offset_ms=5 * MIN), 5 * H)),
    ("test[5d] OFFSET 10s", ms(vs("test", offset_ms=10000), 5 * D)),
    ("test[5w] offset 2w", ms(vs("test", offset_ms=14 * D), 35 * D)),
    ('test{a="b"}[5y] OFFSET 3d', ms(vs("test", Matcher.equal("a", "b"), offset_ms=3 * D), 5 * 365 * D)),
    (
        'test{a="b"}[5y] @ 1603774699',
        ms(vs("test", Matcher.equal("a", "b"), at_ms=1603774699000), 5 * 365 * D),
    ),
    ("foo[3ms] @ 2.345", ms(vs("foo", at_ms=2345), 3)),
    ("foo[4s180ms] @ 2.345", ms(vs("foo", at_ms=2345), 4180)),
    ("foo[1m] @ start() offset -1m", ms(vs("foo", offset_ms=-MIN, at="start"), MIN)),
    ("foo @ start() [5m]", ms(vs("foo", at="start"), 5 * MIN)),  # 2.42 only refuses a numeric @
    # Aggregations.
    ("sum by (foo)(some_metric)", AggregateExpr("sum", vs("some_metric"), grouping=("foo",))),
    ("avg by (foo)(some_metric)", AggregateExpr("avg", vs("some_metric"), grouping=("foo",))),
    ("max by (foo)(some_metric)", AggregateExpr("max", vs("some_metric"), grouping=("foo",))),
    (
        "sum without (foo) (some_metric)",
        AggregateExpr("sum", vs("some_metric"), grouping=("foo",), without=True),
    ),
    (
        "sum (some_metric) without (foo)",
        AggregateExpr("sum", vs("some_metric"), grouping=("foo",), without=True),
    ),
    ("stddev(some_metric)", AggregateExpr("stddev", vs("some_metric"))),
    ("stdvar by (foo)(some_metric)", AggregateExpr("stdvar", vs("some_metric"), grouping=("foo",))),
    ("sum by ()(some_metric)", AggregateExpr("sum", vs("some_metric"))),
    ("sum by (foo,bar,)(some_metric)", AggregateExpr("sum", vs("some_metric"), grouping=("foo", "bar"))),
    ("sum without () (x)", AggregateExpr("sum", vs("x"), without=True)),
    ("topk(5, some_metric)", AggregateExpr("topk", vs("some_metric"), n(5))),
    ('count_values("value", some_metric)', AggregateExpr("count_values", vs("some_metric"), s("value"))),
    ("quantile(0.9, x) by (a)", AggregateExpr("quantile", vs("x"), n(0.9), ("a",))),
    ("group(x)", AggregateExpr("group", vs("x"))),
    ("BOTTOMK(1, x)", AggregateExpr("bottomk", vs("x"), n(1))),
    (
        "sum without(and, by, avg, count, alert, annotations)(some_metric)",
        AggregateExpr(
            "sum",
            vs("some_metric"),
            grouping=("and", "by", "avg", "count", "alert", "annotations"),
            without=True,
        ),
    ),
    (
        "sum by (ON, bool, start, atan2)(x)",
        AggregateExpr("sum", vs("x"), grouping=("ON", "bool", "start", "atan2")),
    ),
    ("sum(sum)", AggregateExpr("sum", vs("sum"))),
    # Function calls.
    ("time()", Call("time", ())),
    ('floor(some_metric{foo!="bar"})', Call("floor", (vs("some_metric", Matcher.not_equal("foo", "bar")),))),
    ("rate(some_metric[5m])", Call("rate", (ms(vs("some_metric"), 5 * MIN),))),
    ("round(some_metric)", Call("round", (vs("some_metric"),))),
    ("round(some_metric, 5)", Call("round", (vs("some_metric"), n(5)))),
    ("rate ( foo[5m] )", Call("rate", (ms(foo, 5 * MIN),))),
    (
        'label_join(x, "d", ",", "a", "b", "c")',
        Call("label_join", (vs("x"), s("d"), s(","), s("a"), s("b"), s("c"))),
    ),
    ("hour()", Call("hour", ())),
    ("rate((foo[5m]))", Call("rate", (ParenExpr(ms(foo, 5 * MIN)),))),
    # Strings.
    ('"double-quoted string \\" with escaped quote"', s('double-quoted string " with escaped quote')),
    ("'single-quoted string \\' with escaped quote'", s("single-quoted string ' with escaped quote")),
    ("`backtick-quoted string`", s("backtick-quoted string")),
    (
        '"\\a\\b\\f\\n\\r\\t\\v\\\\\\" - \\xFF\\377\\u1234\\U00010111\\U0001011111☺"',
        s('\a\b\f\n\r\t\v\\" - \udcff\udcff\u1234\U00010111\U0001011111☺'),
    ),
    (
        "'\\a\\b\\f\\n\\r\\t\\v\\\\\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111☺'",
        s("\a\b\f\n\r\t\v\\' - \udcff\udcff\u1234\U00010111\U0001011111☺"),
    ),
    (
        "`\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111☺`",
        s("\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111☺"),
    ),
    ('"\\xe2\\x82\\xac"', s("€")),  # \x escapes are bytes: three of them make one rune
    ('"\\101"', s("A")),
    ("`a\nb`", s("a\nb")),
    # Subqueries.
    ('foo{bar="baz"}[10m:6s]', SubqueryExpr(vs("foo", Matcher.equal("bar", "baz")), 10 * MIN, 6000)),
    (
        'foo{bar="baz"}[10m5s:1h6ms]',
        SubqueryExpr(vs("foo", Matcher.equal("bar", "baz")), 10 * MIN + 5000, H + 6),
    ),
    ("foo[10m:]", SubqueryExpr(foo, 10 * MIN, 0)),
    ("foo[10m x]", SubqueryExpr(foo, 10 * MIN, 0)),  # in brackets any letter lexes as the colon
    (
        'min_over_time(rate(foo{bar="baz"}[2s])[5m:5s])',
        Call(
            "min_over_time",
            (SubqueryExpr(Call("rate", (ms(vs("foo", Matcher.equal("bar", "baz")), 2000),)), 5 * MIN, 5000),),
        ),
    ),
    (
        'min_over_time(rate(foo{bar="baz"}[2s])[5m:])[4m:3s] offset 4m @ 100',
        SubqueryExpr(
            Call(
                "min_over_time",
                (
                    SubqueryExpr(
                        Call("rate", (ms(vs("foo", Matcher.equal("bar", "baz")), 2000),)), 5 * MIN, 0
                    ),
                ),
            ),
            4 * MIN,
            3000,
            offset_ms=4 * MIN,
            at_ms=100000,
        ),
    ),
    ("some_metric OFFSET 1m [10m:5s]", SubqueryExpr(vs("some_metric", offset_ms=MIN), 10 * MIN, 5000)),
    ("some_metric @ 123 [10m:5s]", SubqueryExpr(vs("some_metric", at_ms=123000), 10 * MIN, 5000)),
    (
        '(foo + bar{nm="val"})[5m:] offset -10m @ end()',
        SubqueryExpr(
            ParenExpr(b("+", foo, vs("bar", Matcher.equal("nm", "val")))), 5 * MIN, 0, -10 * MIN, None, "end"
        ),
    ),
    ("sum(x) [5m:]", SubqueryExpr(AggregateExpr("sum", vs("x")), 5 * MIN, 0)),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_parse(query: str, expected: Expr) -> None:
    assert strip(parse_expr(query)) == expected


@pytest.mark.parametrize("query", ["NaN", "nan", "-NaN", "NAN"])
def test_nan(query: str) -> None:
    expr = parse_expr(query)
    assert isinstance(expr, NumberLiteral) and math.isnan(expr.value)


def test_positions_are_node_starts() -> None:
    expr = parse_expr('sum by (a) (rate(foo{x="y"}[5m])) + -1 * bar offset 1m')
    assert isinstance(expr, BinaryExpr) and expr.pos == 0
    agg = expr.lhs
    assert isinstance(agg, AggregateExpr) and agg.pos == 0
    call = agg.expr
    assert isinstance(call, Call) and call.pos == 12
    matrix = call.args[0]
    assert isinstance(matrix, MatrixSelector) and matrix.pos == matrix.selector.pos == 17
    rhs = expr.rhs
    assert isinstance(rhs, BinaryExpr) and rhs.pos == 36
    assert rhs.lhs == NumberLiteral(-1.0, pos=36)  # a folded sign starts the number
    assert isinstance(rhs.rhs, VectorSelector) and rhs.rhs.pos == 41
    paren = parse_expr("  (foo)[5m:]")
    assert isinstance(paren, SubqueryExpr) and paren.pos == 2
    unary = parse_expr(" -foo")
    assert isinstance(unary, UnaryExpr) and unary.pos == 1 and unary.expr.pos == 2


def test_selector_name_matcher_comes_first() -> None:
    expr = parse_expr('foo{a="b"}')
    assert isinstance(expr, VectorSelector)
    assert expr.matchers[0] == Matcher.equal("__name__", "foo")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1", ValueType.SCALAR),
        ("1 + 1", ValueType.SCALAR),
        ("-(1 * 2)", ValueType.SCALAR),
        ('"a"', ValueType.STRING),
        ("foo", ValueType.VECTOR),
        ("foo + 1", ValueType.VECTOR),
        ("1 - -foo", ValueType.VECTOR),
        ("foo[5m]", ValueType.MATRIX),
        ("foo[5m:]", ValueType.MATRIX),
        ("(foo[5m])", ValueType.MATRIX),
        ("time()", ValueType.SCALAR),
        ("scalar(foo)", ValueType.SCALAR),
        ("rate(foo[1m])", ValueType.VECTOR),
        ("sum(foo)", ValueType.VECTOR),
    ],
)
def test_expr_type(query: str, expected: ValueType) -> None:
    assert expr_type(parse_expr(query)) is expected


def test_long_operator_chains_parse() -> None:
    chain = " or ".join(f"m{i}" for i in range(3000))
    expr = parse_expr(chain)
    assert isinstance(expr, BinaryExpr) and expr.op == "or"
    assert expr_type(expr) is ValueType.VECTOR
    assert expr_type(parse_expr(" + ".join(["1"] * 3000))) is ValueType.SCALAR


def test_metric_selector() -> None:
    assert parse_metric_selector('http_requests_total{job="api", code=~"5..", x!="", y!~`a\\d`}') == [
        Matcher.equal("__name__", "http_requests_total"),
        Matcher.equal("job", "api"),
        Matcher.regex("code", "5.."),
        Matcher.not_equal("x", ""),
        Matcher.not_regex("y", "a\\d"),
    ]
    assert parse_metric_selector("{}") == []  # the API, not the parser, wants a non-empty matcher
    assert parse_metric_selector("sum") == [Matcher.equal("__name__", "sum")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "1:1: parse error: unexpected end of input"),
        ("foo[5m]", '1:4: parse error: unexpected "["'),
        ("sum(foo)", '1:4: parse error: unexpected "("'),
        ("foo bar", '1:5: parse error: unexpected identifier "bar"'),
        ("{a}", '1:3: parse error: unexpected "}" in label matching, expected label matching operator'),
    ],
)
def test_metric_selector_errors(text: str, message: str) -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        parse_metric_selector(text)
    assert str(info.value) == message
