"""`erpmon demo` (what `make run` runs) starts ERPGo and erpmon, answers on its listen address,
scrapes ERPGo, serves the inbox, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
from tests.support import ERPMON, free_port


def test_the_demo_starts_answers_and_stops(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [*ERPMON, "demo", f"--web.listen-address=127.0.0.1:{port}", f"--data-dir={tmp_path / 'demo'}",
         "--fault-duration=0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        targets: list[dict[str, str]] = []
        while time.monotonic() < deadline:
            try:
                data = httpx.get(f"{base}/api/v1/targets", timeout=2).json()["data"]["activeTargets"]
                targets = [t for t in data if t["health"] == "up"]
                if {t["labels"]["job"] for t in targets} == {"erpgo-api", "node", "erpmon"}:
                    break
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            time.sleep(0.5)
        assert {t["labels"]["job"] for t in targets} == {"erpgo-api", "node", "erpmon"}
        assert httpx.get(f"{base}/api/v1/notifications").json()["status"] == "success"
        assert "Notifications" in httpx.get(f"{base}/notifications").text
        assert httpx.get(f"{base}/status.json").json()["status"]["indicator"] in (
            "none",
            "minor",
            "major",
            "critical",
        )
        assert {"api-health", "host"} <= {
            c["name"] for c in httpx.get(f"{base}/api/v1/checks").json()["data"]["checks"]
        }
        for name in ("prometheus.yml", "alertmanager.yml", "incidents.yml", "checks.yml"):
            assert (tmp_path / "demo" / name).is_file()
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert f"{base}/notifications" in out and "erpmon demo: stopped." in out
