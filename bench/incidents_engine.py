"""What the incident engine costs the dispatcher and itself, on a real SQLite file.

- observe, no incident: a flushed group that opens nothing (one indexed read), per flush;
- observe, open: a group that opens an incident (insert + timeline event), per incident;
- observe, unchanged: a flush repeating an open incident's group (no write), per flush;
- run_due / next_due with N open incidents and nothing due (the engine loop's scan);
- escalate: one step (a status-page target) per incident, run_due over N due incidents.

    .venv/bin/python bench/incidents_engine.py [--incidents 500] [--groups 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from erpmon.alerting import Alert
from erpmon.alerting.notify import NotifyMetrics
from erpmon.alerting.templates import TemplateSet
from erpmon.clock import FakeClock
from erpmon.incidents import ContactNotifier, IncidentEngine, IncidentStore, incident_template_path
from erpmon.incidents.config import parse_incidents_config
from erpmon.model import Labels

CONFIG = """\
open: [{matchers: ['severity="critical"']}]
status_page: {components: [{name: API, matchers: ['service="api"']}]}
policies:
  - name: p
    steps: [{name: page, delay: 1m, targets: [{status_page: {status: major_outage}}]}]
"""
NS = 1_000_000


def alert(i: int, severity: str, now_ms: int) -> Alert:
    labels = Labels({"alertname": "Down", "instance": f"host-{i}", "service": "api", "severity": severity})
    return Alert(labels, Labels({}), (now_ms - 60_000) * NS, None)


async def run(incidents: int, groups: int, directory: Path) -> None:
    clock = FakeClock(1_790_000_000_000)
    templates = TemplateSet.load([incident_template_path()], external_url="http://erpmon")
    store = IncidentStore(str(directory / "incidents.db"), str(directory / "incident-response.log"))
    notifier = ContactNotifier(dict, lambda: templates, NotifyMetrics(None))
    engine = IncidentEngine(
        store, parse_incidents_config(CONFIG), clock=clock, notifier=notifier, templates=lambda: templates,
        external_url="http://erpmon", ack_secret=b"k" * 32,
    )  # fmt: skip
    now = clock.now_ms()

    def flush(i: int, severity: str) -> None:
        a = alert(i, severity, now)
        engine.observe("default", f'{{}}:{{instance="host-{i}"}}', a.labels, [a], now * NS)

    t = time.perf_counter()
    for i in range(groups):
        flush(i, "warning")
    quiet = (time.perf_counter() - t) / groups
    t = time.perf_counter()
    for i in range(incidents):
        flush(i, "critical")
    opening = (time.perf_counter() - t) / incidents
    t = time.perf_counter()
    for i in range(incidents):
        flush(i, "critical")
    unchanged = (time.perf_counter() - t) / incidents
    t = time.perf_counter()
    await engine.run_due()
    scan = time.perf_counter() - t
    t = time.perf_counter()
    engine.next_due()
    next_due = time.perf_counter() - t
    clock.advance(60_000)
    t = time.perf_counter()
    await engine.run_due()
    escalate = (time.perf_counter() - t) / incidents
    assert all(c["status"] == "major_outage" for c in engine.component_states())
    print(f"observe, no incident:   {quiet * 1e6:8.0f} us/flush ({groups} groups)")
    print(f"observe, open:          {opening * 1e3:8.2f} ms/incident ({incidents} incidents)")
    print(f"observe, unchanged:     {unchanged * 1e6:8.0f} us/flush")
    print(f"run_due, nothing due:   {scan * 1e3:8.1f} ms for {incidents} open incidents")
    print(f"next_due:               {next_due * 1e3:8.1f} ms for {incidents} open incidents")
    print(f"escalate one step:      {escalate * 1e3:8.2f} ms/incident (status page target)")
    await notifier.aclose()
    store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=500)
    parser.add_argument("--groups", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        asyncio.run(run(args.incidents, args.groups, Path(d)))


if __name__ == "__main__":
    main()
