"""checks.yml errors, the health score formula, the runner's metrics and state, /api/v1/checks, and
`erpmon check system|app|all`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from starlette.applications import Starlette
from tests.health.conftest import App
from tests.support import ERPMON

from erpmon.config import ConfigError
from erpmon.health import HealthRunner, ScoreConfig, health_score, parse_checks_config
from erpmon.packs.erpgo import checks_config
from erpmon.web._checks_api import checks_routes


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        ("checks:\n  - {name: a, type: ftp}\n", ":2:21:", "unknown check type 'ftp'"),
        ("checks:\n  - {name: a, type: http}\n", ":2:5:", "http check 'a' needs url"),
        ("checks:\n  - {name: a, type: tcp, address: 'x:1', url: 'y'}\n", ":2:", "url"),
        (
            "checks:\n  - {name: a, type: http, url: 'u', interval: soon}\n",
            ":2:",
            'not a valid duration string: "soon"',
        ),
        ("checks:\n  - {name: a, type: http, url: 'u', body_regex: '('}\n", ":2:", "invalid body_regex"),
        (
            "checks:\n  - {name: a, type: http, url: 'u'}\n  - {name: a, type: tcp, address: 'h:1'}\n",
            ":3:",
            "defined twice",
        ),
        (
            "checks:\n  - {name: a, type: tcp, address: 'h:1', severity: fatal}\n",
            ":2:",
            "severity must be critical or warning",
        ),
    ],
)
def test_config_errors_name_the_problem(text: str, where: str, reason: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_checks_config(text, "checks.yml")
    assert f"checks.yml{where}" in str(exc.value) and reason in str(exc.value), str(exc.value)


def test_the_plans_health_score() -> None:
    cfg = ScoreConfig()
    assert health_score({"cpu_percent": 10, "memory_percent": 10, "disk_percent": 10}, cfg).value == 100
    s = health_score({"cpu_percent": 81, "memory_percent": 86, "disk_percent": 10}, cfg)
    assert (s.value, s.band) == (65, "Needs Attention")
    assert health_score({"cpu_percent": 81, "memory_percent": 10, "disk_percent": 10}, cfg).band == "Good"
    assert health_score({"cpu_percent": 80, "memory_percent": 85, "disk_percent": 85}, cfg).value == 100
    assert health_score({"disk_percent": 90}, cfg).value == 75
    custom = parse_checks_config(
        "score:\n  penalties: [{metric: disk, above: 50, minus: 60}]\n"
        "  bands: [{min: 50, name: Fine}, {min: 0, name: Bad}]\n"
    ).score
    s = health_score({"cpu_percent": 99, "disk_percent": 51}, custom)
    assert (s.value, s.band) == (40, "Bad")


async def test_metrics_state_and_api(app: App) -> None:
    registry = CollectorRegistry()
    cfg = parse_checks_config(
        f"checks:\n  - {{name: api, type: http, url: '{app.url}/health'}}\n"
        "  - {name: host, type: host, cpu_warning: 101, memory_warning: 101, disk_warning: 101,"
        " load_warning: 999}\n"
    )
    runner = HealthRunner(cfg, registry=registry)
    await runner.run_all()
    app.behaviour.status = 500
    await runner.run_check(cfg.checks[0])
    text = generate_latest(registry).decode()
    assert 'probe_success{check="api",type="http"} 0.0' in text
    assert 'probe_http_status_code{check="api"} 500.0' in text
    assert 'erpmon_check_status{check="api",type="http"} 2.0' in text
    assert 'erpmon_check_runs_total{check="api",status="ok"} 1.0' in text
    assert 'erpmon_check_consecutive_failures{check="api"} 1.0' in text
    assert 'probe_success{check="host",type="host"} 1.0' in text
    assert "erpgo_system_health_score " in text and "erpgo_system_health_band{band=" in text
    api = Starlette(routes=checks_routes(runner))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://erpmon") as c:
        data = (await c.get("/api/v1/checks")).json()["data"]
    by_name = {v["name"]: v for v in data["checks"]}
    assert by_name["api"]["status"] == "critical" and by_name["api"]["last_error"] == "HTTP 500, want 2xx"
    assert by_name["api"]["last_success"] is not None and by_name["host"]["status"] == "ok"
    assert data["health_score"]["band"] in ("Excellent", "Good", "Needs Attention")


async def test_a_reload_keeps_unchanged_checks(app: App) -> None:
    cfg = parse_checks_config(f"checks:\n  - {{name: api, type: http, url: '{app.url}/'}}\n")
    runner = HealthRunner(cfg)
    await runner.run_all()
    state = runner.states["api"]
    new = parse_checks_config(
        f"checks:\n  - {{name: api, type: http, url: '{app.url}/'}}\n"
        "  - {name: t, type: tcp, address: 'h:1'}\n"
    )
    await runner.apply_config(new)
    assert runner.states["api"] is state and set(runner.states) == {"api", "t"}
    await runner.apply_config(parse_checks_config("checks: []\n"))
    assert runner.states == {}


def test_the_pack_checks_are_valid() -> None:
    cfg = parse_checks_config(checks_config().read_text(), overrides={"ERPGO_URL": "http://erpgo.test"})
    urls = {c.name: c.options.get("url") for c in cfg.checks}
    assert urls["api-health"] == "http://erpgo.test/health"
    assert urls["payment-gateway"] == "http://erpgo.test/api/v1/health/external/payment-gateway"
    assert {c.type for c in cfg.checks} == {"host", "http", "metrics", "postgres", "redis"}
    assert cfg.by_name("api-users").options["expect_status"] == (200, 401)  # type: ignore[union-attr]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ERPMON, "check", *args], capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_exit_codes_and_json(app: App, tmp_path: Path) -> None:
    cfg = tmp_path / "checks.yml"
    cfg.write_text(
        "checks:\n"
        "  - {name: api-health, type: http, url: '${ERPGO_URL}/health', max_latency: 1s}\n"
        "  - {name: email-service, type: http, url: '${ERPGO_URL}/api/v1/health/external/email-service',"
        " json_field: status, json_equals: healthy, severity: warning}\n"
    )
    ok = _cli("app", f"--config.file={cfg}", f"--url={app.url}")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK    api-health (http)" in ok.stdout and "Overall: ok" in ok.stdout
    app.behaviour.body = b'{"status": "down"}'
    warn = _cli("app", f"--config.file={cfg}", f"--url={app.url}", "-o", "json")
    assert warn.returncode == 1
    doc = json.loads(warn.stdout)
    assert doc["status"] == "warning"
    assert [c["status"] for c in doc["checks"]] == ["ok", "warning"]
    app.behaviour.status = 503
    crit = _cli("all", f"--config.file={cfg}", f"--url={app.url}")
    assert crit.returncode == 2 and "CRIT  api-health (http)     HTTP 503, want 2xx" in crit.stdout
    system = _cli("system", "-o", "json")
    assert system.returncode in (0, 1, 2)
    doc = json.loads(system.stdout)
    assert [c["type"] for c in doc["checks"]] == ["host"]
    assert doc["health_score"]["band"] in ("Excellent", "Good", "Needs Attention")
    bad = tmp_path / "bad.yml"
    bad.write_text("checks:\n  - {name: a, type: ftp}\n")
    broken = _cli("all", f"--config.file={bad}")
    assert broken.returncode == 3 and "unknown check type 'ftp'" in broken.stderr
