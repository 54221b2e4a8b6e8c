"""The real `amtool` (0.25) against erpmon's Alertmanager v2 API: alerts and silences."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests.support import need_binary

CONFIG = """\
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1h
receivers:
  - name: hook
"""


@pytest.fixture
def server(tmp_path: Path, start_erpmon):  # type: ignore[no-untyped-def]
    cfg = tmp_path / "am.yml"
    cfg.write_text(CONFIG)
    return start_erpmon(f"--alertmanager.config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'data'}",
                        "--no-collector.host")  # fmt: skip


def amtool(server, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [need_binary("amtool"), f"--alertmanager.url={server.url}", *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_alert_add_and_query(server) -> None:  # type: ignore[no-untyped-def]
    added = amtool(server, "alert", "add", "alertname=DiskFull", "instance=db1", "severity=warning",
                   "--annotation=summary=disk is full")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert amtool(server, "alert", "add", "alertname=ApiDown", "severity=critical").returncode == 0
    everything = amtool(server, "alert", "query")
    assert everything.returncode == 0, everything.stderr
    assert "DiskFull" in everything.stdout and "ApiDown" in everything.stdout
    assert everything.stdout.splitlines()[0].split() == ["Alertname", "Starts", "At", "Summary", "State"]
    only = amtool(server, "alert", "query", "severity=critical")
    assert "ApiDown" in only.stdout and "DiskFull" not in only.stdout
    extended = amtool(server, "-o", "extended", "alert", "query", "alertname=~Disk.*")
    assert 'instance="db1"' in extended.stdout and "disk is full" in extended.stdout


def test_silence_add_query_expire(server) -> None:  # type: ignore[no-untyped-def]
    amtool(server, "alert", "add", "alertname=DiskFull", "instance=db1")
    added = amtool(server, "silence", "add", "alertname=DiskFull", "--comment=maintenance", "--duration=1h",
                   "--author=ops")  # fmt: skip
    assert added.returncode == 0, added.stderr
    sid = added.stdout.strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", sid)
    listed = amtool(server, "silence", "query")
    assert sid in listed.stdout and "maintenance" in listed.stdout and "ops" in listed.stdout
    assert sid in amtool(server, "silence", "query", "alertname=DiskFull").stdout
    silenced = amtool(server, "alert", "query", "--silenced")
    assert "DiskFull" in silenced.stdout
    assert "DiskFull" not in amtool(server, "alert", "query").stdout  # silenced alerts are hidden by default
    expired = amtool(server, "silence", "expire", sid)
    assert expired.returncode == 0, expired.stderr
    assert sid not in amtool(server, "silence", "query").stdout
    assert sid in amtool(server, "silence", "query", "--expired").stdout
    assert "DiskFull" in amtool(server, "alert", "query").stdout


def test_amtool_reports_erpmon_errors(server) -> None:  # type: ignore[no-untyped-def]
    bad = amtool(server, "silence", "expire", "00000000-0000-0000-0000-000000000000")
    assert bad.returncode != 0
    status = amtool(server, "config", "show")
    assert status.returncode == 0 and "receiver: hook" in status.stdout
