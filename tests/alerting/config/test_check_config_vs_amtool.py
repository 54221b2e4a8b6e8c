"""`erpmon alerts check-config` against `amtool check-config` (0.25) on the testdata corpus.

Every `testdata/*.good.yml` must pass both, every `*.bad.yml` must fail both, and our problem list
must name the file with line and column and contain amtool's reason (amtool stops at its first).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.support import ERPMON, need_binary

from erpmon.alerting.config import load_alertmanager_config
from erpmon.config import ConfigError

TESTDATA = Path(__file__).parent / "testdata"
CORPUS = sorted(p.name for p in TESTDATA.glob("*.yml"))


def amtool_check(path: Path) -> tuple[bool, str]:
    done = subprocess.run([need_binary("amtool"), "check-config", str(path)], capture_output=True, text=True,
                          timeout=30)  # fmt: skip
    m = re.search(r"FAILED: (.*?)\n(?:Found:|\n|$)", done.stdout, re.S)
    return done.returncode == 0, m.group(1) if m else ""


def amtool_reason(reason: str) -> str:
    """amtool's first problem without yaml.v2's "line N:" prefix (we give line:col ourselves)."""
    first = re.sub(r"^yaml: (unmarshal errors:\s*)?line \d+: ", "", reason).splitlines()[0].strip()
    if first.startswith("error parsing regexp:"):
        # Go's regexp and RE2's C++ word their errors differently; the kind agrees.
        return "error parsing regexp:"
    return first


def test_corpus_has_both_kinds() -> None:
    assert sum(n.endswith(".good.yml") for n in CORPUS) >= 5
    assert sum(n.endswith(".bad.yml") for n in CORPUS) >= 40


@pytest.mark.parametrize("name", CORPUS)
def test_agrees_with_amtool(tmp_path: Path, name: str) -> None:
    # A copy, so relative template paths resolve against a directory the test owns.
    shutil.copytree(TESTDATA, tmp_path / "data")
    path = tmp_path / "data" / name
    ok, reason = amtool_check(path)
    assert ok == name.endswith(".good.yml"), reason
    try:
        load_alertmanager_config(path)
        ours_ok, ours = True, ""
    except ConfigError as err:
        ours_ok, ours = False, str(err)
    assert ours_ok == ok, (ours, reason)
    if not ok:
        assert re.search(rf"{re.escape(str(path))}:\d+:\d+: ", ours), ours
        assert amtool_reason(reason) in ours, (reason, ours)


@pytest.mark.parametrize("name", ["full.good.yml", "templates.good.yml", "deprecated.good.yml"])
def test_cli_output_matches_amtool(tmp_path: Path, name: str) -> None:
    shutil.copytree(TESTDATA, tmp_path / "data")
    path = tmp_path / "data" / name
    ours = subprocess.run([*ERPMON, "alerts", "check-config", str(path)], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    amtool_args = [need_binary("amtool"), "check-config", str(path)]
    theirs = subprocess.run(amtool_args, capture_output=True, text=True, timeout=60)
    assert (ours.stdout, ours.returncode) == (theirs.stdout, theirs.returncode)


def test_cli_fails_like_amtool(tmp_path: Path) -> None:
    good, bad = TESTDATA / "minimal.good.yml", TESTDATA / "undefined-receiver.bad.yml"
    ours = subprocess.run([*ERPMON, "alerts", "check-config", str(good), str(bad)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    theirs = subprocess.run([need_binary("amtool"), "check-config", str(good), str(bad)], capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert ours.returncode == theirs.returncode == 1
    assert f"Checking '{bad}'  FAILED: " in ours.stdout
    assert f"{bad}:1:" in ours.stdout and 'undefined receiver "nope" used in route' in ours.stdout
    # Everything before the failing file is byte for byte amtool's.
    head = theirs.stdout.split(f"Checking '{bad}'")[0]
    assert ours.stdout.startswith(head)
    assert "failed to validate 1 file(s)" in ours.stderr and "failed to validate 1 file(s)" in theirs.stderr
