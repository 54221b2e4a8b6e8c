"""Forwarding into the real Alertmanager 0.25: what its API and its webhook receiver show afterwards."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry
from tests.alerting.forward.helpers import eventually, forwarder, need_alertmanager, running

from erpmon.alerting import format_rfc3339milli, format_rfc3339nano
from erpmon.alerting.forward import rule_alerts_to_am
from erpmon.alerting.testing import collector, real_alertmanager
from erpmon.model import Labels
from erpmon.rules import Alert as RuleAlert
from erpmon.rules import AlertState

AM_CONFIG = """
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 100ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: hook
  webhook_configs: [{{url: "{hook}", send_resolved: true}}]
"""

PROM = """
global:
  external_labels: {{cluster: eu1, severity: ignored}}
alerting:
  alert_relabel_configs:
  - {{source_labels: [instance], regex: "(.*):.*", target_label: host, replacement: "$1"}}
  - {{regex: instance, action: labeldrop}}
  alertmanagers:
  - static_configs: [{{targets: ["{address}"]}}]
    timeout: 5s
"""


def rule_alert(now_ms: int, resolved: bool) -> RuleAlert:
    return RuleAlert(
        labels=Labels.of(alertname="DiskFull", instance="db1:9100", severity="page"),
        annotations=(("summary", "disk <full> & more"),),
        state=AlertState.INACTIVE if resolved else AlertState.FIRING,
        value=1.0,
        active_at=now_ms - 120_000,
        fired_at=now_ms - 60_000,
        resolved_at=now_ms - 1_000 if resolved else None,
        valid_until=now_ms + 240_000,
    )


def api_alerts(url: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = httpx.get(url + "/api/v2/alerts", timeout=5).json()
    return data


async def test_alertmanager_receives_firing_then_resolved(tmp_path: Path) -> None:
    need_alertmanager()
    now_ms = int(time.time() * 1000)
    expr = 'node_filesystem_avail_bytes{mountpoint="/"} < 1e9'
    external = "http://erpmon.example:9090"
    with collector() as (col, hook):
        am_cfg = tmp_path / "alertmanager.yml"
        am_cfg.write_text(AM_CONFIG.format(hook=hook))
        with real_alertmanager(am_cfg, tmp_path, "http://am.example") as am_url:
            address = am_url.removeprefix("http://")
            reg = CollectorRegistry()
            fwd = forwarder(tmp_path, PROM.format(address=address), reg)
            async with running(fwd):
                fwd.send(rule_alerts_to_am(expr, [rule_alert(now_ms, False)], external_url=external))
                await eventually(lambda: api_alerts(am_url), what="the alert in Alertmanager's API")
                [got] = api_alerts(am_url)
                await eventually(lambda: col.bodies, what="the firing notification")
                fwd.send(rule_alerts_to_am(expr, [rule_alert(now_ms, True)], external_url=external))
                await eventually(lambda: len(col.bodies) >= 2, what="the resolved notification")
                assert api_alerts(am_url) == []  # the API no longer lists a resolved alert
    generator = (
        "http://erpmon.example:9090/graph?g0.expr="
        "node_filesystem_avail_bytes%7Bmountpoint%3D%22%2F%22%7D+%3C+1e9&g0.tab=1"
    )
    # External labels filled in cluster only; relabeling turned instance into host.
    assert got["labels"] == {"alertname": "DiskFull", "cluster": "eu1", "host": "db1", "severity": "page"}
    assert got["annotations"] == {"summary": "disk <full> & more"}
    assert got["startsAt"] == format_rfc3339milli((now_ms - 60_000) * 1_000_000)
    assert got["endsAt"] == format_rfc3339milli((now_ms + 240_000) * 1_000_000)
    assert got["generatorURL"] == generator
    assert got["status"]["state"] == "active"
    firing = col.bodies[0][1]
    resolved = col.bodies[-1][1]
    assert firing["status"] == "firing"
    assert resolved["status"] == "resolved"
    [alert] = resolved["alerts"]
    assert alert["status"] == "resolved"
    assert alert["generatorURL"] == generator
    assert alert["labels"]["host"] == "db1"
    # The webhook prints Go's RFC 3339 with nanoseconds: our ms times come back unchanged.
    assert alert["endsAt"] == format_rfc3339nano((now_ms - 1_000) * 1_000_000)
    assert alert["startsAt"] == format_rfc3339nano((now_ms - 60_000) * 1_000_000)
    url = f"http://{address}/api/v2/alerts"
    assert reg.get_sample_value("erpmon_forward_alerts_sent_total", {"alertmanager": url}) == 2
    assert reg.get_sample_value("erpmon_forward_errors_total", {"alertmanager": url}) == 0


async def test_alertmanager_accepts_api_v1(tmp_path: Path) -> None:
    need_alertmanager()
    now_ms = int(time.time() * 1000)
    with collector() as (_, hook):
        am_cfg = tmp_path / "alertmanager.yml"
        am_cfg.write_text(AM_CONFIG.format(hook=hook))
        with real_alertmanager(am_cfg, tmp_path, "http://am.example") as am_url:
            text = PROM.format(address=am_url.removeprefix("http://")) + "    api_version: v1\n"
            reg = CollectorRegistry()
            fwd = forwarder(tmp_path, text, reg)
            async with running(fwd):
                fwd.send(rule_alerts_to_am("up == 0", [rule_alert(now_ms, False)], external_url=""))
                await eventually(lambda: api_alerts(am_url), what="the alert via API v1")
                [got] = api_alerts(am_url)
    assert got["labels"]["cluster"] == "eu1"
    assert got["generatorURL"] == "/graph?g0.expr=up+%3D%3D+0&g0.tab=1"
    assert got["startsAt"] == format_rfc3339milli((now_ms - 60_000) * 1_000_000)
    v1 = f"{am_url}/api/v1/alerts"
    assert reg.get_sample_value("erpmon_forward_errors_total", {"alertmanager": v1}) == 0
