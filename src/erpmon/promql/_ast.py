"""The PromQL syntax tree the evaluator walks; the parser produces it (Prometheus 2.42 semantics).

Times are int milliseconds. `@ start()` / `@ end()` stay symbolic (`at_modifier`) until a query's
start and end are known.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from erpmon.model import Matcher


class ValueType(enum.Enum):
    SCALAR = "scalar"
    VECTOR = "vector"
    MATRIX = "matrix"
    STRING = "string"


AtModifier = Literal["start", "end"] | None


@dataclass(frozen=True)
class NumberLiteral:
    value: float
    pos: int = 0


@dataclass(frozen=True)
class StringLiteral:
    value: str
    pos: int = 0


@dataclass(frozen=True)
class VectorSelector:
    name: str | None
    matchers: tuple[Matcher, ...]  # includes the __name__ matcher when a name is given
    offset_ms: int = 0
    at_ms: int | None = None
    at_modifier: AtModifier = None
    pos: int = 0


@dataclass(frozen=True)
class MatrixSelector:
    selector: VectorSelector
    range_ms: int
    pos: int = 0


@dataclass(frozen=True)
class SubqueryExpr:
    expr: Expr
    range_ms: int
    step_ms: int  # 0: the global evaluation interval
    offset_ms: int = 0
    at_ms: int | None = None
    at_modifier: AtModifier = None
    pos: int = 0


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    pos: int = 0


@dataclass(frozen=True)
class AggregateExpr:
    op: str  # sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk, quantile, count_values
    expr: Expr
    param: Expr | None = None
    grouping: tuple[str, ...] = ()
    without: bool = False
    pos: int = 0


@dataclass(frozen=True)
class UnaryExpr:
    op: Literal["-", "+"]
    expr: Expr
    pos: int = 0


Cardinality = Literal["one-to-one", "many-to-one", "one-to-many", "many-to-many"]


@dataclass(frozen=True)
class VectorMatching:
    card: Cardinality
    labels: tuple[str, ...] = ()  # on(...) / ignoring(...) labels
    on: bool = False
    include: tuple[str, ...] = ()  # group_left(...) / group_right(...) labels


@dataclass(frozen=True)
class BinaryExpr:
    op: str  # + - * / % ^ == != > < >= <= and or unless atan2
    lhs: Expr
    rhs: Expr
    return_bool: bool = False
    matching: VectorMatching | None = None  # None when either side is a scalar
    pos: int = 0


@dataclass(frozen=True)
class ParenExpr:
    expr: Expr
    pos: int = 0


Expr = (
    NumberLiteral
    | StringLiteral
    | VectorSelector
    | MatrixSelector
    | SubqueryExpr
    | Call
    | AggregateExpr
    | UnaryExpr
    | BinaryExpr
    | ParenExpr
)
