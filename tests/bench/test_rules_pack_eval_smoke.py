"""bench/rules_pack_eval.py --quick --no-prometheus end to end: every group of the pack evaluates cleanly."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_quick_cycle_evaluates_every_group_without_rule_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    for name in ("rules_pack_eval", "erpgo_deployment", "erpgo_families"):
        sys.modules.pop(name, None)
    bench = importlib.import_module("rules_pack_eval")
    run = bench.main(["--quick", "--no-prometheus", "--cycles", "2", "--keep", str(tmp_path)])
    erp = run.erpmon
    assert erp is not None
    assert run.deployment.fallback == [] and run.deployment.unmatched == []
    groups = bench._count_groups(bench.rule_files(bench.PACK))
    assert len(erp.groups) == groups
    assert all(len(ms) == 2 for ms in erp.groups.values())
    assert all(n == bench.WARMUP + 2 for n in erp.iterations.values())
    assert [(r.group, r.name, r.last_error) for r in erp.rules if r.health != "ok"] == []
    assert erp.series_at_end == len(run.deployment.series)
    assert sum(erp.alerts.values()) > 0  # the incidents make alerts pending or firing
    assert "one cycle" in capsys.readouterr().out
