"""The ERPGo pack's promtool unit tests through promtool 2.42 and through erpmon's runner: same verdicts.

Slow (about two minutes): the pack's tests evaluate every rule group every 15 s over hours of
input, and each step is a Python PromQL evaluation per rule.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.rules.unittest import run_unit_tests

PACK_TESTS = Path(__file__).parents[3] / "src" / "erpmon" / "packs" / "erpgo" / "tests"
FILES = sorted(p.name for p in PACK_TESTS.glob("*.yml")) if PACK_TESTS.is_dir() else []


@pytest.mark.skipif(not FILES, reason=f"no ERPGo pack unit tests in {PACK_TESTS} yet")
@pytest.mark.parametrize("name", FILES)
def test_pack_verdict_matches_promtool(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    promtool = need_binary("promtool")
    want = subprocess.run(
        [promtool, "test", "rules", name], cwd=PACK_TESTS, capture_output=True, text=True, timeout=300
    )
    monkeypatch.chdir(PACK_TESTS)
    capsys.readouterr()
    code = run_unit_tests([name], [])
    err = capsys.readouterr().err
    assert code == want.returncode, f"promtool:\n{want.stderr}\nerpmon:\n{err}"
