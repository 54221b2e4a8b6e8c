"""`erpmon rules check` against `promtool check rules` on a corpus of good and bad rule files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.cli._rules import check_rules

CORPUS = Path(__file__).parent / "testdata" / "check"
FILES = sorted(CORPUS.glob("*.yml"))
_POSITION = re.compile(r"^(?P<file>[^:\s]+\.yml): (?:\d+:\d+: )+")


def _strip_positions(line: str) -> str:
    return _POSITION.sub(r"\g<file>: ", line)


def _ours(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = check_rules([path.name], lint_fatal="--lint-fatal" in extra)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_same_verdict_and_messages_as_promtool(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    promtool = need_binary("promtool")
    ref = subprocess.run(
        [promtool, "check", "rules", path.name], cwd=CORPUS, capture_output=True, text=True, check=False
    )
    monkeypatch.chdir(CORPUS)
    code, out, err = _ours(path, capsys)
    assert code == ref.returncode, f"promtool:\n{ref.stderr}\nerpmon:\n{err}"
    assert out == ref.stdout
    if path.name.startswith("bad_yaml"):
        # libyaml's and PyYAML's syntax messages differ in wording; both name the file.
        assert err.startswith("  FAILED:\n" + path.name + ": yaml: ")
        return
    ref_lines = ref.stderr.splitlines()
    our_lines = err.splitlines()
    # Where promtool gives a position, ours is identical; where it gives none, erpmon adds one.
    assert sorted(map(_strip_positions, our_lines)) == sorted(map(_strip_positions, ref_lines))
    for line in ref_lines:
        if _POSITION.match(line) and ": 0:0: " not in line:
            assert line in our_lines


def test_every_problem_names_a_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS)
    for path in FILES:
        if not path.name.startswith("bad_"):
            continue
        check_rules([path.name])
        err = capsys.readouterr().err
        problems = [line for line in err.splitlines()[1:] if line.startswith(path.name)]
        assert problems, path.name
        for line in problems:
            assert re.match(
                rf"{re.escape(path.name)}: (\d+:\d+: |yaml: (line \d+|unmarshal errors))", line
            ), line


def test_lint_fatal_exit_code(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    assert check_rules(["lint_duplicate_rules.yml"]) == 0
    assert check_rules(["lint_duplicate_rules.yml"], lint_fatal=True) == 3
    assert check_rules(["lint_duplicate_rules.yml"], lint="none", lint_fatal=True) == 0
    capsys.readouterr()
