"""Differential test: erpmon's relabel() against Prometheus 2.42 itself.

`promtool check service-discovery` runs a job's target relabeling and prints the label set before
(`discoveredLabels`) and after (`labels`). Each shared case becomes a job whose static target
carries the case's labels; erpmon relabels promtool's `discoveredLabels` and must reach promtool's
`labels`, after the fix-ups Prometheus applies once relabeling is done (drop `__meta_*`, default
`instance`, "no address" when `__address__` is gone).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from erpmon.model import Labels
from erpmon.relabel import relabel

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool (Prometheus 2.42) not installed")

ADDRESS = "relabel.test:9100"


def _after_prometheus_fixups(result: Labels | None) -> dict[str, str] | str:
    if result is None:
        return {}
    out = result.to_dict()
    if not out.get("__address__"):
        return "no address"
    out = {k: v for k, v in out.items() if not k.startswith("__meta_")}
    out.setdefault("instance", out["__address__"])
    return out


def _run_job(config: Path, job: str) -> list[dict[str, Any]]:
    """promtool waits `--timeout` for discovery; retry longer if a busy machine gave it no result."""
    assert PROMTOOL is not None
    parsed: list[dict[str, Any]] = []
    for timeout in ("500ms", "3s"):
        proc = subprocess.run(
            [PROMTOOL, "check", "service-discovery", f"--timeout={timeout}", str(config), job],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        parsed = json.loads(proc.stdout)
        if parsed:
            break
    return parsed


def test_relabel_matches_promtool(
    tmp_path: Path, relabel_case_table: list[Any], step_config: Any, step_yaml: Any
) -> None:
    cases = relabel_case_table

    lines = ["scrape_configs:"]
    for i, case in enumerate(cases):
        lines += [
            f"  - job_name: case{i}",
            "    static_configs:",
            f"      - targets: [{json.dumps(ADDRESS)}]",
            f"        labels: {json.dumps(case.labels)}",
            "    relabel_configs:",
        ]
        lines += [f"      - {step_yaml(step_config(s))}" for s in case.steps]
    config = tmp_path / "prometheus.yml"
    config.write_text("\n".join(lines) + "\n")

    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(lambda i: _run_job(config, f"case{i}"), range(len(cases))))

    mismatches = []
    for case, output in zip(cases, outputs, strict=True):
        assert len(output) == 1, (case.name, output)
        discovered = Labels(output[0]["discoveredLabels"])
        ours = _after_prometheus_fixups(relabel(discovered, [step_config(s) for s in case.steps]))
        # Go marshals the error value as {}: its presence is what tells.
        theirs: dict[str, str] | str = "no address" if "error" in output[0] else output[0]["labels"]
        if isinstance(theirs, str) and isinstance(ours, str):
            continue
        if ours != theirs:
            mismatches.append((case.name, ours, theirs))
    assert mismatches == []
