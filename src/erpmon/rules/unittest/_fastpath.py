"""Evaluating a whole test group rule by rule, every step at once, when the order cannot show.

promtool evaluates every group at every step, which costs one query per rule per step: a week of
1m steps is 10,080 queries per rule. When no rule reads what the same rule or a later one writes
(nor `ALERTS`), a rule's value at a step depends only on the input series and on earlier rules'
output up to that step, so each rule can be computed at all steps in one range evaluation and its
output written before the next rule runs. The alert state machine still walks the steps (over the
precomputed vectors), so `for`, `keep_firing_for` and the templates behave exactly as step by step.
Anything this shortcut cannot reproduce exactly — an evaluation error, labels colliding after a
rule's labels, group limits, `@`, negative offsets, a template that runs `query` — makes
`eligible` say no or `run` return None, and the caller evaluates step by step instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from erpmon.model import STALE_NAN
from erpmon.promql import Engine, InstantVector, QueryError, StepVectors, parse_expr
from erpmon.promql._ast import (
    AggregateExpr,
    BinaryExpr,
    Call,
    Expr,
    MatrixSelector,
    ParenExpr,
    SubqueryExpr,
    UnaryExpr,
    VectorSelector,
)
from erpmon.rules import AlertingRule, Group, RecordingRule
from erpmon.storage import Appendable

_ALERT_SERIES = {"ALERTS", "ALERTS_FOR_STATE"}


def _walk(expr: Expr) -> Iterator[Expr]:
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, MatrixSelector):
            stack.append(node.selector)
        elif isinstance(node, (SubqueryExpr, ParenExpr, UnaryExpr)):
            stack.append(node.expr)
        elif isinstance(node, AggregateExpr):
            stack.append(node.expr)
            if node.param is not None:
                stack.append(node.param)
        elif isinstance(node, Call):
            stack.extend(node.args)
        elif isinstance(node, BinaryExpr):
            stack.extend((node.lhs, node.rhs))


def _reads(query: str, lookback_ms: int) -> tuple[set[str], int] | None:
    """Metric names an expression reads and its widest window; None when it may read anything,
    look ahead in time, or has a subquery (whose per-step sample count is not bounded simply)."""
    names: set[str] = set()
    window = lookback_ms
    for node in _walk(parse_expr(query)):
        if isinstance(node, SubqueryExpr):
            return None
        if isinstance(node, VectorSelector):
            if node.offset_ms < 0 or node.at_ms is not None or node.at_modifier is not None:
                return None
            if node.name is None:
                return None
            names.add(node.name)
        if isinstance(node, MatrixSelector):
            window = max(window, node.range_ms)
    return names, window


def producers_first(groups: list[Group]) -> list[Group]:
    """Groups ordered so that one recording a series comes before those reading it; otherwise, and
    when groups depend on each other both ways, their given order."""
    written = [{r.name for r in g.rules if isinstance(r, RecordingRule)} for g in groups]
    read: list[set[str]] = []
    for g in groups:
        names: set[str] = set()
        for rule in g.rules:
            found = _reads(rule.query, 0)
            names |= found[0] if found is not None else set()
        read.append(names)
    before = {
        j: {i for i in range(len(groups)) if i != j and written[i] & read[j]} for j in range(len(groups))
    }
    out: list[int] = []
    while len(out) < len(groups):
        ready = [j for j in range(len(groups)) if j not in out and not (before[j] - set(out))]
        if not ready:  # a cycle: keep the rest in the given order
            out.extend(j for j in range(len(groups)) if j not in out)
            break
        out.append(ready[0])
    return [groups[j] for j in out]


def eligible(groups: list[Group], test_exprs: list[str], lookback_ms: int) -> int | None:
    """The widest window any rule reads when `run` can reproduce step-by-step evaluation, else None.

    `test_exprs` are the promql_expr_tests' expressions.
    """
    if any(name in expr for expr in test_exprs for name in _ALERT_SERIES):
        return None  # the ALERTS series are not written on this path
    rules = [(group, rule) for group in groups for rule in group.rules]
    widest = lookback_ms
    for i, (group, rule) in enumerate(rules):
        if group.limit:
            return None
        templates = (*rule.labels, *rule.annotations) if isinstance(rule, AlertingRule) else ()
        if any("query" in text for _, text in templates):
            return None  # a template query would see later rules' output at this step
        found = _reads(rule.query, lookback_ms)
        if found is None:
            return None
        reads, window = found
        widest = max(widest, window)
        if reads & _ALERT_SERIES:
            return None
        written_later = {r.name for _, r in rules[i:] if isinstance(r, RecordingRule)}
        if reads & written_later:
            return None
    return widest


def _step(vectors: StepVectors, k: int) -> InstantVector:
    rows = np.flatnonzero(vectors.present[:, k])
    return InstantVector([vectors.labels[i] for i in rows.tolist()], vectors.values[rows, k])


def _write_recorded(db: Appendable, rule: RecordingRule, vectors: StepVectors, steps: np.ndarray) -> bool:
    """Append a recording rule's output at every step, with stale markers where a series ends."""
    renamed = [rule.rename(lset) for lset in vectors.labels]
    if len(set(renamed)) != len(renamed):
        return False  # may or may not collide at one step: let the step-by-step path decide
    app = db.appender()
    for row, lset in enumerate(renamed):
        present = vectors.present[row]
        if not present.any():
            continue
        # A stale marker at the first step without a sample after one with a sample.
        ends = np.flatnonzero(~present[1:] & present[:-1]) + 1
        ts = np.concatenate([steps[present], steps[ends]])
        vs = np.concatenate([vectors.values[row, present], np.full(ends.size, STALE_NAN)])
        order = np.argsort(ts, kind="stable")
        ref = app.ref(lset)
        app.append_many(np.full(ts.size, ref, dtype=np.int64), ts[order], vs[order])
    app.commit()
    return True


def run(
    groups: list[Group],
    engine: Engine,
    db: Appendable,
    steps: np.ndarray,
    after_step: Callable[[int], list[str]],
) -> list[str] | None:
    """Evaluate every rule over `steps`; `after_step(ts)` checks alerts. None: use the slow path."""
    alert_vectors: list[tuple[Group, AlertingRule, StepVectors]] = []
    for group in groups:
        for rule in group.rules:
            try:
                vectors = engine.step_vectors(rule.query, steps)
            except (QueryError, ValueError, ArithmeticError):
                return None
            if isinstance(rule, RecordingRule):
                if not _write_recorded(db, rule, vectors, steps):
                    return None
                rule.health, rule.last_error = "ok", ""
            else:
                alert_vectors.append((group, rule, vectors))
    errors: list[str] = []
    for k, ts in enumerate(steps.tolist()):
        for group, rule, vectors in alert_vectors:
            try:
                # ALERTS samples are not written: nothing reads them (see `eligible`).
                rule.eval(ts, _constant(_step(vectors, k)), group.limit)
            except (QueryError, ValueError, ArithmeticError):
                return None
        errors.extend(after_step(ts))
    return errors


def _constant(vector: InstantVector) -> Callable[[str, int], InstantVector]:
    return lambda _query, _ts: vector


__all__ = ["eligible", "run"]
