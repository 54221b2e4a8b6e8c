"""Webhook, Slack and PagerDuty requests: erpmon's bodies equal what Alertmanager 0.25 sends.

The real Alertmanager notifies local collectors for one posted alert; erpmon's notifiers build
their requests for the same alert, receiver, group key and external URL; the JSON bodies must be
equal.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
from tests.support import need_binary

from erpmon.alerting.config import parse_alertmanager_config
from erpmon.alerting.notify import NotifyContext, build_integrations
from erpmon.alerting.templates import TemplateSet
from erpmon.alerting.testing import collector, real_alertmanager, rfc3339
from erpmon.model import Labels
from erpmon.web._alertmanager_api import _postable_alert

EXTERNAL = "http://am.example:9093"

CONFIG = """\
templates: ['/usr/share/prometheus/alertmanager/*.tmpl']
route:
  receiver: team.ops
  group_by: [alertname, service]
  group_wait: 1s
receivers:
  - name: team.ops
    webhook_configs: [{{url: "{hook}", max_alerts: 1}}]
    slack_configs:
      - api_url: "{slack}"
        channel: '#alerts'
        fields: [{{title: 'Service', value: '{{{{ .CommonLabels.service }}}}'}}]
        actions: [{{type: button, text: 'Runbook', url: 'https://runbooks/{{{{ .GroupLabels.alertname }}}}'}}]
    pagerduty_configs:
      - url: "{pager}"
        routing_key: 'abc123'
        severity: '{{{{ .CommonLabels.severity }}}}'
        links: [{{href: 'https://x/{{{{ .GroupLabels.alertname }}}}', text: 'dash'}}]
"""


def wait_bodies(*cols: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(c.bodies for c in cols):
        time.sleep(0.05)
    assert all(c.bodies for c in cols), "Alertmanager did not notify every collector"


def test_bodies_equal_alertmanagers(tmp_path: Path) -> None:
    need_binary("prometheus-alertmanager")
    now = time.time()
    posted = [
        {
            "labels": {
                "alertname": "HighErrorRate",
                "service": "api",
                "severity": "critical",
                "instance": f"i{i}",
            },
            "annotations": {"summary": f"errors on i{i}", "empty": ""},
            "startsAt": rfc3339(now - 60),
            "generatorURL": "http://prom:9090/graph?g0.expr=x",
        }
        for i in range(2)
    ]
    with (
        collector() as (hook, hook_url),
        collector() as (slack, slack_url),
        collector() as (pager, pager_url),
    ):
        text = CONFIG.format(hook=hook_url, slack=slack_url, pager=pager_url)
        (tmp_path / "am.yml").write_text(text)
        with real_alertmanager(tmp_path / "am.yml", tmp_path, EXTERNAL) as am:
            httpx.post(am + "/api/v2/alerts", json=posted).raise_for_status()
            wait_bodies(hook, slack, pager)
        theirs = {"webhook": hook.bodies[0][1], "slack": slack.bodies[0][1], "pagerduty": pager.bodies[0][1]}

    cfg = parse_alertmanager_config(
        text.replace("/usr/share/prometheus/alertmanager/*.tmpl", str(tmp_path / "x"))
    )
    templates = TemplateSet.load([], external_url=EXTERNAL)
    now_ns = int(time.time() * 1e9)
    alerts = [_postable_alert(p, now_ns, 300 * 10**9) for p in posted]
    group = Labels({"alertname": "HighErrorRate", "service": "api"})
    ctx = NotifyContext("team.ops", theirs["webhook"]["groupKey"], group, now_ns)

    async def build() -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            integrations = build_integrations(cfg.receivers[0], templates, client=client)
            return {i.name: i.notifier.payload(ctx, alerts) for i in integrations}  # type: ignore[attr-defined]

    ours = asyncio.run(build())
    # Alertmanager orders a group's alerts by labels; erpmon's dispatcher does the same before notifying.
    assert json.loads(json.dumps(ours["webhook"])) == theirs["webhook"]
    assert ours["slack"] == theirs["slack"]
    assert ours["pagerduty"] == theirs["pagerduty"]
    assert theirs["webhook"]["truncatedAlerts"] == 1 and theirs["slack"]["attachments"][0]["fields"]
    assert theirs["pagerduty"]["links"] and theirs["pagerduty"]["payload"]["severity"] == "critical"
