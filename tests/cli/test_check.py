"""`erpmon check config` gives promtool check config's verdict and exit code on the same files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.cli import main

TESTDATA = Path(__file__).parents[1] / "config" / "testdata"
FILES = sorted(p for p in TESTDATA.glob("*.yml") if p.name.endswith((".bad.yml", ".good.yml")))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_exit_code_matches_promtool(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    promtool = need_binary("promtool")
    theirs = subprocess.run(
        [promtool, "check", "config", path.name], cwd=path.parent, capture_output=True, timeout=60
    )
    ours = main(["check", "config", str(path)])
    out = capsys.readouterr()
    assert ours == theirs.returncode, out.err
    if ours:
        assert "FAILED" in out.err
    else:
        assert f"SUCCESS: {path} is valid prometheus config file syntax" in out.out


def test_seed_config_defect_is_reported_with_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "config", str(TESTDATA / "erpgo_seed.bad.yml")]) == 1
    err = capsys.readouterr().err
    assert "erpgo_seed.bad.yml:46" in err and "recording_rules" in err


def test_missing_rule_file_fails_unless_syntax_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "p.yml"
    cfg.write_text('rule_files: ["missing.yml"]\n')
    assert main(["check", "config", str(cfg)]) == 1
    assert "does not point to an existing file" in capsys.readouterr().err
    assert main(["check", "config", "--syntax-only", str(cfg)]) == 0


RULES = Path(__file__).parents[1] / "rules" / "testdata" / "check"


@pytest.mark.parametrize("rule_files", [["good_basic.yml"], ["good_basic.yml", "bad_expr.yml"]])
def test_rule_files_are_checked_like_promtool(
    rule_files: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    promtool = need_binary("promtool")
    for name in rule_files:
        (tmp_path / name).write_text((RULES / name).read_text())
    (tmp_path / "p.yml").write_text(f"rule_files: {rule_files}\n")
    theirs = subprocess.run(
        [promtool, "check", "config", "p.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    monkeypatch.chdir(tmp_path)
    ours = main(["check", "config", "p.yml"])
    out = capsys.readouterr()
    assert ours == theirs.returncode
    assert out.out == theirs.stdout
    assert out.err == theirs.stderr
