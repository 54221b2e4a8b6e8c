"""The embedded Alertmanager in a real `erpmon up`: restarts after SIGKILL and receivers that fail."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import httpx
from tests.support import free_port

from erpmon.alerting.testing import collector

CONFIG = """\
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{{url: "{url}"}}]
"""

ALERT = [{"labels": {"alertname": "DiskFull", "instance": "db1"}, "annotations": {"summary": "full"}}]


def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_no_duplicate_notification_and_silences_kept_after_sigkill(tmp_path: Path, start_erpmon) -> None:  # type: ignore[no-untyped-def]
    with collector() as (col, url):
        cfg = tmp_path / "am.yml"
        cfg.write_text(CONFIG.format(url=url))
        port = free_port()
        args = (f"--alertmanager.config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'data'}")
        first = start_erpmon(*args, port=port)
        httpx.post(first.url + "/api/v2/alerts", json=ALERT).raise_for_status()
        wait_for(lambda: len(col.bodies) == 1, what="the first notification")
        silence = {
            "matchers": [{"name": "alertname", "value": "Other", "isRegex": False}],
            "startsAt": "2020-01-01T00:00:00Z",
            "endsAt": "2099-01-01T00:00:00Z",
            "createdBy": "test",
            "comment": "kept across restarts",
        }
        sid = httpx.post(first.url + "/api/v2/silences", json=silence).json()["silenceID"]
        first.stop(signal.SIGKILL)

        second = start_erpmon(*args, port=port)
        # Prometheus resends firing alerts after a restart; the group is rebuilt and flushes again.
        httpx.post(second.url + "/api/v2/alerts", json=ALERT).raise_for_status()
        time.sleep(4.0)  # group_wait + an interval: the flush has happened
        assert len(col.bodies) == 1, "the restarted server notified the same group again"
        kept = httpx.get(f"{second.url}/api/v2/silence/{sid}").json()
        assert kept["comment"] == "kept across restarts"
        assert kept["status"]["state"] == "active"


def test_failing_receiver_is_retried_and_counted(tmp_path: Path, start_erpmon) -> None:  # type: ignore[no-untyped-def]
    with collector() as (col, url):
        col.fail_first = 2
        cfg = tmp_path / "am.yml"
        cfg.write_text(CONFIG.format(url=url))
        server = start_erpmon(f"--alertmanager.config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'data'}")
        httpx.post(server.url + "/api/v2/alerts", json=ALERT).raise_for_status()
        wait_for(lambda: len(col.bodies) == 1, what="delivery after retries")
        metrics = server.get("/metrics").text
        failed = re.search(
            r'erpmon_notification_requests_failed_total\{integration="webhook"\} (\S+)', metrics
        )
        assert failed is not None and float(failed.group(1)) >= 2
        assert server.proc.poll() is None


def test_unreachable_receiver_counts_failures_and_keeps_running(tmp_path: Path, start_erpmon) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "am.yml"
    cfg.write_text(CONFIG.format(url=f"http://127.0.0.1:{free_port()}/down").replace("2s", "1s"))
    server = start_erpmon(f"--alertmanager.config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'data'}")
    httpx.post(server.url + "/api/v2/alerts", json=ALERT).raise_for_status()

    def failed() -> float:
        m = re.search(
            r'erpmon_notifications_failed_total\{integration="webhook",reason="(\w+)"\} (\S+)',
            server.get("/metrics").text,
        )
        return float(m.group(2)) if m else 0.0

    wait_for(lambda: failed() >= 1, timeout=30, what="a counted failed notification")
    assert server.get("/-/healthy").status_code == 200
