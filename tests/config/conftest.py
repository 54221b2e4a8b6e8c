"""Shared fixtures for config tests: the testdata files and promtool (Prometheus 2.42) as the oracle."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

TESTDATA = Path(__file__).parent / "testdata"
BAD_FILES = sorted(TESTDATA.glob("*.bad.yml"))
GOOD_FILES = sorted(TESTDATA.glob("*.good.yml"))
PROMTOOL = shutil.which("promtool")

PromtoolCheck = Callable[[Path], "tuple[int, str]"]


def expected_error(path: Path) -> str:
    """The error substring a bad file declares on its first line (`# expect: ...`)."""
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bad_file" in metafunc.fixturenames:
        metafunc.parametrize("bad_file", BAD_FILES, ids=[p.name for p in BAD_FILES])
    if "good_file" in metafunc.fixturenames:
        metafunc.parametrize("good_file", GOOD_FILES, ids=[p.name for p in GOOD_FILES])


@pytest.fixture
def testdata() -> Path:
    return TESTDATA


@pytest.fixture
def promtool_check() -> PromtoolCheck:
    """Run `promtool check config --syntax-only FILE` (files a config names need not exist)."""
    if PROMTOOL is None:
        pytest.skip("promtool (Prometheus 2.42) not installed")
    exe = PROMTOOL

    def run(path: Path) -> tuple[int, str]:
        proc = subprocess.run(
            [exe, "check", "config", "--syntax-only", str(path)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        return proc.returncode, proc.stdout + proc.stderr

    return run


@pytest.fixture
def expected_error_of() -> Callable[[Path], str]:
    return expected_error
