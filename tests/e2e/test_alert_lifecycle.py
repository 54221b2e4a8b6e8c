"""An alert's whole life in the real server: scrape a changing target, pending, firing, restart, resolved."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.support import Server


class Target:
    """A real HTTP target on 127.0.0.1 whose `erpgo_queue_depth` the test sets."""

    def __init__(self) -> None:
        self.value = 5.0
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = f'# TYPE erpgo_queue_depth gauge\nerpgo_queue_depth{{queue="orders"}} {target.value}\n'
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target() -> Iterator[Target]:
    t = Target()
    try:
        yield t
    finally:
        t.close()


RULES = """
groups:
  - name: queues
    interval: 1s
    rules:
      - alert: QueueBacklog
        expr: erpgo_queue_depth > 100
        for: 4s
        labels:
          severity: warning
        annotations:
          summary: "Queue {{ $labels.queue }} holds {{ $value | humanize }} items"
"""


def _alerts(server: Server) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = server.get("/api/v1/alerts").json()["data"]["alerts"]
    return data


def _state(server: Server) -> str | None:
    alerts = _alerts(server)
    return alerts[0]["state"] if alerts else None


def _active_at(alert: dict[str, Any]) -> float:
    return datetime.fromisoformat(alert["activeAt"].replace("Z", "+00:00")).timestamp()


def test_alert_pending_firing_survives_kill_and_resolves(
    start_erpmon: Any, target: Target, tmp_path: Path
) -> None:
    (tmp_path / "rules.yml").write_text(RULES)
    config = tmp_path / "prometheus.yml"
    config.write_text(
        f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: erpgo
    static_configs:
      - targets: ["{target.address}"]
"""
    )
    args = (
        f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'data'}",
        "--storage.tsdb.wal-fsync=always",
        "--rules.alert.for-grace-period=1s",
    )
    server = start_erpmon(*args)
    server.wait_until(lambda: server.get("/api/v1/rules").json()["data"]["groups"], what="rules loaded")
    target.value = 250
    server.wait_until(lambda: _state(server) == "pending", what="pending")
    [pending] = _alerts(server)
    assert pending["labels"] == {
        "alertname": "QueueBacklog",
        "instance": target.address,
        "job": "erpgo",
        "queue": "orders",
        "severity": "warning",
    }
    assert pending["annotations"] == {"summary": "Queue orders holds 250 items"}
    assert pending["value"] == "2.5e+02"
    server.wait_until(lambda: _state(server) == "firing", what="firing")
    [firing] = _alerts(server)
    assert _active_at(firing) == _active_at(pending)

    result = server.get("/api/v1/query", params={"query": "ALERTS"}).json()["data"]["result"]
    assert [r["metric"]["alertstate"] for r in result] == ["firing"]
    rules = server.get("/api/v1/rules", params={"type": "alert"}).json()["data"]["groups"][0]["rules"]
    assert rules[0]["state"] == "firing" and rules[0]["health"] == "ok"

    assert server.stop(signal.SIGKILL) == -signal.SIGKILL
    restarted = start_erpmon(*args)
    # Two evaluations after the start the for-state is restored: still firing, same active-since.
    restarted.wait_until(lambda: _state(restarted) == "firing", timeout=40, what="firing again")
    [again] = _alerts(restarted)
    assert int(_active_at(again)) == int(_active_at(firing))

    target.value = 3
    restarted.wait_until(lambda: _alerts(restarted) == [], what="resolved")
    rules = restarted.get("/api/v1/rules").json()["data"]["groups"][0]["rules"]
    assert rules[0]["state"] == "inactive"


def test_rules_reload_with_the_config_and_a_bad_file_keeps_the_old_ones(
    start_erpmon: Any, target: Target, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(RULES)
    config = tmp_path / "prometheus.yml"
    config.write_text(
        f"""
global:
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: erpgo
    scrape_interval: 1s
    static_configs:
      - targets: ["{target.address}"]
"""
    )
    server = start_erpmon(
        f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}", "--web.enable-lifecycle"
    )

    def rule_names() -> list[str]:
        groups = server.get("/api/v1/rules").json()["data"]["groups"]
        return [r["name"] for g in groups for r in g["rules"]]

    assert rule_names() == ["QueueBacklog"]
    rules.write_text(RULES + "      - record: queue:depth:max\n        expr: max(erpgo_queue_depth)\n")
    assert server.post("/-/reload").status_code == 200
    assert rule_names() == ["QueueBacklog", "queue:depth:max"]
    server.wait_until(
        lambda: server.get("/api/v1/query", params={"query": "queue:depth:max"}).json()["data"]["result"],
        what="recorded series",
    )

    rules.write_text("groups:\n  - name: broken\n    rules:\n      - record: x\n        expr: sum(\n")
    response = server.post("/-/reload")
    assert response.status_code == 500
    assert "could not parse expression" in response.text and "rules.yml" in response.text
    assert rule_names() == ["QueueBacklog", "queue:depth:max"]
    metrics = server.get("/metrics").text
    assert 'erpmon_rule_group_rules{rule_group="' in metrics
