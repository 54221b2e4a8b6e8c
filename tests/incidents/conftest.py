"""A world for incident scenarios: the real engine and store, a real SMTP server, a real webhook
receiver, real subprocess actions and a real embedded TSDB + PromQL engine for verification, all
driven by a fake clock (nothing waits for real time)."""

from __future__ import annotations

import email
import email.policy
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from tests.support import DrainingController, free_port

from erpmon.alerting import Alert
from erpmon.alerting.config import parse_alertmanager_config
from erpmon.alerting.notify import NotifyMetrics
from erpmon.alerting.templates import TemplateSet
from erpmon.alerting.testing import collector
from erpmon.alerting.testing._harness import Collector
from erpmon.clock import FakeClock
from erpmon.incidents import ContactNotifier, IncidentEngine, IncidentStore, incident_template_path
from erpmon.incidents.config import IncidentsConfig, parse_incidents_config
from erpmon.model import Labels
from erpmon.promql import Engine
from erpmon.tsdb import TSDB, TSDBOptions

S = 1000  # ms
T0 = 1_790_000_000_000  # 2026-09-21T13:33:20Z
NS = 1_000_000


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


AM_CONFIG = """\
route: {receiver: default}
receivers:
  - name: default
  - name: oncall-channel
    webhook_configs: [{url: '%(hook)s?to=oncall-channel'}]
"""

INCIDENTS = """\
open:
  - matchers: ['severity=~"critical|high"']
people:
  - name: alice
    full_name: Alice On-Call
    contacts:
      - email_configs: [{to: alice@example.com, %(mail)s}]
      - webhook_configs: [{url: '%(hook)s?to=alice'}]
  - name: carol
    full_name: Carol Manager
    contacts:
      - email_configs: [{to: carol@example.com, %(mail)s}]
      - webhook_configs: [{url: '%(hook)s?to=carol'}]
teams:
  - {name: management, members: [carol]}
  - {name: channel, receiver: oncall-channel}
schedules:
  - name: primary
    time_zone: UTC
    layers:
      - {rotation: daily, handoff: '00:00', start: '2020-01-01', members: [alice]}
actions:
  - name: restart_services
    command: ['%(python)s', '-c', '%(append)s', '%(dir)s/restarts', '{{ .CommonLabels.service }}']
    cooldown: 10m
    key_labels: [service]
  - name: fix_for_real
    command: ['%(python)s', '-c', '%(touch)s', '%(dir)s/fixed']
  - name: fixed_marker
    command: ['test', '-f', '%(dir)s/fixed']
  - name: hang
    command: ['sleep', '30']
    timeout: 1s
checks:
  - {name: marker, action: fixed_marker}
  - {name: api_check, health: api-tcp}
status_page:
  title: ERPGo status
  components:
    - {name: API, matchers: ['service="api"']}
    - {name: Database, matchers: ['service="db"']}
policies:
  - name: health-verified
    matchers: ['alertname="CheckedDown"']
    steps:
      - name: 'Level 1: automated response'
        targets: [{action: fix_for_real}]
        verify: {after: 30s, check: api_check}
      - name: 'Level 2: on-call engineer'
        targets: [{schedule: primary}]
  - name: self-healing
    matchers: ['alertname="FixableDown"']
    steps:
      - name: 'Level 1: automated response'
        targets: [{action: fix_for_real}]
        verify: {after: 30s, check: marker}
      - name: 'Level 2: on-call engineer'
        targets: [{schedule: primary}]
  - name: hanging
    matchers: ['alertname="HangingDown"']
    steps:
      - name: 'Level 1: automated response'
        targets: [{action: hang}]
      - name: 'Level 2: on-call engineer'
        targets: [{schedule: primary}]
  - name: repeating
    matchers: ['alertname="RepeatDown"']
    repeat: 1
    steps:
      - name: first
        targets: [{person: alice}]
      - name: second
        delay: 5m
        targets: [{person: carol}]
  - name: erpgo
    steps:
      - name: 'Level 1: automated response'
        targets:
          - remediation: {label: alertname, actions: {APIDown: restart_services}}
        verify: {after: 30s}
      - name: 'Level 2: on-call engineer'
        targets: [{schedule: primary}, {team: channel}]
      - name: 'Level 3: management'
        after_open: 30m
        targets: [{team: management}, {status_page: {status: degraded_performance}}]
"""


