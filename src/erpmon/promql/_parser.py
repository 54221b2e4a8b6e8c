"""PromQL's parser: Prometheus 2.42's generated_parser.y as precedence climbing, with its error messages.

Prometheus's parser is yacc-generated; the first error it records is the one a user sees. This parser
raises at that same first error: a token that cannot continue the query ("unexpected <op:*>"), worded
with the context of the innermost grammar rule that has an `error` alternative ("in label matching,
expected string", "in aggregation", ...), or an error of a rule's action (unknown function, bad
duration, offset placement) at the moment yacc would run that action. checkAST's errors follow once the
whole query has parsed (`_check.py`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import NoReturn, TypeVar

from erpmon.model import METRIC_NAME, Matcher, MatchType, RegexError, go_quote
from erpmon.promql._ast import (
    AggregateExpr,
    AtModifier,
    BinaryExpr,
    Call,
    Cardinality,
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
from erpmon.promql._check import SET_OPS, ParseInfo, check_ast, expr_type
from erpmon.promql._lexer import (
    AGGREGATORS,
    Item,
    Lexer,
    PromQLSyntaxError,
    T,
    is_label,
    parse_duration_ms,
    parse_number,
    unquote,
)
from erpmon.promql._signatures import FUNCTIONS

__all__ = ["PromQLSyntaxError", "expr_type", "parse_expr", "parse_metric_selector"]

# Binding powers: or < and/unless < comparisons < + - < * / % atan2 < ^ (right-associative).
_PRECEDENCE = {
    T.LOR: 1,
    T.LAND: 2,
    T.LUNLESS: 2,
    T.EQLC: 3,
    T.NEQ: 3,
    T.LTE: 3,
    T.LSS: 3,
    T.GTE: 3,
    T.GTR: 3,
    T.ADD: 4,
    T.SUB: 4,
    T.MUL: 5,
    T.DIV: 5,
    T.MOD: 5,
    T.ATAN2: 5,
    T.POW: 6,
}
# `unary_op expr %prec MUL`: a unary operand continues only with operators binding tighter than `*`.
_UNARY_OPERAND = _PRECEDENCE[T.POW]
# Tokens besides IDENTIFIER and the aggregators that the grammar takes as metric names
# (metric_identifier) ...
_NAME_TOKENS = frozenset(
    {T.BY, T.LAND, T.LOR, T.LUNLESS, T.OFFSET, T.WITHOUT, T.START, T.END, T.METRIC_IDENTIFIER}
)
# ... and as label names in by/without/on/ignoring/group_x lists (maybe_label).
_MAYBE_LABEL = (
    AGGREGATORS
    | _NAME_TOKENS
    | {T.BOOL, T.GROUP_LEFT, T.GROUP_RIGHT, T.IDENTIFIER, T.IGNORING, T.ON, T.ATAN2}
)
_METRIC_IDENTIFIER = AGGREGATORS | _NAME_TOKENS | {T.IDENTIFIER}
_EXPR_START = AGGREGATORS | _NAME_TOKENS | {
    T.NUMBER, T.STRING, T.LEFT_PAREN, T.LEFT_BRACE, T.IDENTIFIER, T.ADD, T.SUB,
}  # fmt: skip
_MATCH_OPS = {
    T.EQL: MatchType.EQUAL,
    T.NEQ: MatchType.NOT_EQUAL,
    T.EQL_REGEX: MatchType.REGEX,
    T.NEQ_REGEX: MatchType.NOT_REGEX,
}
_N = TypeVar("_N", bound=Expr)
_S = TypeVar("_S", VectorSelector, SubqueryExpr)
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1


def parse_expr(text: str) -> Expr:
    """Parse and type-check a PromQL expression as Prometheus 2.42's parser.ParseExpr does.

    Raises PromQLSyntaxError (a ValueError) with Prometheus's message and position.
    """
    parser = _Parser(text)
    try:
        expr = parser.parse()
        check_ast(expr, parser.info)
    except RecursionError:  # only parentheses, calls and the like nested hundreds deep get here
        raise PromQLSyntaxError(text, 0, "expression nested too deeply") from None
    return expr


def parse_metric_selector(text: str) -> list[Matcher]:
    """A lone selector (`name{label="v"}`), as 2.42's parser.ParseMetricSelector reads match[].

    Like Prometheus it does not insist on a non-empty matcher (the API checks that itself). The
    metric name's matcher comes first.
    """
    parser = _Parser(text)
    item = parser.peek()
    if item.typ is T.LEFT_BRACE:
        selector = parser.selector(None)
    elif item.typ in _METRIC_IDENTIFIER:
        parser.advance()
        selector = parser.selector(item)
    else:
        parser.unexpected(item)
    item = parser.peek()
    if item.typ is not T.EOF:
        parser.unexpected(item)
    assert isinstance(selector, VectorSelector)
    return list(selector.matchers)


@dataclasses.dataclass
class _Modifiers:
    return_bool: bool = False
    card: Cardinality = "one-to-one"
    labels: tuple[str, ...] = ()
    on: bool = False
    include: tuple[str, ...] = ()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lexer = Lexer(text)
        self.lookahead: Item | None = None
        self.aggregations = 0  # open aggregations: their rule is where yacc's error recovery lands
        self.info = ParseInfo(text)

    # Tokens -------------------------------------------------------------------------------------
    def peek(self) -> Item:
        if self.lookahead is None:
            item = self.lexer.next_item()
            while item.typ is T.COMMENT:
                item = self.lexer.next_item()
            if item.typ is T.ERROR:
                raise PromQLSyntaxError(self.text, item.pos, item.val)
            self.lookahead = item
        return self.lookahead

    def advance(self) -> Item:
        item = self.peek()
        self.lookahead = None
        return item

    def fail(self, pos: int, msg: str) -> NoReturn:
        raise PromQLSyntaxError(self.text, pos, msg)

    def unexpected(self, item: Item, context: str = "", expected: str = "") -> NoReturn:
        if not context and self.aggregations:
            context = "aggregation"
        msg = f"unexpected {item.desc()}"
        if context:
            msg += f" in {context}"
        if expected:
            msg += f", expected {expected}"
        self.fail(item.pos, msg)

    def node(self, node: _N, end: int) -> _N:
        """Record where a node ends (checkAST locates operators by their left operand's end)."""
        info = self.info
        info.ends[id(node)] = end
        info.keep.append(node)
        if isinstance(node, BinaryExpr):
            scalar = info.type_of(node.lhs) is info.type_of(node.rhs) is ValueType.SCALAR
            info.types[id(node)] = ValueType.SCALAR if scalar else ValueType.VECTOR
        elif isinstance(node, ParenExpr | UnaryExpr):
            info.types[id(node)] = info.type_of(node.expr)
        else:
            info.types[id(node)] = expr_type(node)
        return node

    def end(self, node: Expr) -> int:
        return self.info.ends[id(node)]

    # Expressions --------------------------------------------------------------------------------
    def parse(self) -> Expr:
        if self.peek().typ is T.EOF:
            self.fail(0, "no expression found in input")
        expr = self.expr(0)
        item = self.peek()
        if item.typ is not T.EOF:
            self.unexpected(item)
        return expr

    def expr(self, min_prec: int) -> Expr:
        lhs = self.unary()
        while True:
            item = self.peek()
            if item.typ is T.LEFT_BRACKET:
                lhs = self.range_or_subquery(lhs)
            elif item.typ is T.OFFSET:
                lhs = self.offset(lhs)
            elif item.typ is T.AT:
                lhs = self.at(lhs)
            else:
                prec = _PRECEDENCE.get(item.typ)
                if prec is None or prec < min_prec:
                    return lhs
                self.advance()
                mods = self.bin_modifiers()
                rhs = self.expr(prec if item.typ is T.POW else prec + 1)
                lhs = self.binary(item, lhs, rhs, mods)

    def unary(self) -> Expr:
        item = self.peek()
        if item.typ not in (T.ADD, T.SUB):
            return self.primary()
        self.advance()
        operand = self.expr(_UNARY_OPERAND)
        end = self.end(operand)
        if isinstance(operand, NumberLiteral):
            value = -operand.value if item.typ is T.SUB else operand.value
            return self.node(NumberLiteral(value, pos=item.pos), end)
        return self.node(UnaryExpr("-" if item.typ is T.SUB else "+", operand, pos=item.pos), end)

    def primary(self) -> Expr:
        item = self.peek()
        typ = item.typ
        if typ is T.NUMBER:
            self.advance()
            return self.node(NumberLiteral(self.number(item), pos=item.pos), item.end)
        if typ is T.STRING:
            self.advance()
            return self.node(StringLiteral(unquote(item.val), pos=item.pos), item.end)
        if typ is T.LEFT_PAREN:
            self.advance()
            inner = self.expr(0)
            close = self.peek()
            if close.typ is not T.RIGHT_PAREN:
                self.unexpected(close)
            self.advance()
            return self.node(ParenExpr(inner, pos=item.pos), close.end)
        if typ is T.LEFT_BRACE:
            return self.selector(None)
        if typ is T.IDENTIFIER:
            self.advance()
            if self.peek().typ is T.LEFT_PAREN:
                return self.call(item)
            return self.selector(item)
        if typ in AGGREGATORS:
            self.advance()
            if self.peek().typ in (T.LEFT_PAREN, T.BY, T.WITHOUT):
                return self.aggregation(item)
            return self.selector(item)
        if typ in _NAME_TOKENS:
            self.advance()
            return self.selector(item)
        self.unexpected(item)

    def number(self, item: Item) -> float:
        try:
            return parse_number(item.val)
        except ValueError as err:
            self.fail(item.pos, f"error parsing number: {err}")

    def duration(self, item: Item) -> int:
        try:
            return parse_duration_ms(item.val)
        except ValueError as err:
            self.fail(item.pos, str(err))

    # Binary operators ---------------------------------------------------------------------------
    def bin_modifiers(self) -> _Modifiers:
        mods = _Modifiers()
        item = self.peek()
        if item.typ is T.BOOL:
            self.advance()
            mods.return_bool = True
            item = self.peek()
        if item.typ not in (T.ON, T.IGNORING):
            return mods
        self.advance()
        mods.on = item.typ is T.ON
        mods.labels, _ = self.grouping_labels()
        item = self.peek()
        if item.typ not in (T.GROUP_LEFT, T.GROUP_RIGHT):
            return mods
        self.advance()
        mods.card = "many-to-one" if item.typ is T.GROUP_LEFT else "one-to-many"
        nxt = self.peek()
        if nxt.typ is T.LEFT_PAREN:  # yacc shifts: `group_left (x)` is always a label list
            mods.include, _ = self.grouping_labels()
        elif nxt.typ not in _EXPR_START:
            self.unexpected(nxt, "grouping opts", '"("')
        return mods

    def binary(self, op: Item, lhs: Expr, rhs: Expr, mods: _Modifiers) -> Expr:
        op_text = op.typ.value
        card = mods.card
        if op_text in SET_OPS and card == "one-to-one":
            card = "many-to-many"
        written = VectorMatching(card, mods.labels, mods.on, mods.include)
        both_vectors = self.info.type_of(lhs) is self.info.type_of(rhs) is ValueType.VECTOR
        node = BinaryExpr(op_text, lhs, rhs, mods.return_bool, written if both_vectors else None, pos=lhs.pos)
        self.info.matching[id(node)] = written
        return self.node(node, self.end(rhs))

    def grouping_labels(self) -> tuple[tuple[str, ...], Item]:
        """`( label, ... )` after by/without/on/ignoring/group_x; returns the labels and the `)`."""
        item = self.peek()
        if item.typ is not T.LEFT_PAREN:
            self.unexpected(item, "grouping opts", '"("')
        self.advance()
        labels: list[str] = []
        item = self.peek()
        while item.typ is not T.RIGHT_PAREN:
            if item.typ not in _MAYBE_LABEL:
                self.unexpected(item, "grouping opts", "label")
            self.advance()
            if not is_label(item.val):
                self.unexpected(item, "grouping opts", "label")
            labels.append(item.val)
            item = self.peek()
            if item.typ is T.COMMA:
                self.advance()
                item = self.peek()
            elif item.typ is not T.RIGHT_PAREN:
                self.unexpected(item, "grouping opts", '"," or ")"')
        self.advance()
        return tuple(labels), item

    # Calls and aggregations ---------------------------------------------------------------------
    def call_body(self) -> tuple[list[Expr], Item]:
        """`( expr, ... )`; returns the arguments and the `)`."""
        item = self.peek()
        if item.typ is not T.LEFT_PAREN:
            self.unexpected(item)
        self.advance()
        args: list[Expr] = []
        item = self.peek()
        if item.typ is T.RIGHT_PAREN:
            self.advance()
            return args, item
        args.append(self.expr(0))
        while True:
            item = self.peek()
            if item.typ is T.RIGHT_PAREN:
                self.advance()
                return args, item
            if item.typ is not T.COMMA:
                self.unexpected(item)
            self.advance()
            if self.peek().typ not in _EXPR_START:
                # yacc reduces `function_call_args COMMA` (whose action reports this) on any other token.
                self.fail(item.pos, "trailing commas not allowed in function call args")
            args.append(self.expr(0))

    def call(self, name: Item) -> Expr:
        args, close = self.call_body()
        if name.val not in FUNCTIONS:
            self.fail(name.pos, f"unknown function with name {go_quote(name.val)}")
        return self.node(Call(name.val, tuple(args), pos=name.pos), close.end)

    def aggregation(self, op: Item) -> Expr:
        self.aggregations += 1
        grouping: tuple[str, ...] = ()
        without = False
        item = self.peek()
        modifier_first = item.typ in (T.BY, T.WITHOUT)
        if modifier_first:
            self.advance()
            without = item.typ is T.WITHOUT
            grouping, _ = self.grouping_labels()
        args, close = self.call_body()
        if not modifier_first:
            item = self.peek()
            if item.typ in (T.BY, T.WITHOUT):
                self.advance()
                without = item.typ is T.WITHOUT
                grouping, close = self.grouping_labels()
        self.aggregations -= 1
        name = op.typ.value
        if not args:
            self.fail(op.pos, "no arguments for aggregate expression provided")
        wanted = 2 if name in ("topk", "bottomk", "quantile", "count_values") else 1
        if len(args) != wanted:
            self.fail(
                op.pos,
                "wrong number of arguments for aggregate expression provided, "
                f"expected {wanted}, got {len(args)}",
            )
        param = args[0] if wanted == 2 else None
        node = AggregateExpr(name, args[-1], param, grouping, without, pos=op.pos)
        return self.node(node, close.end)

    # Selectors ----------------------------------------------------------------------------------
    def selector(self, name: Item | None) -> Expr:
        matchers: list[Matcher] = []
        item = self.peek()
        pos, end = (item.pos, item.end) if name is None else (name.pos, name.end)
        if name is not None:
            matchers.append(Matcher(MatchType.EQUAL, METRIC_NAME, name.val))
        if item.typ is T.LEFT_BRACE:
            self.advance()
            end = self.label_matchers(matchers)
        node = VectorSelector(None if name is None else name.val, tuple(matchers), pos=pos)
        return self.node(node, end)

    def label_matchers(self, out: list[Matcher]) -> int:
        """The inside of `{...}` (the `{` is consumed); returns the end of the `}`."""
        item = self.peek()
        while item.typ is not T.RIGHT_BRACE:
            if item.typ is not T.IDENTIFIER:
                self.unexpected(item, "label matching", 'identifier or "}"')
            label = self.advance()
            op = self.peek()
            if op.typ not in _MATCH_OPS:
                self.unexpected(op, "label matching", "label matching operator")
            self.advance()
            value = self.peek()
            if value.typ is not T.STRING:
                self.unexpected(value, "label matching", "string")
            self.advance()
            out.append(self.matcher(label, _MATCH_OPS[op.typ], value))
            item = self.peek()
            if item.typ is T.COMMA:
                self.advance()
                item = self.peek()
            elif item.typ is not T.RIGHT_BRACE:
                self.unexpected(item, "label matching", '"," or "}"')
        self.advance()
        return item.end

    def matcher(self, label: Item, typ: MatchType, value: Item) -> Matcher:
        text = unquote(value.val)
        try:
            return Matcher(typ, label.val, text)
        except RegexError as err:
            self.fail(label.pos, str(err))
        except UnicodeEncodeError:  # bytes that are not UTF-8 (from \x escapes) in a regex
            # Go's regexp quotes the anchored pattern from the first bad byte on.
            bad = next(i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff")
            self.fail(label.pos, f"error parsing regexp: invalid UTF-8: `{text[bad:]})$`")

    # Postfix: [range], [range:step], offset, @ ---------------------------------------------------
    def range_or_subquery(self, expr: Expr) -> Expr:
        bracket = self.advance()
        item = self.peek()
        if item.typ is not T.DURATION:
            self.unexpected(item, "subquery selector", "duration")
        self.advance()
        range_ms = self.duration(item)
        item = self.peek()
        if item.typ is T.RIGHT_BRACKET:
            self.advance()
            if not isinstance(expr, VectorSelector):
                self.fail(bracket.pos, "ranges only allowed for vector selectors")
            if expr.offset_ms != 0:
                self.fail(bracket.pos, "no offset modifiers allowed before range")
            if expr.at_ms is not None:
                self.fail(bracket.pos, "no @ modifiers allowed before range")
            return self.node(MatrixSelector(expr, range_ms, pos=expr.pos), item.end)
        if item.typ is not T.COLON:
            self.unexpected(item, "subquery or range", '":" or "]"')
        self.advance()
        item = self.peek()
        step_ms = 0
        if item.typ is T.DURATION:
            self.advance()
            step_ms = self.duration(item)
            item = self.peek()
            if item.typ is not T.RIGHT_BRACKET:
                self.unexpected(item, "subquery selector", '"]"')
        elif item.typ is not T.RIGHT_BRACKET:
            self.unexpected(item, "subquery selector", 'duration or "]"')
        self.advance()
        return self.node(SubqueryExpr(expr, range_ms, step_ms, pos=expr.pos), item.end)

    def offset(self, expr: Expr) -> Expr:
        self.advance()
        item = self.peek()
        sign = 1
        if item.typ is T.SUB:
            self.advance()
            sign = -1
            item = self.peek()
        if item.typ is not T.DURATION:
            self.unexpected(item, "offset", "duration")
        self.advance()
        offset_ms = sign * self.duration(item)
        if isinstance(expr, MatrixSelector):
            target: VectorSelector | SubqueryExpr = expr.selector
        elif isinstance(expr, VectorSelector | SubqueryExpr):
            target = expr
        else:
            self.fail(
                expr.pos,
                "offset modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery",
            )
        if target.offset_ms != 0:
            self.fail(expr.pos, "offset may not be set multiple times")
        return self.modified(expr, item.end, _Mod(offset_ms=offset_ms))

    def at(self, expr: Expr) -> Expr:
        self.advance()
        item = self.peek()
        modifier: AtModifier = None
        ts = 0.0
        if item.typ is T.NUMBER:
            self.advance()
            ts = self.number(item)
        elif item.typ in (T.ADD, T.SUB):
            self.advance()
            num = self.peek()
            if num.typ is not T.NUMBER:
                self.unexpected(num, "@", "timestamp")
            self.advance()
            ts = self.number(num) * (-1 if item.typ is T.SUB else 1)
            item = num
        elif item.typ in (T.START, T.END):
            self.advance()
            for want in (T.LEFT_PAREN, T.RIGHT_PAREN):
                paren = self.peek()
                if paren.typ is not want:
                    self.unexpected(paren, "@", "timestamp")
                self.advance()
            modifier = "start" if item.typ is T.START else "end"
            item = paren
        else:
            self.unexpected(item, "@", "timestamp")
        if modifier is None and (math.isinf(ts) or math.isnan(ts) or not -(2.0**63) < ts < 2.0**63):
            self.fail(expr.pos, f"timestamp out of bounds for @ modifier: {_go_f(ts)}")
        if isinstance(expr, MatrixSelector):
            target: VectorSelector | SubqueryExpr = expr.selector
        elif isinstance(expr, VectorSelector | SubqueryExpr):
            target = expr
        else:
            self.fail(
                expr.pos,
                "@ modifier must be preceded by an instant vector selector or range vector selector "
                "or a subquery",
            )
        if target.at_ms is not None or target.at_modifier is not None:
            self.fail(expr.pos, "@ <timestamp> may not be set multiple times")
        if modifier is not None:
            return self.modified(expr, item.end, _Mod(at_modifier=modifier))
        return self.modified(expr, item.end, _Mod(at_ms=_seconds_to_ms(ts)))

    def modified(self, expr: Expr, end: int, mod: _Mod) -> Expr:
        """`expr` with an offset or @ set (on the selector inside a range selector)."""
        if isinstance(expr, MatrixSelector):
            inner = self.node(mod.apply(expr.selector), self.end(expr.selector))
            return self.node(dataclasses.replace(expr, selector=inner), end)
        if isinstance(expr, VectorSelector):
            return self.node(mod.apply(expr), end)
        assert isinstance(expr, SubqueryExpr)
        return self.node(mod.apply(expr), end)


@dataclasses.dataclass(frozen=True)
class _Mod:
    offset_ms: int | None = None
    at_ms: int | None = None
    at_modifier: AtModifier = None

    def apply(self, e: _S) -> _S:
        if self.offset_ms is not None:
            return dataclasses.replace(e, offset_ms=self.offset_ms)
        if self.at_modifier is not None:
            return dataclasses.replace(e, at_modifier=self.at_modifier)
        return dataclasses.replace(e, at_ms=self.at_ms)


def _go_f(x: float) -> str:
    """Go's `%f`."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    return f"{x:f}"


def _seconds_to_ms(ts: float) -> int:
    """timestamp.FromFloatSeconds: int64(math.Round(ts * 1000)), halves away from zero."""
    x = ts * 1000
    whole = math.trunc(x)
    if abs(x - whole) >= 0.5:
        whole += 1 if x > 0 else -1
    ms = int(whole)
    return ms if _INT64_MIN <= ms <= _INT64_MAX else _INT64_MIN  # Go's out-of-range conversion
