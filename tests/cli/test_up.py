"""`erpmon up` end to end: a real process, real HTTP, real signals, real disk."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support import ERPMON as ERPMON_CMD
from tests.support import free_port, need_binary

CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: erpmon
    static_configs:
      - targets: ["{address}"]
  - job_name: node
    metrics_path: /node/metrics
    static_configs:
      - targets: ["{address}"]
"""


def active(server: Any) -> dict[str, dict[str, Any]]:
    data = server.get("/api/v1/targets").json()["data"]
    return {t["scrapePool"]: t for t in data["activeTargets"]}


def all_up(server: Any, jobs: set[str]) -> bool:
    targets = active(server)
    return set(targets) == jobs and all(t["health"] == "up" for t in targets.values())


def test_default_config_scrapes_itself_and_the_host(start_erpmon: Any, tmp_path: Path) -> None:
    server = start_erpmon(f"--storage.tsdb.path={tmp_path / 'data'}")
    # The built-in config scrapes every 15s with per-target offsets: allow one full interval.
    server.wait_until(lambda: all_up(server, {"erpmon", "node"}), timeout=40, what="targets up")
    t = active(server)["node"]
    assert t["scrapeUrl"].endswith("/node/metrics")
    assert t["labels"] == {"instance": server.url.removeprefix("http://"), "job": "node"}
    assert t["lastError"] == ""
    status = server.get("/api/v1/status/tsdb").json()
    assert status["status"] == "success"
    assert status["data"]["headStats"]["numSeries"] > 0
    names = {e["name"] for e in status["data"]["seriesCountByMetricName"]}
    assert names  # the head holds scraped series
    assert "erpmon is Healthy" in server.get("/-/healthy").text
    assert server.stop() == 0


def test_reload_by_sighup_and_http_and_bad_reload_keeps_old_config(start_erpmon: Any, tmp_path: Path) -> None:
    port = free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(CONFIG.format(address=f"127.0.0.1:{port}"))
    server = start_erpmon(
        f"--config.file={cfg}",
        f"--storage.tsdb.path={tmp_path / 'data'}",
        "--web.enable-lifecycle",
        port=port,
    )
    server.wait_until(lambda: all_up(server, {"erpmon", "node"}), what="targets up")

    cfg.write_text(CONFIG.format(address=f"127.0.0.1:{port}").split("  - job_name: node")[0])
    server.proc.send_signal(signal.SIGHUP)
    server.wait_until(lambda: set(active(server)) == {"erpmon"}, what="node job removed by SIGHUP")

    cfg.write_text("scrape_configs:\n  - job_name: erpmon\n    bogus_key: 1\n")
    resp = server.post("/-/reload")
    assert resp.status_code == 500
    assert "bogus_key" in resp.text and "prometheus.yml:3" in resp.text
    assert set(active(server)) == {"erpmon"}  # the old config still runs

    cfg.write_text(CONFIG.format(address=f"127.0.0.1:{port}"))
    assert server.post("/-/reload").status_code == 200
    assert set(active(server)) == {"erpmon", "node"}
    assert server.stop() == 0


def test_invalid_config_exits_1_with_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yml"
    cfg.write_text("global:\n  scrape_interval: 15s\nrecording_rules:\n  - name: x\n")
    proc = subprocess.run(
        [*ERPMON_CMD, "up", f"--config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'data'}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert f"{cfg}:3" in proc.stderr
    assert "recording_rules" in proc.stderr
    assert not (tmp_path / "data").exists()  # nothing was started


@pytest.mark.parametrize("sig", [signal.SIGKILL])
def test_data_survives_kill_and_restart(start_erpmon: Any, tmp_path: Path, sig: int) -> None:
    port = free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(CONFIG.format(address=f"127.0.0.1:{port}"))
    data = tmp_path / "data"
    server = start_erpmon(f"--config.file={cfg}", f"--storage.tsdb.path={data}", port=port)
    server.wait_until(lambda: all_up(server, {"erpmon", "node"}), what="targets up")
    server.stop(sig)
    dump = subprocess.run(
        [*ERPMON_CMD, "tsdb", "dump", str(data), "--match", 'up{job="node"}'],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = dump.stdout.splitlines()
    assert lines and all(line.startswith('{__name__="up", instance=') for line in lines)
    assert any(" 1 " in line for line in lines)
    restarted = start_erpmon(f"--config.file={cfg}", f"--storage.tsdb.path={data}", port=port)
    assert restarted.get("/api/v1/status/tsdb").json()["data"]["headStats"]["numSeries"] > 0
    assert restarted.stop() == 0


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "erpmon", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("erpmon ")


def test_default_config_without_the_host_collector() -> None:
    from erpmon.cli._up import default_config_text
    from erpmon.config import parse_prometheus_config

    on = parse_prometheus_config(default_config_text("0.0.0.0:9090", host_collector=True), "<built-in>")
    off = parse_prometheus_config(default_config_text("0.0.0.0:9090", host_collector=False), "<built-in>")
    assert [j.job_name for j in on.scrape_configs] == ["erpmon", "node"]
    assert [j.job_name for j in off.scrape_configs] == ["erpmon"]
    assert on.scrape_configs[0].static_configs[0].targets == ("localhost:9090",)


def test_promtool_queries_erpmon(start_erpmon: Any, tmp_path: Path) -> None:
    """promtool is a real Prometheus API client nobody here wrote."""
    promtool = need_binary("promtool")
    port = free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(CONFIG.format(address=f"127.0.0.1:{port}"))
    server = start_erpmon(f"--config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'data'}", port=port)
    server.wait_until(lambda: all_up(server, {"erpmon", "node"}), what="targets up")
    out = subprocess.run(
        [promtool, "query", "instant", server.url, 'up{job="node"}'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f'up{{instance="127.0.0.1:{port}", job="node"}} => 1 @[')
    labels = subprocess.run(
        [promtool, "query", "labels", server.url, "job"], capture_output=True, text=True, timeout=60
    )
    assert labels.stdout.split() == ["erpmon", "node"]
    bad = subprocess.run(
        [promtool, "query", "instant", server.url, "sum("], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode != 0 and "parse error" in bad.stderr
    assert server.stop() == 0
