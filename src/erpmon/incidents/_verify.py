"""Verification: is the problem that opened an incident still there?

The default re-evaluates the expressions of the alerting rules that fired the incident's alerts,
now: the problem persists while a result series still matches one of the alerts (its labels are a
subset of the alert's, which adds only the rule's labels and `alertname`). A named check instead
runs a PromQL query (the problem persists while it returns anything) or an action (the problem is
gone when it succeeds). Alerts that no rule of this server fired (pushed to the API) count as
persisting while they are still firing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from erpmon.model import Labels

RuleExprs = Callable[[str], Sequence[str]]  # alertname -> the expressions of rules by that name
Query = Callable[[str, int], Sequence[Labels]]  # instant query at a time in ms -> result label sets


@dataclass(frozen=True)
class Verdict:
    persists: bool
    detail: str


def _subset(sample: Labels, alert: Mapping[str, str]) -> bool:
    return all(alert.get(k) == v for k, v in sample.pairs if k != "__name__")


async def alerts_persist(
    alerts: Sequence[Mapping[str, str]], now_ms: int, *, rule_exprs: RuleExprs | None, query: Query | None
) -> Verdict:
    """Whether any of the (firing) alerts' rule expressions still yields a matching series."""
    if not alerts:
        return Verdict(False, "no firing alerts")
    unknown: list[str] = []
    evaluated = 0
    for labels in alerts:
        name = labels.get("alertname", "")
        exprs = rule_exprs(name) if rule_exprs is not None else ()
        if not exprs or query is None:
            unknown.append(name)
            continue
        for expr in exprs:
            evaluated += 1
            try:
                result = await asyncio.to_thread(query, expr, now_ms)
            except Exception as err:  # a failing query cannot prove the problem gone
                return Verdict(True, f"evaluating {expr!r} failed: {err}")
            if any(_subset(s, labels) for s in result):
                return Verdict(True, f"{name}: {expr} still returns a matching series")
    if unknown:
        return Verdict(
            True, f"no rule of this server evaluates {', '.join(sorted(set(unknown)))}; still firing"
        )
    return Verdict(False, f"{evaluated} rule expression(s) no longer match the incident's alerts")


async def query_persists(expr: str, now_ms: int, query: Query | None) -> Verdict:
    if query is None:
        return Verdict(True, "no query engine to evaluate the check")
    try:
        result = await asyncio.to_thread(query, expr, now_ms)
    except Exception as err:
        return Verdict(True, f"evaluating {expr!r} failed: {err}")
    if result:
        return Verdict(True, f"{expr} returns {len(result)} series")
    return Verdict(False, f"{expr} returns nothing")
