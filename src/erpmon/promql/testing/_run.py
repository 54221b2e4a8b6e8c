"""Run corpus cases against two servers and write up what differs; check the corpus's own claims."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

from erpmon.promql.testing._compare import Outcome, compare
from erpmon.promql.testing._corpus import Case
from erpmon.promql.testing._evaluations import Evaluation
from erpmon.promql.testing._servers import QueryClient

# Parse and type errors do not depend on time: one instant and one range evaluation suffice.
ERROR_EVALUATIONS = ("mid", "1h@60s")


@dataclass(frozen=True)
class Finding:
    case: Case
    evaluation: Evaluation
    actual: Outcome
    expected: Outcome
    diffs: tuple[str, ...]

    def url(self) -> str:
        return f"{self.evaluation.path}?{urlencode(self.evaluation.params(self.case.expr))}"

    def report(self, names: tuple[str, str]) -> str:
        lines = [f"{self.case.expr}", f"    at {self.evaluation.describe()}", f"    GET {self.url()}"]
        lines += [f"    - {d}" for d in self.diffs]
        if not self.actual.ok and not self.expected.ok:  # both failed: show both messages
            lines.append(f"    {names[0]}: {self.actual.summary()}")
            lines.append(f"    {names[1]}: {self.expected.summary()}")
        return "\n".join(lines)


def evaluations_for(case: Case, evals: Sequence[Evaluation]) -> tuple[Evaluation, ...]:
    chosen = [e for e in evals if case.evals in ("all", e.kind)]
    if case.expect == "error":
        chosen = [e for e in chosen if e.name in ERROR_EVALUATIONS] or chosen[:1]
    return tuple(chosen)


def run_cases(
    cases: Iterable[Case],
    evals: Sequence[Evaluation],
    actual: QueryClient,
    expected: QueryClient,
    workers: int = 4,
) -> list[Finding]:
    """Every (case, evaluation) pair, compared; `diffs` is empty where the answers agree."""
    names = (actual.name, expected.name)
    jobs = [(case, e) for case in cases for e in evaluations_for(case, evals)]

    def one(job: tuple[Case, Evaluation]) -> Finding:
        case, evaluation = job
        a = actual.query(evaluation, case.expr)
        x = expected.query(evaluation, case.expr)
        ordered = case.ordered and evaluation.kind == "instant"
        return Finding(case, evaluation, a, x, tuple(compare(a, x, ordered=ordered, names=names)))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, jobs))


def mismatch_report(findings: Sequence[Finding], names: tuple[str, str], limit: int = 25) -> str:
    """'' if every evaluation agreed; else a summary line, the expressions, and the first `limit` in full."""
    bad = [f for f in findings if f.diffs]
    if not bad:
        return ""
    exprs = list(dict.fromkeys(f.case.expr for f in bad))
    total = len({f.case.expr for f in findings})
    head = [
        f"{len(bad)} of {len(findings)} evaluations differ between {names[0]} and {names[1]} "
        f"({len(exprs)} of {total} expressions):"
    ]
    head += [f"  {e}" for e in exprs[:60]] + (
        [f"  ... and {len(exprs) - 60} more"] if len(exprs) > 60 else []
    )
    body = [f.report(names) for f in bad[:limit]]
    tail = [f"... {len(bad) - limit} more differing evaluations not shown"] if len(bad) > limit else []
    return "\n".join([*head, "", *body, *tail])


def expectation_problems(findings: Sequence[Finding]) -> list[str]:
    """Where the reference (`expected` side) contradicts a case's `expect`: the corpus is wrong there."""
    by_case: dict[Case, list[Finding]] = {}
    for f in findings:
        by_case.setdefault(f.case, []).append(f)
    problems = []
    for case, fs in by_case.items():
        failed = [f for f in fs if not f.expected.ok]
        if case.expect == "ok" and failed:
            first = failed[0]
            where = first.evaluation.describe()
            problems.append(f"expected to succeed: {case.expr!r} at {where}: {first.expected.summary()}")
        elif case.expect == "error" and len(failed) != len(fs):
            problems.append(
                f"expected to fail everywhere: {case.expr!r} succeeded at {len(fs) - len(failed)}"
            )
        elif case.expect == "some-error" and not failed:
            problems.append(f"expected to fail somewhere: {case.expr!r} never failed")
    return problems
