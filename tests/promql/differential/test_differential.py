"""erpmon's PromQL answers, compared with Prometheus 2.42's over the same backfilled data.

One test per corpus group; each evaluates the group's expressions as instant queries at 7 times
and as range queries over 3 windows, and fails with a report of what differs (the first 25 in the
message, all of them in <report dir>/<group>.txt). See conftest.py for the environment knobs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from erpmon.promql.testing import (
    build_corpus,
    build_dataset,
    expectation_problems,
    mismatch_report,
    run_cases,
)

CORPUS = build_corpus(build_dataset())
GROUPS = list(dict.fromkeys(case.group for case in CORPUS))


def selected(group: str) -> list[Any]:
    pattern = os.environ.get("ERPMON_DIFF_FILTER")
    return [c for c in CORPUS if c.group == group and (not pattern or re.search(pattern, c.expr))]


@pytest.mark.parametrize("group", GROUPS)
def test_answers_match_prometheus(
    group: str, under_test: Any, reference: Any, diff_evaluations: Any, report_dir: Path
) -> None:
    under_test.require_query_api()
    cases = selected(group)
    if not cases:
        pytest.skip(f"no {group} expression matches ERPMON_DIFF_FILTER")
    names = (under_test.client.name, reference.name)
    findings = run_cases(cases, diff_evaluations, under_test.client, reference)
    report_file = report_dir / (group.replace("/", "-") + ".txt")
    full = mismatch_report(findings, names, limit=len(findings))
    report_file.write_text(full or f"{len(findings)} evaluations, no differences\n")
    problems = expectation_problems(findings)
    message = []
    if problems:
        message += ["The corpus contradicts Prometheus (fix the corpus):", *problems, ""]
    if full:
        message += [mismatch_report(findings, names), "", f"full report: {report_file}"]
    assert not message, "\n".join(message)
