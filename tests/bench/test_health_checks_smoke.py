"""bench/health_checks.py at a tiny size: it runs and reports its figures."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_tiny_run_reports_its_figures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("health_checks", None)
    bench = importlib.import_module("health_checks")
    bench.main(["--checks", "3", "--rounds", "1"])
    out = capsys.readouterr().out
    assert "checks/s" in out and "metrics export:" in out
