"""Shared builders for the forwarder tests (configs from YAML, alerts, a running forwarder)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from erpmon.alerting import Alert
from erpmon.alerting.forward import AlertForwarder
from erpmon.alerting.testing import alertmanager_binary
from erpmon.config import PrometheusConfig, parse_prometheus_config
from erpmon.model import Labels

NS = 1_000_000_000


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def alerts(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(self.body)
        return data


@dataclass
class CaptureAM:
    """Answers every POST with `status` after `delay_s`, recording each request."""

    address: str = ""
    status: int = 200
    delay_s: float = 0.0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[Request]:
        with self.lock:
            return list(self.requests)

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= n:
                return got
            time.sleep(0.02)
        raise AssertionError(f"{self.address}: wanted {n} requests, got {len(self.received())}")


def prom_config(tmp_path: Path, text: str) -> PrometheusConfig:
    return parse_prometheus_config(text, filename=str(tmp_path / "prometheus.yml"))


def am_alert(name: str, start_s: float = 1_700_000_000.0, end_s: float | None = None, **labels: str) -> Alert:
    return Alert(
        labels=Labels({"alertname": name, **labels}),
        annotations=Labels.of(summary=f"about {name}"),
        starts_at=int(start_s * NS),
        ends_at=None if end_s is None else int(end_s * NS),
        generator_url="http://erpmon.example/graph?g0.expr=up&g0.tab=1",
    )


def forwarder(
    tmp_path: Path, text: str, registry: CollectorRegistry, queue_capacity: int = 10_000
) -> AlertForwarder:
    cfg = prom_config(tmp_path, text)
    return AlertForwarder(
        cfg.alerting,
        external_labels=cfg.global_config.external_labels,
        registry=registry,
        queue_capacity=queue_capacity,
        base_dir=str(tmp_path),
    )


@asynccontextmanager
async def running(fwd: AlertForwarder, stop_timeout_s: float = 5.0) -> AsyncIterator[None]:
    task = asyncio.create_task(fwd.run())
    try:
        yield
    finally:
        await fwd.stop(stop_timeout_s)
        await task


async def eventually(check: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def metric(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def need_alertmanager() -> str:
    """The Alertmanager binary under either of its names, or a skip on dev machines without it."""
    try:
        return alertmanager_binary()
    except FileNotFoundError as err:
        pytest.skip(str(err))
