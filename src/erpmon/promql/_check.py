"""What a parsed query means statically: its type, Prometheus 2.42's checkAST, and its printed form.

The checks run after a successful parse, in checkAST's order (children before their parent, left before
right), and the first one found is raised: Prometheus reports only its first error as well.
`format_expr` prints a tree as 2.42's String() methods do (printer.go).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from erpmon.config import format_duration
from erpmon.model import METRIC_NAME, MatchType, format_g, go_quote
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
    """The static type of an expression (the Type() methods of Prometheus's AST).

    A binary expression is a scalar when both sides are; so when every operand below it is (looking
    through parentheses and unary signs). Walked with a stack: long operator chains are deep trees.
    """
    while isinstance(expr, ParenExpr | UnaryExpr):
        expr = expr.expr
    if not isinstance(expr, BinaryExpr):
        return _leaf_type(expr)
    stack: list[Expr] = [expr]
    while stack:
        e = stack.pop()
        while isinstance(e, ParenExpr | UnaryExpr):
            e = e.expr
        if isinstance(e, BinaryExpr):
            stack += (e.rhs, e.lhs)
        elif _leaf_type(e) is not ValueType.SCALAR:
            return ValueType.VECTOR
    return ValueType.SCALAR


def _leaf_type(expr: Expr) -> ValueType:
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
    return expr_type(expr)


def documented_type(t: ValueType) -> str:
    if t is ValueType.VECTOR:
        return "instant vector"
    if t is ValueType.MATRIX:
        return "range vector"
    return str(t.value)


@dataclass
class ParseInfo:
    """What checkAST needs beyond the tree: where nodes end, their types, the matching as written."""

    text: str
    ends: dict[int, int] = field(default_factory=dict)  # id(node) -> end offset
    types: dict[int, ValueType] = field(default_factory=dict)  # id(node) -> static type
    matching: dict[int, VectorMatching] = field(default_factory=dict)  # id(BinaryExpr) -> as written
    keep: list[object] = field(default_factory=list)  # keeps ids unique while the info lives

    def type_of(self, node: Expr) -> ValueType:
        t = self.types.get(id(node))
        return expr_type(node) if t is None else t


_Task = Callable[[], None]


class _Checker:
    """checkAST with an explicit stack of tasks (deep trees must not exhaust Python's stack)."""

    def __init__(self, info: ParseInfo) -> None:
        self.info = info
        self.text = info.text
        self.tasks: list[_Task] = []

    def run(self, root: Expr) -> None:
        self.tasks.append(lambda: self.visit(root))
        while self.tasks:
            self.tasks.pop()()

    def then(self, *tasks: _Task) -> None:
        """Run `tasks` in order, before anything already scheduled."""
        self.tasks += reversed(tasks)

    def fail(self, pos: int, msg: str) -> PromQLSyntaxError:
        return PromQLSyntaxError(self.text, pos, msg)

    def child(self, node: Expr) -> _Task:
        return lambda: self.visit(node)

    def expect(self, node: Expr, want: ValueType, context: str) -> list[_Task]:
        """expectType: check the node, then its type."""

        def compare() -> None:
            got = self.info.type_of(node)
            if got is not want:
                raise self.fail(
                    node.pos,
                    f"expected type {documented_type(want)} in {context}, got {documented_type(got)}",
                )

        return [self.child(node), compare]

    def visit(self, node: Expr) -> None:
        if isinstance(node, AggregateExpr):
            tasks = self.expect(node.expr, ValueType.VECTOR, "aggregation expression")
            if node.param is not None and node.op in ("topk", "bottomk", "quantile"):
                tasks += self.expect(node.param, ValueType.SCALAR, "aggregation parameter")
            elif node.param is not None and node.op == "count_values":
                tasks += self.expect(node.param, ValueType.STRING, "aggregation parameter")
            self.then(*tasks)
        elif isinstance(node, BinaryExpr):
            self.then(self.child(node.lhs), self.child(node.rhs), lambda: self.check_binary(node))
        elif isinstance(node, Call):
            self.then(*self.check_call(node))
        elif isinstance(node, ParenExpr):
            self.then(self.child(node.expr))
        elif isinstance(node, UnaryExpr):
            self.then(self.child(node.expr), lambda: self.check_unary(node))
        elif isinstance(node, SubqueryExpr):
            self.then(self.child(node.expr), lambda: self.check_subquery(node))
        elif isinstance(node, MatrixSelector):
            self.then(self.child(node.selector))
        elif isinstance(node, VectorSelector):
            self.check_selector(node)

    def op_pos(self, node: BinaryExpr) -> int:
        """Where the operator starts: the first non-space after the left-hand side."""
        pos = self.info.ends.get(id(node.lhs), node.lhs.pos)
        while pos < len(self.text) and self.text[pos] in " \t\n\r":
            pos += 1
        return pos

    def check_unary(self, n: UnaryExpr) -> None:
        t = self.info.type_of(n.expr)
        if t not in _SCALAR_OR_VECTOR:
            raise self.fail(
                n.pos,
                "unary expression only allowed on expressions of type scalar or instant vector, "
                f'got "{documented_type(t)}"',
            )

    def check_subquery(self, n: SubqueryExpr) -> None:
        t = self.info.type_of(n.expr)
        if t is not ValueType.VECTOR:
            raise self.fail(n.pos, f"subquery is only allowed on instant vector, got {t.value} instead")

    def check_binary(self, n: BinaryExpr) -> None:
        lt = self.info.type_of(n.lhs)
        rt = self.info.type_of(n.rhs)
        if n.return_bool and n.op not in COMPARISON_OPS:
            raise self.fail(self.op_pos(n), "bool modifier can only be used on comparison operators")
        if n.op in COMPARISON_OPS and not n.return_bool and lt is rt is ValueType.SCALAR:
            raise self.fail(self.op_pos(n), "comparisons between scalars must use BOOL modifier")
        vm = self.info.matching.get(id(n), n.matching)
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

    def check_call(self, n: Call) -> list[_Task]:
        sig = FUNCTIONS.get(n.func)
        if sig is None:
            raise self.fail(n.pos, f"unknown function with name {go_quote(n.func)}")
        nargs, got = len(sig.arg_types), len(n.args)
        if sig.variadic == 0:
            if nargs != got:
                raise self.fail(n.pos, f'expected {nargs} argument(s) in call to "{n.func}", got {got}')
        else:
            least = nargs - 1
            if least > got:
                raise self.fail(
                    n.pos, f'expected at least {least} argument(s) in call to "{n.func}", got {got}'
                )
            most = least + sig.variadic
            if sig.variadic > 0 and most < got:
                raise self.fail(
                    n.pos, f'expected at most {most} argument(s) in call to "{n.func}", got {got}'
                )
        tasks: list[_Task] = []
        for i, arg in enumerate(n.args):
            if i >= nargs and sig.variadic == 0:
                break
            tasks += self.expect(arg, sig.arg_types[min(i, nargs - 1)], f'call to function "{n.func}"')
        return tasks

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


def check_ast(expr: Expr, info: ParseInfo | None = None) -> None:
    """Raise the first error Prometheus's checkAST would report for a parsed expression.

    Without `info` (a tree built by hand) error positions fall back to node starts.
    """
    _Checker(ParseInfo("") if info is None else info).run(expr)


# Printing: Prometheus 2.42's printer.go String() forms, used in messages and tests.


def _at_offset(at_ms: int | None, at_modifier: str | None, offset_ms: int) -> str:
    text = ""
    if at_ms is not None:
        text = f" @ {at_ms / 1000.0:.3f}"
    elif at_modifier is not None:
        text = f" @ {at_modifier}()"
    if offset_ms > 0:
        text += f" offset {format_duration(offset_ms)}"
    elif offset_ms < 0:
        text += f" offset -{format_duration(-offset_ms)}"
    return text


def _selector_text(n: VectorSelector) -> str:
    shown = sorted(
        str(m)
        for m in n.matchers
        if not (m.name == METRIC_NAME and m.type is MatchType.EQUAL and m.value == (n.name or ""))
    )
    name = n.name or ""
    return f"{name}{{{','.join(shown)}}}" if shown else name


def _pieces(node: Expr) -> list[str | Expr]:
    """One node's text, with its children left as nodes to expand."""
    if isinstance(node, NumberLiteral):
        return [format_g(node.value)]
    if isinstance(node, StringLiteral):
        return [go_quote(node.value)]
    if isinstance(node, VectorSelector):
        return [_selector_text(node) + _at_offset(node.at_ms, node.at_modifier, node.offset_ms)]
    if isinstance(node, MatrixSelector):
        s = node.selector
        suffix = _at_offset(s.at_ms, s.at_modifier, s.offset_ms)
        return [f"{_selector_text(s)}[{format_duration(node.range_ms)}]{suffix}"]
    if isinstance(node, SubqueryExpr):
        step = format_duration(node.step_ms) if node.step_ms else ""
        suffix = _at_offset(node.at_ms, node.at_modifier, node.offset_ms)
        return [node.expr, f"[{format_duration(node.range_ms)}:{step}]{suffix}"]
    if isinstance(node, ParenExpr):
        return ["(", node.expr, ")"]
    if isinstance(node, UnaryExpr):
        return [node.op, node.expr]
    if isinstance(node, Call):
        out: list[str | Expr] = [f"{node.func}("]
        for i, arg in enumerate(node.args):
            out += [", ", arg] if i else [arg]
        return [*out, ")"]
    if isinstance(node, AggregateExpr):
        head = node.op
        if node.without:
            head += f" without ({', '.join(node.grouping)}) "
        elif node.grouping:
            head += f" by ({', '.join(node.grouping)}) "
        params: list[str | Expr] = [node.param, ", "] if node.param is not None else []
        return [f"{head}(", *params, node.expr, ")"]
    return [
        node.lhs,
        f" {node.op}{' bool' if node.return_bool else ''}{_matching_text(node.matching)} ",
        node.rhs,
    ]


def _matching_text(vm: VectorMatching | None) -> str:
    if vm is None or not (vm.labels or vm.on):
        return ""
    text = f" {'on' if vm.on else 'ignoring'} ({', '.join(vm.labels)})"
    if vm.card == "many-to-one":
        text += f" group_left ({', '.join(vm.include)})"
    elif vm.card == "one-to-many":
        text += f" group_right ({', '.join(vm.include)})"
    return text


def format_expr(expr: Expr) -> str:
    """The expression as Prometheus 2.42 prints it (Expr.String())."""
    out: list[str] = []
    stack: list[str | Expr] = [expr]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            stack += reversed(_pieces(item))
    return "".join(out)
