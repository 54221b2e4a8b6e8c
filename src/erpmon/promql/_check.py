"""Static types and Prometheus 2.42's checkAST: the errors a syntactically valid query can still have.

The checks run after a successful parse, in checkAST's order (children before their parent, left before
right), and the first one found is raised: Prometheus reports only its first error as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from erpmon.model import METRIC_NAME, MatchType, go_quote
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
from erpmon.promql._lexer import PromQLSyntaxError
from erpmon.promql._signatures import FUNCTIONS

COMPARISON_OPS = frozenset({"==", "!=", "<=", "<", ">=", ">"})
SET_OPS = frozenset({"and", "or", "unless"})
_SCALAR_OR_VECTOR = (ValueType.SCALAR, ValueType.VECTOR)


def expr_type(expr: Expr) -> ValueType:
    """The static type of an expression (the Type() methods of Prometheus's AST)."""
    while isinstance(expr, ParenExpr | UnaryExpr):
        expr = expr.expr
    if isinstance(expr, NumberLiteral):
        return ValueType.SCALAR
    if isinstance(expr, StringLiteral):
        return ValueType.STRING
    if isinstance(expr, VectorSelector | AggregateExpr):
        return ValueType.VECTOR
    if isinstance(expr, MatrixSelector | SubqueryExpr):
        return ValueType.MATRIX
    if isinstance(expr, Call):
        return FUNCTIONS[expr.func].return_type
    if expr_type(expr.lhs) is ValueType.SCALAR and expr_type(expr.rhs) is ValueType.SCALAR:
        return ValueType.SCALAR
    return ValueType.VECTOR


def documented_type(t: ValueType) -> str:
    if t is ValueType.VECTOR:
        return "instant vector"
    if t is ValueType.MATRIX:
        return "range vector"
    return str(t.value)


@dataclass
class ParseInfo:
    """What checkAST needs beyond the tree: where nodes end, and the matching as written."""

    text: str
    ends: dict[int, int] = field(default_factory=dict)  # id(node) -> end offset
    matching: dict[int, VectorMatching] = field(default_factory=dict)  # id(BinaryExpr) -> as written
    keep: list[object] = field(default_factory=list)  # keeps ids unique while the info lives


class _Checker:
    def __init__(self, info: ParseInfo) -> None:
        self.info = info
        self.text = info.text

    def fail(self, pos: int, msg: str) -> PromQLSyntaxError:
        return PromQLSyntaxError(self.text, pos, msg)

    def expect_type(self, node: Expr, want: ValueType, context: str) -> None:
        got = self.check(node)
        if got is not want:
            raise self.fail(
                node.pos, f"expected type {documented_type(want)} in {context}, got {documented_type(got)}"
            )

    def op_pos(self, node: BinaryExpr) -> int:
        """Where the operator starts: the first non-space after the left-hand side."""
        pos = self.info.ends[id(node.lhs)]
        while pos < len(self.text) and self.text[pos] in " \t\n\r":
            pos += 1
        return pos

    def check(self, node: Expr) -> ValueType:
        typ = expr_type(node)
        if isinstance(node, AggregateExpr):
            self.expect_type(node.expr, ValueType.VECTOR, "aggregation expression")
            if node.op in ("topk", "bottomk", "quantile"):
                assert node.param is not None
                self.expect_type(node.param, ValueType.SCALAR, "aggregation parameter")
            elif node.op == "count_values":
                assert node.param is not None
                self.expect_type(node.param, ValueType.STRING, "aggregation parameter")
        elif isinstance(node, BinaryExpr):
            self.check_binary(node)
        elif isinstance(node, Call):
            self.check_call(node)
        elif isinstance(node, ParenExpr):
            self.check(node.expr)
        elif isinstance(node, UnaryExpr):
            t = self.check(node.expr)
            if t not in _SCALAR_OR_VECTOR:
                raise self.fail(
                    node.pos,
                    "unary expression only allowed on expressions of type scalar or instant vector, "
                    f'got "{documented_type(t)}"',
                )
        elif isinstance(node, SubqueryExpr):
            t = self.check(node.expr)
            if t is not ValueType.VECTOR:
                raise self.fail(
                    node.pos, f"subquery is only allowed on instant vector, got {t.value} instead"
                )
        elif isinstance(node, MatrixSelector):
            self.check(node.selector)
        elif isinstance(node, VectorSelector):
            self.check_selector(node)
        return typ

    def check_binary(self, n: BinaryExpr) -> None:
        lt = self.check(n.lhs)
        rt = self.check(n.rhs)
        if n.return_bool and n.op not in COMPARISON_OPS:
            raise self.fail(self.op_pos(n), "bool modifier can only be used on comparison operators")
        if n.op in COMPARISON_OPS and not n.return_bool and lt is rt is ValueType.SCALAR:
            raise self.fail(self.op_pos(n), "comparisons between scalars must use BOOL modifier")
        vm = self.info.matching.get(id(n))
        if vm is not None and vm.on:
            for label in vm.labels:
                if label in vm.include:
                    raise self.fail(
                        self.op_pos(n),
                        f"label {go_quote(label)} must not occur in ON and GROUP clause at once",
                    )
        if lt not in _SCALAR_OR_VECTOR:
            raise self.fail(n.lhs.pos, "binary expression must contain only scalar and instant vector types")
        if rt not in _SCALAR_OR_VECTOR:
            raise self.fail(n.rhs.pos, "binary expression must contain only scalar and instant vector types")
        if lt is not ValueType.VECTOR or rt is not ValueType.VECTOR:
            if vm is not None and vm.labels:
                raise self.fail(n.pos, "vector matching only allowed between instant vectors")
        elif n.op in SET_OPS and vm is not None and vm.card in ("one-to-many", "many-to-one"):
            raise self.fail(n.pos, f'no grouping allowed for "{n.op}" operation')
        if n.op in SET_OPS and ValueType.SCALAR in (lt, rt):
            raise self.fail(n.pos, f'set operator "{n.op}" not allowed in binary scalar expression')

    def check_call(self, n: Call) -> None:
        sig = FUNCTIONS[n.func]
        nargs = len(sig.arg_types)
        if sig.variadic == 0:
            if nargs != len(n.args):
                raise self.fail(
                    n.pos, f'expected {nargs} argument(s) in call to "{n.func}", got {len(n.args)}'
                )
        else:
            least = nargs - 1
            if least > len(n.args):
                raise self.fail(
                    n.pos, f'expected at least {least} argument(s) in call to "{n.func}", got {len(n.args)}'
                )
            most = least + sig.variadic
            if sig.variadic > 0 and most < len(n.args):
                raise self.fail(
                    n.pos, f'expected at most {most} argument(s) in call to "{n.func}", got {len(n.args)}'
                )
        for i, arg in enumerate(n.args):
            if i >= nargs:
                if sig.variadic == 0:
                    break
                i = nargs - 1
            self.expect_type(arg, sig.arg_types[i], f'call to function "{n.func}"')

    def check_selector(self, n: VectorSelector) -> None:
        if n.name is not None:
            for m in n.matchers[1:]:
                if m.name == METRIC_NAME:
                    raise self.fail(
                        n.pos, f"metric name must not be set twice: {go_quote(n.name)} or {go_quote(m.value)}"
                    )
            return
        if all(m.matches_empty() for m in n.matchers):
            raise self.fail(n.pos, "vector selector must contain at least one non-empty matcher")


def check_ast(expr: Expr, info: ParseInfo) -> None:
    """Raise the first error Prometheus's checkAST would report for a parsed expression."""
    _Checker(info).check(expr)


def _is_name_matcher(m_name: str, m_type: MatchType, m_value: str, name: str | None) -> bool:
    return m_name == METRIC_NAME and m_type is MatchType.EQUAL and m_value == (name or "")
