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

from erpmon.model import METRIC_NAME, STALE_NAN, Matcher, MatchType
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
from erpmon.storage import Appendable, Queryable

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


def _reads(query: str, lookback_ms: int) -> list[tuple[str, int]] | None:
    """(metric name, window) of every selector of an expression; None when it may read anything,
    looks ahead in time, or has a subquery (whose per-step sample count is not bounded simply)."""
    out: list[tuple[str, int]] = []
    ranged: dict[int, int] = {}
    nodes = list(_walk(parse_expr(query)))
    for node in nodes:
        if isinstance(node, SubqueryExpr):
            return None
        if isinstance(node, MatrixSelector):
            ranged[id(node.selector)] = node.range_ms
    for node in nodes:
        if isinstance(node, VectorSelector):
            if node.offset_ms < 0 or node.at_ms is not None or node.at_modifier is not None:
                return None
            if node.name is None:
                return None
            out.append((node.name, ranged.get(id(node), lookback_ms)))
    return out


def _names(query: str) -> set[str]:
    found = _reads(query, 0)
    return {name for name, _ in found} if found is not None else set()


def most_samples(groups: list[Group], db: Queryable, maxt: int, lookback_ms: int) -> int:
    """An upper bound on the samples any one rule's query loads at one step: for every selector,
    the sum over its series of the most samples a window of its width ever holds."""
    querier = db.querier(0, maxt)
    try:
        densest: dict[tuple[str, int], int] = {}
        worst = 0
        for group in groups:
            for rule in group.rules:
                total = 0
                for name, window in _reads(rule.query, lookback_ms) or ():
                    if (name, window) not in densest:
                        series = querier.select([Matcher(MatchType.EQUAL, METRIC_NAME, name)])
                        densest[(name, window)] = sum(_most_in_window(s.timestamps, window) for s in series)
                    total += densest[(name, window)]
                worst = max(worst, total)
        return worst
    finally:
        querier.close()


def _most_in_window(ts: np.ndarray, window_ms: int) -> int:
    if ts.size == 0:
        return 0
    # 2.42's windows are closed, [t - window, t]: count the samples in [ts[i] - window, ts[i]].
    first = np.searchsorted(ts, ts - window_ms, side="left")
    return int((np.arange(ts.size) - first + 1).max())


def producers_first(groups: list[Group]) -> list[Group]:
    """Groups ordered so that one recording a series comes before those reading it; otherwise, and
    when groups depend on each other both ways, their given order."""
    written = [{r.name for r in g.rules if isinstance(r, RecordingRule)} for g in groups]
    read: list[set[str]] = []
    for g in groups:
        names: set[str] = set()
        for rule in g.rules:
            names |= _names(rule.query)
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


def eligible(groups: list[Group], test_exprs: list[str]) -> bool:
    """Whether `run` can reproduce step-by-step evaluation (`test_exprs`: the promql_expr_tests)."""
    if any(name in expr for expr in test_exprs for name in _ALERT_SERIES):
        return False  # the ALERTS series are not written on this path
    rules = [(group, rule) for group in groups for rule in group.rules]
    for i, (group, rule) in enumerate(rules):
        if group.limit:
            return False
        templates = (*rule.labels, *rule.annotations) if isinstance(rule, AlertingRule) else ()
        if any("query" in text for _, text in templates):
            return False  # a template query would see later rules' output at this step
        if _reads(rule.query, 0) is None:
            return False
        reads = _names(rule.query)
        written_later = {r.name for _, r in rules[i:] if isinstance(r, RecordingRule)}
        if reads & (_ALERT_SERIES | written_later):
            return False
    return True


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


__all__ = ["eligible", "most_samples", "producers_first", "run"]
