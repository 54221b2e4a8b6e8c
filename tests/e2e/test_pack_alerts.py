"""Pack alerts end to end, in a time-compressed profile: the reference ERPGo under simulated
traffic, `erpmon up` with the pack's rules (range windows shortened to 20 s and `for` to 1 s,
1 s scrapes and evaluations) and the pack's routing to a real webhook collector. For each
scenario: inject it, the alert fires with its labels and reaches the routed receiver, the fault
stops and the alert resolves there too."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from tests.support import ERPMON, free_port

from erpmon.alerting.testing import collector
from erpmon.alerting.testing._harness import Collector
from erpmon.packs.erpgo import alertmanager_config, erpgo_pack_dir
from erpmon.simulate import Simulator

# Groups of (scenario, alert, severity), one erpmon + ERPGo stack per group so xdist runs them in
# parallel. Where a warning and a critical share a name, the scenario pushes past the critical.
GROUPS = {
    "outages": [
        ("application_down", "ApplicationDown", "critical"),
        ("error_spike", "HighErrorRate", "critical"),
        ("cache_miss_storm", "LowCacheHitRate", "warning"),
        ("database_saturation", "DatabaseConnectionIssues", "warning"),
    ],
    "security": [
        ("brute_force", "BruteForceAttack", "critical"),
        ("brute_force", "SuspiciousIPActivity", "warning"),
        ("brute_force", "HighAuthenticationFailureRate", "warning"),
        ("authz_burst", "HighAuthorizationFailureRate", "warning"),
        ("api_abuse", "APIAbuseDetected", "warning"),
    ],
    "performance": [
        ("latency_spike", "HighResponseTime", "warning"),
        ("slow_queries", "SlowQueries", "warning"),
        ("memory_growth", "APIHighMemoryUsage", "warning"),
    ],
    "frontend": [
        ("slow_frontend", "SlowPageLoad", "warning"),
        ("slow_frontend", "HighLayoutShift", "warning"),
        ("slow_frontend", "HighJavaScriptErrorRate", "warning"),
    ],
    "business": [
        ("order_backlog", "LowOrderCompletionRate", "warning"),
        ("order_backlog", "OrderProcessingBacklog", "warning"),
        ("revenue_drop", "RevenueDrop", "warning"),
        ("no_orders", "NoOrdersProcessed", "warning"),
    ],
}


def expected(alert: str, severity: str) -> tuple[dict[str, str], str]:
    """The labels the pack's rule gives the alert, and the receiver the pack's routing picks."""
    from erpmon.alerting.config import load_alertmanager_config
    from erpmon.model import Labels

    rule = next(
        r for path in (erpgo_pack_dir() / "rules").glob("*.yml")
        for g in yaml.safe_load(path.read_text())["groups"] for r in g["rules"]
        if r.get("alert") == alert and r["labels"]["severity"] == severity
    )  # fmt: skip
    labels = {"alertname": alert, **rule["labels"]}
    [route] = load_alertmanager_config(alertmanager_config()).route.match(Labels(labels))
    return labels, route.options.receiver


def compressed_rules(into: Path) -> None:
    """The pack's rules with windows of 20 s (30 s from an hour up), every `for` at 1 s and every
    group evaluated each second."""
    for path in (erpgo_pack_dir() / "rules").glob("*.yml"):
        text = path.read_text()
        text = re.sub(r"\[(\d+)([mh])\]", lambda m: "[30s]" if m.group(2) == "h" else "[20s]", text)
        text = re.sub(r"offset \d+[dhm]", "offset 30s", text)
        text = re.sub(r"(\n\s+for:) \S+", r"\1 1s", text)
        text = re.sub(r"(\n\s+interval:) \S+", r"\1 1s", text)  # groups that evaluate less often
        (into / path.name).write_text(text)


@pytest.fixture
def stack(tmp_path: Path, start_erpmon: Any) -> Iterator[tuple[str, Collector, Any]]:
    erpgo_port, port = free_port(), free_port()
    proc = subprocess.Popen(
        [*ERPMON, "erpgo", "serve", f"--listen=127.0.0.1:{erpgo_port}", "--fault-key=k",
         f"--database-url=sqlite:///{tmp_path / 'erpgo.db'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    rules = tmp_path / "rules"
    rules.mkdir()
    compressed_rules(rules)
    with collector() as (hooks, url):
        prom = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules / "*.yml")],
            "scrape_configs": [
                {"job_name": "erpgo-api", "static_configs": [{"targets": [f"127.0.0.1:{erpgo_port}"]}]},
            ],
        }
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(prom))
        am = yaml.safe_load(alertmanager_config().read_text())
        am["global"] = {"resolve_timeout": "5m"}
        am.pop("templates")
        am["route"].update(group_wait="0s", group_interval="1s")
        for route in am["route"].get("routes", []):
            route.update(group_wait="0s", group_interval="1s")
        am["receivers"] = [
            {"name": r["name"], "webhook_configs": [{"url": f"{url}?receiver={r['name']}"}]}
            for r in am["receivers"]
        ]
        (tmp_path / "am.yml").write_text(yaml.safe_dump(am))
        server = start_erpmon(
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--alertmanager.config.file={tmp_path / 'am.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}", port=port,
        )  # fmt: skip
        try:
            yield f"http://127.0.0.1:{erpgo_port}", hooks, server
        finally:
            proc.terminate()
            proc.wait(timeout=20)


async def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def notifications(
    hooks: Collector, alert: str, status: str, labels: dict[str, str], since: int = 0
) -> list[dict[str, Any]]:
    """Notifications carrying the alert in that status with those labels (a warning twin may come first)."""
    return [
        b for _, b in list(hooks.bodies)[since:]
        if any(a["labels"].get("alertname") == alert and a["status"] == status
               and labels.items() <= a["labels"].items() for a in b["alerts"])
    ]  # fmt: skip


@pytest.mark.parametrize("group", sorted(GROUPS))
async def test_scenarios_fire_route_and_resolve_the_pack_alerts(
    stack: tuple[str, Collector, Any], group: str
) -> None:
    erpgo, hooks, _server = stack
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{erpgo}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "erpgo did not start"
        await asyncio.sleep(0.2)
    sim = Simulator(erpgo, fault_key="k", visits_per_s=15.0, speed=1.0, users=8, seed=3)
    traffic = asyncio.get_running_loop().create_task(sim.run())
    try:
        await asyncio.sleep(25)  # a calm baseline fills the windows
        for scenario, alert, severity in GROUPS[group]:
            labels, receiver = expected(alert, severity)
            since = len(hooks.bodies)  # only what follows the injection counts
            await sim.inject(scenario)
            fired = await wait_for(
                lambda a=alert, ls=labels, n=since: notifications(hooks, a, "firing", ls, n),
                60,
                f"{alert} firing",
            )
            body = fired[0]
            assert body["receiver"] == receiver, (alert, body["receiver"])
            firing = next(a for a in body["alerts"] if a["labels"]["alertname"] == alert)
            assert labels.items() <= firing["labels"].items(), firing["labels"]
            await sim.clear(scenario)
            await wait_for(
                lambda a=alert, ls=labels, n=since: notifications(hooks, a, "resolved", ls, n),
                60,
                f"{alert} resolved",
            )
    finally:
        traffic.cancel()
        await asyncio.gather(traffic, return_exceptions=True)
        await sim.aclose()
