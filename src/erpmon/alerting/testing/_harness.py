"""Drive the real Alertmanager 0.25 and erpmon with one config and one scripted alert timeline.

Both systems notify local webhook collectors; the batches they deliver (receiver, group key, alert
set and statuses, arrival time) are compared by the differential test and timed by the benchmark.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx


@dataclass(frozen=True)
class Batch:
    at: float  # seconds since the script started
    receiver: str
    group_key: str
    status: str
    alerts: tuple[tuple[tuple[tuple[str, str], ...], str], ...]  # (sorted labels, status), sorted

    def key(self) -> tuple[object, ...]:
        return (self.receiver, self.group_key, self.status, self.alerts)


@dataclass
class Collector:
    """A webhook receiver on 127.0.0.1 recording every JSON body with its arrival time."""

    start: float = 0.0
    fail_first: int = 0
    bodies: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: int = 0

    def batches(self) -> list[Batch]:
        out = []
        for at, body in self.bodies:
            alerts = tuple(sorted((tuple(sorted(a["labels"].items())), a["status"]) for a in body["alerts"]))
            out.append(Batch(at - self.start, body["receiver"], body["groupKey"], body["status"], alerts))
        return out


class _Server(ThreadingHTTPServer):
    # A flush of a thousand groups opens a thousand connections at once; the default backlog
    # of 5 makes the kernel reset most of them.
    request_queue_size = 1024
    daemon_threads = True


@contextmanager
def collector() -> Iterator[tuple[Collector, str]]:
    col = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with col.lock:
                col.attempts += 1
                if col.attempts <= col.fail_first:
                    self.send_response(503)
                    self.end_headers()
                    return
                col.bodies.append((time.monotonic(), json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield col, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def alertmanager_binary() -> str:
    """Debian installs Alertmanager as `prometheus-alertmanager`; upstream builds call it `alertmanager`."""
    for name in ("prometheus-alertmanager", "alertmanager"):
        path = shutil.which(name)
        if path is not None:
            return path
    raise FileNotFoundError("alertmanager not found (apt-get install prometheus-alertmanager; .ci/run does)")


@contextmanager
def real_alertmanager(config: Path, tmp: Path, external_url: str) -> Iterator[str]:
    port = free_port()
    log = (tmp / "alertmanager.log").open("wb")
    proc = subprocess.Popen(
        [
            alertmanager_binary(),
            f"--config.file={config}",
            f"--storage.path={tmp / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            f"--web.external-url={external_url}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url + "/-/ready", proc)
        yield url
    finally:
        proc.kill()
        proc.wait()
        log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


def rfc3339(t: float) -> str:
    ms = round(t * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


@dataclass(frozen=True)
class Step:
    at: float
    alerts: Sequence[dict[str, Any]] = ()
    silence: dict[str, Any] | None = None


def run_script(
    urls: Sequence[str], steps: Sequence[Step], *, until: float, on_start: Callable[[float], None]
) -> float:
    """Post each step's alerts and silences to every system at the same wall time; returns t0 (epoch)."""
    t0_mono = time.monotonic()
    t0 = time.time()
    on_start(t0_mono)
    with ThreadPoolExecutor(len(urls)) as pool, httpx.Client(timeout=5) as client:
        for step in steps:
            delay = step.at - (time.monotonic() - t0_mono)
            if delay > 0:
                time.sleep(delay)
            now = t0 + step.at
            alerts = [_absolute(a, t0, now, step.at) for a in step.alerts]
            silence = None if step.silence is None else _absolute_silence(step.silence, t0)

            def post(url: str, alerts: list[dict[str, Any]] = alerts, silence: Any = silence) -> None:
                if alerts:
                    client.post(url + "/api/v2/alerts", json=alerts).raise_for_status()
                if silence is not None:
                    client.post(url + "/api/v2/silences", json=silence).raise_for_status()

            list(pool.map(post, urls))
        rest = until - (time.monotonic() - t0_mono)
        if rest > 0:
            time.sleep(rest)
    return t0


def _absolute(alert: dict[str, Any], t0: float, now: float, at: float) -> dict[str, Any]:
    out = {"labels": alert["labels"], "annotations": alert.get("annotations", {})}
    out["startsAt"] = rfc3339(t0 + alert.get("starts", at))
    if "ends" in alert:
        out["endsAt"] = rfc3339(t0 + alert["ends"]) if alert["ends"] != "now" else rfc3339(now)
    return out


def _absolute_silence(s: dict[str, Any], t0: float) -> dict[str, Any]:
    return {
        "matchers": s["matchers"],
        "startsAt": rfc3339(t0 + s["starts"]),
        "endsAt": rfc3339(t0 + s["ends"]),
        "createdBy": "differential",
        "comment": "scripted",
    }
