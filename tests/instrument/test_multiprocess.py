"""Several uvicorn workers, one /metrics: prometheus_client's multiprocess mode merges every
worker's counters, so the totals are the requests served, whichever worker answers the scrape."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.support import free_port

APP = """\
import os
from fastapi import FastAPI
from erpmon.instrument import ERPGoMetrics, ERPGoMiddleware, metrics_endpoint

metrics = ERPGoMetrics()
app = FastAPI()


@app.get("/api/v1/orders/{order_id}")
async def order(order_id: int) -> dict[str, int]:
    metrics.order_created(10.0)
    metrics.set_database_state(orders_pending=7)
    return {"pid": os.getpid()}


app.add_route("/metrics", metrics_endpoint)
app.add_middleware(ERPGoMiddleware, metrics=metrics, log_requests=False)
"""


def sample(text: str, prefix: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def test_two_workers_one_exposition(tmp_path: Path) -> None:
    (tmp_path / "erpgo_app.py").write_text(APP)
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    port = free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "PYTHONPATH": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "erpgo_app:app", "--workers", "2", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        pids: set[int] = set()
        sent = 0
        while len(pids) < 2 or sent < 20:
            assert time.monotonic() < deadline, f"workers seen: {pids}"
            try:
                # a new connection each time, so the kernel spreads them over the workers
                pids.add(httpx.get(f"{url}/api/v1/orders/{sent}", timeout=5).json()["pid"])
                sent += 1
            except httpx.HTTPError:
                time.sleep(0.2)
        for _ in range(3):  # whichever worker answers, it answers for both
            text = httpx.get(f"{url}/metrics", timeout=5).text
            labels = 'endpoint="/api/v1/orders/{order_id}",method="GET",status_code="200"'
            requests = f"erpgo_http_requests_total{{{labels}}}"
            assert sample(text, requests) == sent
            assert sample(text, "erpgo_orders_created_total ") == sent
            assert sample(text, "erpgo_order_value_total ") == sent * 10.0
            assert sample(text, "erpgo_orders_pending ") == 7  # the most recent value, not a sum
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        assert proc.stderr is not None
        proc.stderr.close()
