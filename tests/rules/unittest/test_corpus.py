"""Differential test: every pair in corpus/ through promtool 2.42 and through `run_unit_tests`.

Each `<case>.test.yml` (with its `<case>.rules.yml`) runs in the corpus directory through both;
exit codes must agree, and stdout and stderr must be identical except for the cases listed in
`VERDICT_ONLY`, whose known differences are not the runner's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.rules.unittest import run_unit_tests

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.glob("*.test.yml"))

VERDICT_ONLY = {
    # erpmon.promql words many-to-many errors without the list of duplicate series Prometheus adds.
    "rule_eval_error.test.yml": "engine error text",
    # erpmon.rules' rule-file loader adds the line and column of a bad `for:` duration, which
    # Prometheus reports without a position.
    "rule_file_invalid.test.yml": "rule file error text",
}


def run_promtool(case: str) -> tuple[int, str, str]:
    promtool = need_binary("promtool")
    proc = subprocess.run(
        [promtool, "test", "rules", case], cwd=CORPUS, capture_output=True, text=True, timeout=60
    )
    return proc.returncode, proc.stdout, proc.stderr


def run_ours(
    case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.chdir(CORPUS)
    capsys.readouterr()
    code = run_unit_tests([case], [])
    out, err = capsys.readouterr()
    return code, out, err


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_same_as_promtool(
    case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    want = run_promtool(case)
    got = run_ours(case, capsys, monkeypatch)
    assert got[0] == want[0], f"exit code: promtool {want[0]}, erpmon {got[0]}\n{want[2]}\n---\n{got[2]}"
    if case in VERDICT_ONLY:
        return
    assert got[1] == want[1]
    assert got[2] == want[2]


def test_run_filters_groups_by_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # promtool 2.43's --run (2.42 has none): only groups whose names match run.
    monkeypatch.chdir(CORPUS)
    assert run_unit_tests(["named_groups_one_failing.test.yml"], ["^pass"]) == 0
    assert run_unit_tests(["named_groups_one_failing.test.yml"], ["nomatch", "fail"]) == 1
    capsys.readouterr()
