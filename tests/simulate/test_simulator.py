"""The simulator against a real `erpmon erpgo serve`: customers sign in, browse, order and pay;
scenarios switch ERPGo's faults and attackers on and off; and the demo's configuration is valid."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.support import ERPMON, free_port

from erpmon.alerting.config import load_alertmanager_config
from erpmon.cli._demo import write_demo_config
from erpmon.config import load_prometheus_config
from erpmon.health import load_checks_config
from erpmon.incidents.config import load_incidents_config
from erpmon.packs.erpgo import erpgo_pack_dir
from erpmon.simulate import NOT_SIMULATED, SCENARIOS, Simulator


@pytest.fixture
def erpgo(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [*ERPMON, "erpgo", "serve", f"--listen=127.0.0.1:{port}",
         f"--database-url=sqlite:///{tmp_path / 'e.db'}", "--fault-key=test-key"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "erpgo did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


def total(url: str, name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples(url).items() if n == name and set(labels.items()) <= set(ls))


async def test_traffic_and_scenarios(erpgo: str) -> None:
    sim = Simulator(erpgo, fault_key="test-key", visits_per_s=20.0, speed=1000.0, users=5, seed=7)
    runner = asyncio.get_running_loop().create_task(sim.run())
    try:
        await asyncio.sleep(3)
        await sim.back_office()
        assert sim.stats.visits > 10 and sim.stats.orders > 0
        assert total(erpgo, "erpgo_orders_created_total") == sim.stats.orders
        assert total(erpgo, "erpgo_orders_completed_total") > 0
        assert total(erpgo, "erpgo_product_views_total") > 0
        assert total(erpgo, "erpgo_page_load_duration_seconds_count") > 0

        await sim.inject("error_spike")
        await asyncio.sleep(2)
        assert total(erpgo, "erpgo_http_requests_total", status_code="500") > 0
        await sim.inject("brute_force")
        await asyncio.sleep(2)
        assert total(erpgo, "erpgo_auth_failures_by_ip_total", ip="203.0.113.66") > 5
        assert sorted(sim.active) == ["brute_force", "error_spike"]
        await sim.clear()
        before = total(erpgo, "erpgo_http_requests_total", status_code="500")
        await asyncio.sleep(1.5)
        assert total(erpgo, "erpgo_http_requests_total", status_code="500") == before
        assert httpx.get(f"{erpgo}/api/v1/admin/faults").json()["error_rate"] == 0.0
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await sim.aclose()


def test_every_pack_alert_is_simulated_or_says_why() -> None:
    import yaml

    alerts = {
        rule["alert"]
        for path in (erpgo_pack_dir() / "rules").glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }
    simulated = {a for s in SCENARIOS.values() for a in s.alerts}
    predicted = {a for a in alerts if a.startswith("Predicted") and a.endswith("CapacityIssue")}
    explained = (alerts & set(NOT_SIMULATED)) | (
        predicted if "Predicted*CapacityIssue" in NOT_SIMULATED else set()
    )
    assert alerts - simulated - explained == set()
    assert simulated <= alerts, simulated - alerts


def test_the_demo_configuration_is_valid(tmp_path: Path) -> None:
    files = write_demo_config(tmp_path, "127.0.0.1:9090", "127.0.0.1:8080", "key")
    prom = load_prometheus_config(files["prometheus.yml"])
    assert [j.job_name for j in prom.scrape_configs] == ["erpgo-api", "node", "erpmon"]
    am = load_alertmanager_config(files["alertmanager.yml"])
    assert all(i.kind == "webhook" for r in am.receivers for i in r.integrations)
    incidents = load_incidents_config(files["incidents.yml"], receivers=[r.name for r in am.receivers])
    assert incidents.actions["restart_services"].http is not None
    checks = load_checks_config(files["checks.yml"], overrides={"ERPGO_URL": "http://127.0.0.1:8080"})
    assert {c.type for c in checks.checks} == {"host", "http", "metrics"}
    assert files["token"].stat().st_mode & 0o777 == 0o600
