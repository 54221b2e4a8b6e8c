"""bench/alertmanager_vs_erpmon.py at a tiny size against erpmon alone: it runs and reports figures."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_tiny_run_reports_ingest_and_delay(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("alertmanager_vs_erpmon", None)
    bench = importlib.import_module("alertmanager_vs_erpmon")
    bench.main(["--groups", "20", "--per-group", "2", "--batch", "20", "--rounds", "1", "--probes", "3",
                "--no-alertmanager"])  # fmt: skip
    out = capsys.readouterr().out
    assert "erpmon: ingest alerts/s per round:" in out and "(3 probes)" in out
