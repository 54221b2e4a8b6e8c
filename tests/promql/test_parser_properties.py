"""Properties: any text parses or fails with PromQLSyntaxError; printing a tree and parsing it again
gives the same tree."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from erpmon.model import Matcher, go_quote
from erpmon.promql._ast import Expr, VectorSelector
from erpmon.promql._check import format_expr
from erpmon.promql._parser import PromQLSyntaxError, parse_expr

PROMQL_CHARS = st.sampled_from([*"abfoxyz_:019.eE+-*/%^=!~<>(){}[],@#'\"`\\ \n\tmshdwy", "é", "\ufffd"])
PROMQL_WORDS = st.sampled_from(
    ["sum", "by", "on", "offset", "bool", "group_left", "rate", "start()", "inf", "5m", "1h:", "0x1f", "and"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(PROMQL_CHARS, PROMQL_WORDS), max_size=40).map("".join))
def test_any_text_parses_or_raises_a_syntax_error(text: str) -> None:
    try:
        parse_expr(text)
    except PromQLSyntaxError as err:
        assert 0 <= err.pos <= len(text)
        assert str(err).startswith(f"{err.line}:{err.col}: parse error: ")


def _strip(expr: Expr) -> Expr:
    """Positions zeroed, matchers in printing order (sorted, the metric name first)."""
    changes: dict[str, object] = {"pos": 0}
    if isinstance(expr, VectorSelector):
        first = 1 if expr.name is not None else 0
        changes["matchers"] = expr.matchers[:first] + tuple(sorted(expr.matchers[first:], key=str))
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str | Matcher):
            changes[f.name] = tuple(_strip(v) for v in value)
        elif dataclasses.is_dataclass(value) and hasattr(value, "pos"):
            changes[f.name] = _strip(value)  # type: ignore[arg-type]
    return dataclasses.replace(expr, **changes)  # type: ignore[arg-type]


names = st.sampled_from(["foo", "bar:baz", "up", "sum", "offset", "by"])
labels = st.sampled_from(["a", "job", "le", "on", "bool", "by"])
values = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=5)
matcher = st.builds(
    lambda label, op, value: f"{label}{op}{go_quote(value)}",
    labels,
    st.sampled_from(["=", "!=", "=~", "!~"]),
    values.filter(lambda v: v.isalnum() or v == ""),
)
durations = st.sampled_from(["5m", "1h30m", "10s", "1d", "2w", "1y", "250ms"])
numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=True).map(repr).map(lambda r: r.replace("inf", "Inf")),
    st.integers(0, 10**20).map(str),
    st.sampled_from(["0x1F", "017", ".5", "5.", "1e3"]),
)


@st.composite
def selector(draw: st.DrawFn, modifiers: bool = True) -> str:
    name = draw(names)
    ms = draw(st.lists(matcher, max_size=3))
    braces = bool(ms) or draw(st.booleans())
    text = name + ("{" + ", ".join(ms) + "}" if braces else "")
    if modifiers and draw(st.booleans()):
        text += " offset " + draw(st.sampled_from(["", "-"])) + draw(durations)
    if modifiers and draw(st.booleans()):
        text += " @ " + draw(st.sampled_from(["100", "-1.5", "start()", "end()", "1e3"]))
    return text


def vector_exprs(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(
        ["+", "-", "*", "/", "%", "^", "atan2", "==", "!= bool", "> bool", "and", "or", "unless"]
    )
    matching = st.sampled_from(
        ["", " on(a)", " ignoring(a, b)", " on()", " on(a) group_left()", " on(a) group_right(b)"]
    )
    agg = st.sampled_from(["sum", "avg", "max", "group", "stddev"])
    grouping = st.sampled_from(["", " by (a)", " without (job, le)", " by ()"])
    return st.one_of(
        st.builds(
            lambda a, op, m, b: (
                f"{a} {op}{m if op not in ('and', 'or', 'unless') or 'group' not in m else ''} {b}"
            ),
            inner,
            ops,
            matching,
            inner,
        ),
        st.builds(
            lambda a, op, x: f"({a} {op} {x})", inner, st.sampled_from(["+", "* ", "> bool", "^"]), numbers
        ),
        st.builds(lambda a, g, e: f"{a}{g} ({e})", agg, grouping, inner),
        st.builds(lambda e, g: f"topk(3, {e}){g}", inner, grouping),
        st.builds(lambda e: f"-{e}", inner),
        st.builds(lambda e: f"({e})", inner),
        st.builds(lambda e: f"abs({e})", inner),
        st.builds(lambda s, d: f"rate({s}[{d}])", selector(modifiers=False), durations),
        st.builds(lambda e, d: f"max_over_time(({e})[{d}:])", inner, durations),
    )


queries = st.recursive(selector(), vector_exprs, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_printing_round_trips(query: str) -> None:
    expr = parse_expr(query)
    printed = format_expr(expr)
    again = parse_expr(printed)
    assert _strip(again) == _strip(expr)
    assert format_expr(again) == printed


@given(numbers)
def test_number_literals_round_trip(text: str) -> None:
    expr = parse_expr(text)
    assert parse_expr(format_expr(expr)) == dataclasses.replace(expr, pos=0)
