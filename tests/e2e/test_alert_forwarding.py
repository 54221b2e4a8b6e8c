"""`erpmon up` forwards its rule alerts to a real Alertmanager 0.25 named in prometheus.yml."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from tests.support import need_binary

from erpmon.alerting.testing import real_alertmanager

RULES = """\
groups:
  - name: demo
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: {severity: critical, service: application}
        annotations: {summary: "value {{ $value }}"}
"""


def test_rule_alerts_reach_the_external_alertmanager(tmp_path: Path, start_erpmon) -> None:  # type: ignore[no-untyped-def]
    need_binary("prometheus-alertmanager")
    am_cfg = tmp_path / "am.yml"
    am_cfg.write_text("route: {receiver: r}\nreceivers: [{name: r}]\n")
    (tmp_path / "rules.yml").write_text(RULES)
    with real_alertmanager(am_cfg, tmp_path, "http://am.example") as am:
        prom = tmp_path / "prometheus.yml"
        prom.write_text(
            "global: {evaluation_interval: 1s, external_labels: {site: lab}}\n"
            "rule_files: [rules.yml]\n"
            "alerting:\n  alertmanagers:\n"
            f"    - static_configs: [{{targets: ['{am.removeprefix('http://')}']}}]\n"
        )
        server = start_erpmon(
            f"--config.file={prom}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            "--web.external-url=http://erpmon.example/",
            "--no-collector.host",
        )
        active = server.get("/api/v1/alertmanagers").json()["data"]["activeAlertmanagers"]
        assert active == [{"url": f"{am}/api/v2/alerts"}]
        deadline = time.monotonic() + 20
        alerts: list[dict[str, object]] = []
        while time.monotonic() < deadline and not alerts:
            alerts = httpx.get(am + "/api/v2/alerts").json()
            time.sleep(0.2)
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["labels"] == {
        "alertname": "AlwaysFiring",
        "severity": "critical",
        "service": "application",
        "site": "lab",
    }
    assert alert["annotations"] == {"summary": "value 1"}
    assert str(alert["generatorURL"]).startswith("http://erpmon.example/graph?g0.expr=vector%281%29+%3E+0")
