"""parse_expr: the AST for valid queries (in the spirit of Prometheus 2.42's parse_test.go)."""

from __future__ import annotations

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
    VectorMatching,
    VectorSelector,
)
from erpmon.promql._parser import PromQLSyntaxError, parse_expr


def vs(name: str | None, *matchers: Matcher, pos: int = 0, **kw: object) -> VectorSelector:
    ms = (Matcher.equal("__name__", name), *matchers) if name is not None else matchers
    return VectorSelector(name, ms, pos=pos, **kw)  # type: ignore[arg-type]


def test_number_and_selector() -> None:
    assert parse_expr("1") == NumberLiteral(1.0)
    assert parse_expr("foo") == vs("foo")
    assert parse_expr('foo{a="b"}') == vs("foo", Matcher.equal("a", "b"))


def test_precedence() -> None:
    assert parse_expr("1 + 2 * 3") == BinaryExpr(
        "+", NumberLiteral(1.0), BinaryExpr("*", NumberLiteral(2.0, 4), NumberLiteral(3.0, 8), pos=4)
    )


def test_error_message() -> None:
    with pytest.raises(PromQLSyntaxError) as info:
        parse_expr("1 + *")
    assert str(info.value) == "1:5: parse error: unexpected <op:*>"
    assert info.value.pos == 4


def test_unused_imports_are_real_types() -> None:
    for cls in (AggregateExpr, Call, MatrixSelector, ParenExpr, StringLiteral, SubqueryExpr, UnaryExpr):
        assert isinstance(cls, type)
    assert VectorMatching("one-to-one").labels == ()
    assert math.isnan(parse_expr("NaN").value)  # type: ignore[union-attr]
    e: Expr = parse_expr('"x"')
    assert e == StringLiteral("x")
