"""bench/instrument_overhead.py at a tiny size: it runs and reports its figures."""

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
    sys.modules.pop("instrument_overhead", None)
    bench = importlib.import_module("instrument_overhead")
    bench.main(["--requests", "50"])
    out = capsys.readouterr().out
    assert out.count("overhead p50") == 3
