"""bench/incidents_engine.py at a tiny size: it runs and reports every figure."""

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
    sys.modules.pop("incidents_engine", None)
    bench = importlib.import_module("incidents_engine")
    bench.main(["--incidents", "5", "--groups", "10"])
    out = capsys.readouterr().out
    for figure in ("observe, no incident:", "observe, open:", "run_due, nothing due:", "escalate one step:"):
        assert figure in out
