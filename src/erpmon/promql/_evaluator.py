"""Evaluating a syntax tree at every step of a query at once."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from erpmon.model import METRIC_NAME, Labels, MatchType
from erpmon.promql import _aggregate, _binary
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
from erpmon.promql._errors import QueryError, QueryTimeout, TooManySamples
from erpmon.promql._rows import drop_empty_rows, merge_equal_labels
from erpmon.promql._selectors import Fetched, fetch, instant_vector, range_windows
from erpmon.promql._values import I64, RangeWindows, StepScalar, StepString, StepVector, Value
from erpmon.promql.functions import CallContext, call
from erpmon.storage import Queryable

# Range-vector functions keep one row per input series; all but last_over_time drop the name.
_KEEPS_NAME = frozenset({"last_over_time"})


@dataclass
class Limits:
    lookback_ms: int = 300_000
    default_eval_interval_ms: int = 60_000
    max_samples: int = 50_000_000
    deadline: float = float("inf")  # time.monotonic() value


@dataclass
class QueryWindow:
    """The outer query's start and end, which `@ start()` and `@ end()` refer to."""

    start_ms: int
    end_ms: int


@dataclass
class Evaluator:
    queryable: Queryable
    steps: I64
    window: QueryWindow
    limits: Limits
    samples: list[int] = field(default_factory=lambda: [0])  # shared with sub-evaluators

    def eval(self, expr: Expr) -> Value:
        if time.monotonic() > self.limits.deadline:
            raise QueryTimeout("query timed out in expression evaluation")
        match expr:
            case NumberLiteral(value=v):
                return StepScalar(np.full(self.steps.shape[0], v))
            case StringLiteral(value=s):
                return StepString(s)
            case ParenExpr(expr=inner):
                return self.eval(inner)
            case VectorSelector():
                return self._vector_selector(expr)[0]
            case MatrixSelector():
                return self._matrix(expr)
            case SubqueryExpr():
                return self._subquery(expr)
            case UnaryExpr(op=op, expr=inner):
                return self._unary(op, self.eval(inner))
            case BinaryExpr():
                return self._binary(expr)
            case AggregateExpr():
                return self._aggregate(expr)
            case Call():
                return self._call(expr)
        raise QueryError(f"unhandled expression {expr!r}")

    # --- selectors ----------------------------------------------------------------------------

    def _eval_times(self, offset_ms: int, at_ms: int | None, at_modifier: str | None) -> I64:
        if at_modifier == "start":
            at_ms = self.window.start_ms
        elif at_modifier == "end":
            at_ms = self.window.end_ms
        base = np.full(self.steps.shape[0], at_ms, dtype=np.int64) if at_ms is not None else self.steps
        shifted: I64 = base - offset_ms
        return shifted

    def _fetch(self, sel: VectorSelector, eval_t: I64, range_ms: int) -> Fetched:
        mint, maxt = int(eval_t.min()) - range_ms, int(eval_t.max())
        querier = self.queryable.querier(mint, maxt)
        try:
            f = fetch(querier, sel.matchers, mint, maxt)
        finally:
            querier.close()
        self.samples[0] += int(f.ts.size)
        if self.samples[0] > self.limits.max_samples:
            raise TooManySamples()
        return f

    def _vector_selector(self, sel: VectorSelector) -> tuple[StepVector, np.ndarray]:
        eval_t = self._eval_times(sel.offset_ms, sel.at_ms, sel.at_modifier)
        f = self._fetch(sel, eval_t, self.limits.lookback_ms)
        return instant_vector(f, eval_t, self.limits.lookback_ms)

    def _matrix(self, m: MatrixSelector) -> RangeWindows:
        sel = m.selector
        eval_t = self._eval_times(sel.offset_ms, sel.at_ms, sel.at_modifier)
        return range_windows(self._fetch(sel, eval_t, m.range_ms), eval_t, m.range_ms)

    def _subquery(self, sq: SubqueryExpr) -> RangeWindows:
        """Evaluate the inner expression on the subquery's own aligned steps, as a range vector."""
        eval_t = self._eval_times(sq.offset_ms, sq.at_ms, sq.at_modifier)
        step = sq.step_ms or self.limits.default_eval_interval_ms
        lo = int(eval_t.min()) - sq.range_ms
        first = step * (lo // step)
        if first < lo:
            first += step
        inner_steps = np.arange(first, int(eval_t.max()) + 1, step, dtype=np.int64)
        inner = Evaluator(self.queryable, inner_steps, self.window, self.limits, self.samples)
        value = inner.eval(sq.expr) if inner_steps.size else StepVector.empty(0)
        if isinstance(value, StepScalar):
            value = StepVector([Labels()], value.values[None, :], np.ones((1, value.values.shape[0]), bool))
        if not isinstance(value, StepVector):
            raise QueryError("subquery is only allowed on instant vector")
        rows, cols = np.nonzero(value.present)
        ts = inner_steps[cols] if inner_steps.size else np.empty(0, dtype=np.int64)
        vs = value.values[rows, cols]
        offsets = np.searchsorted(rows, np.arange(len(value.labels) + 1)).astype(np.int64)
        return range_windows(Fetched(list(value.labels), ts, vs, offsets), eval_t, sq.range_ms)

    # --- operators ----------------------------------------------------------------------------

    def _unary(self, op: str, v: Value) -> Value:
        if op == "+":
            return v
        if isinstance(v, StepScalar):
            return StepScalar(-v.values)
        if isinstance(v, StepVector):
            labels = [lset.without_name() for lset in v.labels]
            return merge_equal_labels(StepVector(labels, -v.values, v.present))
        raise QueryError("unary expression only allowed on expressions of type scalar or instant vector")

    def _binary(self, e: BinaryExpr) -> Value:
        lhs, rhs = self.eval(e.lhs), self.eval(e.rhs)
        if isinstance(lhs, StepScalar) and isinstance(rhs, StepScalar):
            return _binary.scalar_scalar(e.op, lhs, rhs)
        if isinstance(lhs, StepVector) and isinstance(rhs, StepScalar):
            return _binary.vector_scalar(e.op, lhs, rhs, scalar_left=False, return_bool=e.return_bool)
        if isinstance(lhs, StepScalar) and isinstance(rhs, StepVector):
            return _binary.vector_scalar(e.op, rhs, lhs, scalar_left=True, return_bool=e.return_bool)
        if isinstance(lhs, StepVector) and isinstance(rhs, StepVector):
            matching = e.matching or VectorMatching(card="one-to-one")
            if e.op in _binary.SET_OPS:
                return _binary.set_operation(e.op, lhs, rhs, matching)
            return _binary.vector_vector(e.op, lhs, rhs, matching, return_bool=e.return_bool)
        raise QueryError("binary expression must contain only scalar and instant vector types")

    def _aggregate(self, e: AggregateExpr) -> StepVector:
        param: StepScalar | StepString | None = None
        if e.param is not None:
            p = self.eval(e.param)
            if not isinstance(p, StepScalar | StepString):
                raise QueryError(f"invalid parameter for {e.op}")
            param = p
        v = self.eval(e.expr)
        if not isinstance(v, StepVector):
            raise QueryError("expected type instant vector in aggregation expression")
        return _aggregate.aggregate(e.op, v, e.grouping, e.without, param)

    # --- functions ----------------------------------------------------------------------------

    def _call(self, e: Call) -> Value:
        if e.func == "timestamp":
            return self._timestamp(e.args[0])
        args = [self.eval(a) for a in e.args]
        ctx = CallContext(step_times=self.steps, absent_labels=_absent_labels(e))
        out = call(e.func, args, ctx)
        if isinstance(out, StepVector):
            ranged = any(isinstance(a, RangeWindows) for a in args)
            if ranged and e.func not in _KEEPS_NAME and e.func != "absent_over_time":
                out = drop_empty_rows(out)
            out = merge_equal_labels(out, per_step=not ranged)
        return out

    def _timestamp(self, arg: Expr) -> StepVector:
        """timestamp(): a selector's own sample times; any other vector's evaluation time."""
        inner = arg
        while isinstance(inner, ParenExpr):
            inner = inner.expr
        if isinstance(inner, VectorSelector):
            v, sample_t = self._vector_selector(inner)
            values = np.asarray(sample_t, dtype=np.float64)
        else:
            got = self.eval(arg)
            if not isinstance(got, StepVector):
                raise QueryError("timestamp() expects an instant vector")
            v = got
            values = np.broadcast_to(self.steps / 1000.0, v.values.shape).copy()
        labels = [lset.without_name() for lset in v.labels]
        return merge_equal_labels(StepVector(labels, values, v.present))


def _absent_labels(e: Call) -> Labels:
    """The labels absent()/absent_over_time() report: the selector's equality matchers, if unique."""
    if e.func not in ("absent", "absent_over_time") or not e.args:
        return Labels()
    arg = e.args[0]
    while isinstance(arg, ParenExpr):
        arg = arg.expr
    if isinstance(arg, MatrixSelector):
        arg = arg.selector
    if not isinstance(arg, VectorSelector):
        return Labels()
    # As createLabelsForAbsentFunction: a repeated or non-equality matcher removes the label.
    out: dict[str, str] = {}
    has: set[str] = set()
    for m in arg.matchers:
        if m.name == METRIC_NAME:
            continue
        if m.type is MatchType.EQUAL and m.name not in has:
            out[m.name] = m.value
            has.add(m.name)
        else:
            out.pop(m.name, None)
    return Labels(out)
