"""A real `erpmon up` runs a check that flips from healthy to failing and back: probe_success
follows, the pack's ServiceDown alert fires and notifies, then resolves (a time-compressed
profile: 1 s scrapes, evaluations and check interval, `for` shortened to 2 s)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from tests.health.conftest import App
from tests.support import free_port

from erpmon.alerting.testing import collector
from erpmon.packs.erpgo import erpgo_pack_dir


def wait_for(predicate: Any, timeout: float = 40.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_failing_check_fires_then_resolves_service_down(
    tmp_path: Path, app: App, start_erpmon: Any
) -> None:
    rules = yaml.safe_load((erpgo_pack_dir() / "rules" / "health-alerts.yml").read_text())
    for rule in rules["groups"][0]["rules"]:
        rule["for"] = "2s"
    (tmp_path / "health-alerts.yml").write_text(yaml.safe_dump(rules))
    port = free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: ['{tmp_path / 'health-alerts.yml'}']\n"
        f"scrape_configs:\n  - job_name: erpmon\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
    )
    (tmp_path / "checks.yml").write_text(
        f"checks:\n  - {{name: api-health, type: http, url: '{app.url}/health', interval: 1s, timeout: 1s}}\n"
    )
    with collector() as (hooks, url):
        (tmp_path / "am.yml").write_text(
            "route: {receiver: hook, group_wait: 0s, group_interval: 1s, repeat_interval: 1h}\n"
            f"receivers: [{{name: hook, webhook_configs: [{{url: '{url}'}}]}}]\n"
        )
        server = start_erpmon(
            f"--config.file={tmp_path / 'prometheus.yml'}", f"--checks.config.file={tmp_path / 'checks.yml'}",
            f"--alertmanager.config.file={tmp_path / 'am.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
            port=port,
        )  # fmt: skip

        def probe_success() -> str | None:
            result = server.get("/api/v1/query", params={"query": 'probe_success{check="api-health"}'}).json()
            found = result["data"]["result"]
            return found[0]["value"][1] if found else None

        wait_for(lambda: probe_success() == "1", what="probe_success 1")
        app.behaviour.status = 503
        wait_for(lambda: probe_success() == "0", what="probe_success 0")
        firing = wait_for(
            lambda: [b for _, b in hooks.bodies if b["status"] == "firing"],
            what="the ServiceDown notification",
        )
        alert = firing[0]["alerts"][0]
        assert alert["labels"]["alertname"] == "ServiceDown" and alert["labels"]["check"] == "api-health"
        assert alert["labels"]["severity"] == "critical"
        checks = httpx.get(server.url + "/api/v1/checks").json()["data"]["checks"]
        assert checks[0]["last_error"] == "HTTP 503, want 2xx"

        app.behaviour.status = 200
        wait_for(
            lambda: [b for _, b in hooks.bodies if b["status"] == "resolved"],
            what="the resolved notification",
        )
        alerts = server.get("/api/v1/alerts").json()["data"]["alerts"]
        assert not [a for a in alerts if a["labels"]["alertname"] == "ServiceDown"]
        assert 'probe_http_status_code{check="api-health"} 200.0' in httpx.get(server.url + "/metrics").text