@dataclass
class World:
    dir: Path
    clock: FakeClock
    inbox: Inbox
    hooks: Collector
    db: TSDB
    config: IncidentsConfig
    templates: TemplateSet
    receivers: dict[str, Any]
    engines: list[IncidentEngine] = field(default_factory=list)
    stores: list[IncidentStore] = field(default_factory=list)
    notifiers: list[ContactNotifier] = field(default_factory=list)

    def start_engine(self, health_check: Any = None) -> IncidentEngine:
        """A fresh engine over the same files: what a restarted erpmon builds."""
        store = IncidentStore(str(self.dir / "incidents.db"), str(self.dir / "incident-response.log"))
        notifier = ContactNotifier(
            lambda: self.receivers, lambda: self.templates, NotifyMetrics(None), timeout_s=10
        )
        promql = Engine(self.db)
        engine = IncidentEngine(
            store, self.config, clock=self.clock, notifier=notifier, templates=lambda: self.templates,
            external_url="http://erpmon.test:9090/", ack_secret=b"k" * 32,
            rule_exprs=lambda name: ["erpgo_up == 0"] if name == "APIDown" else [],
            query=lambda expr, t: promql.instant_vector(expr, t).labels, health_check=health_check,
        )  # fmt: skip
        self.engines.append(engine)
        self.stores.append(store)
        self.notifiers.append(notifier)
        return engine

    def write_up(self, value: float, service: str = "api") -> None:
        app = self.db.appender()
        lset = Labels({"__name__": "erpgo_up", "service": service})
        app.append(app.ref(lset), lset, self.clock.now_ms(), value)
        app.commit()

    def alert(
        self, name: str, severity: str = "critical", service: str = "api", resolved: bool = False
    ) -> Alert:
        labels = Labels({"alertname": name, "severity": severity, "service": service})
        start = (T0 - 60 * S) * NS
        end = self.clock.now_ms() * NS if resolved else None
        return Alert(labels, Labels({"summary": f"{name} on {service}"}), start, end, "http://prom/graph")

    def flush(self, engine: IncidentEngine, *alerts: Alert, receiver: str = "default") -> None:
        """What the dispatcher's pipeline hands the engine when it flushes a group."""
        name = alerts[0].labels.get("alertname")
        service = alerts[0].labels.get("service")
        key = f'{{}}:{{alertname="{name}", service="{service}"}}'
        group = Labels({"alertname": name, "service": service})
        engine.observe(receiver, key, group, list(alerts), self.clock.now_ms() * NS)

    async def advance(self, engine: IncidentEngine, seconds: float) -> None:
        """Move the clock in steps, running whatever falls due, as the engine's loop would."""
        target = self.clock.now_ms() + int(seconds * S)
        while True:
            await engine.run_due()
            due = engine.next_due()
            if due is None or due > target:
                break
            self.clock.set(max(due, self.clock.now_ms()))
        self.clock.set(target)
        await engine.run_due()

    def hook_bodies(self, receiver: str) -> list[dict[str, Any]]:
        """Webhook payloads a receiver got (an inline contact's receiver is "<person>/<index>")."""
        return [b for _, b in self.hooks.bodies if b.get("receiver") == receiver]


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = DrainingController(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
async def world(tmp_path: Path, smtp_inbox: tuple[Inbox, int]) -> AsyncIterator[World]:
    inbox, port = smtp_inbox
    with collector() as (hooks, url):
        am = parse_alertmanager_config(AM_CONFIG % {"hook": url})
        values = {
            "hook": url, "python": sys.executable, "dir": tmp_path,
            "mail": f"from: erpmon@example.com, smarthost: '127.0.0.1:{port}', require_tls: false",
            "append": 'import sys; open(sys.argv[1], "a").write(sys.argv[2] + "\\n")',
            "touch": 'import pathlib, sys; pathlib.Path(sys.argv[1]).write_text("fixed")',
        }  # fmt: skip
        cfg = parse_incidents_config(
            INCIDENTS % values, "incidents.yml", str(tmp_path), receivers=[r.name for r in am.receivers]
        )
        templates = TemplateSet.load([incident_template_path()], external_url="http://erpmon.test:9090")
        db = TSDB.open(tmp_path / "tsdb", TSDBOptions(wal_fsync="never"))
        w = World(
            tmp_path, FakeClock(T0), inbox, hooks, db, cfg, templates, {r.name: r for r in am.receivers}
        )
        try:
            yield w
        finally:
            for n in w.notifiers:
                await n.aclose()
            for s in w.stores:
                s.close()
            db.close()
