"""Backfill a data set into Prometheus's and erpmon's stores, run each server over it, query it.

Servers listen on free 127.0.0.1 ports, log to a file next to their data, and are ready when
`/-/ready` answers 200. Each server needs its own copy of a store: both write into it (WAL, lock,
compactions).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from erpmon.promql.testing._compare import Outcome
from erpmon.promql.testing._evaluations import Evaluation

CONFIG = "# No scrape jobs: the data comes from a backfill.\nscrape_configs: []\n"
READY_TIMEOUT_S = 90.0


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise ServerError(f"{what} failed ({done.returncode}): {' '.join(argv)}\n{done.stderr[-2000:]}")


def backfill_prometheus(openmetrics: Path, out: Path, promtool: str = "promtool") -> None:
    _run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", str(openmetrics), str(out)], "promtool"
    )


def backfill_erpmon(openmetrics: Path, out: Path, python: str = sys.executable) -> None:
    argv = [
        python,
        "-m",
        "erpmon",
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        "-q",
        str(openmetrics),
        str(out),
    ]
    _run(argv, "erpmon backfill")


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes] = field(repr=False)

    def log_tail(self, lines: int = 30) -> str:
        self.log_file.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def _launch(name: str, argv: list[str], workdir: Path, port: int) -> Server:
    log_path = workdir / f"{name}.log"
    log = log_path.open("ab")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir)
    return Server(name, f"http://127.0.0.1:{port}", proc, log_path, log)


def _wait_ready(server: Server, timeout: float) -> bool:
    """True once /-/ready answers 200; False if the process exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            return False
        try:
            if httpx.get(server.url + "/-/ready", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise ServerError(f"{server.name} not ready after {timeout:.0f} s:\n{server.log_tail()}")


def start_server(name: str, argv_for: list[str], workdir: Path, timeout: float = READY_TIMEOUT_S) -> Server:
    """Start `argv_for` (with `{address}` in place of the listen address) until it holds a port."""
    workdir.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        port = free_port()
        argv = [a.replace("{address}", f"127.0.0.1:{port}") for a in argv_for]
        server = _launch(name, argv, workdir, port)
        if _wait_ready(server, timeout):
            return server
        server.stop()
        if "address already in use" not in server.log_tail(200):
            break
    raise ServerError(f"{name} exited ({server.proc.returncode}): {' '.join(argv)}\n{server.log_tail()}")


def start_prometheus(
    data: Path, workdir: Path, binary: str = "prometheus", name: str = "prometheus"
) -> Server:
    config = workdir / f"{name}.yml"
    workdir.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG)
    argv = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={data}",
        "--storage.tsdb.retention.time=100y",
        "--web.listen-address={address}",
        "--log.level=warn",
    ]
    return start_server(name, argv, workdir)


def start_erpmon(data: Path, workdir: Path, python: str = sys.executable, name: str = "erpmon") -> Server:
    config = workdir / f"{name}.yml"
    workdir.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG)
    argv = [
        python,
        "-m",
        "erpmon",
        "up",
        f"--config.file={config}",
        f"--storage.tsdb.path={data}",
        "--storage.tsdb.retention.time=100y",
        "--web.listen-address={address}",
        "--no-collector.host",
        "--log.level=warn",
    ]
    return start_server(name, argv, workdir)


class QueryClient:
    """GETs /api/v1/query and /api/v1/query_range of one server; safe to share between threads."""

    def __init__(self, name: str, url: str, timeout: float = 60.0) -> None:
        self.name = name
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=timeout, limits=httpx.Limits(max_connections=16))

    def query(self, evaluation: Evaluation, expr: str) -> Outcome:
        try:
            response = self._http.get(evaluation.path, params=evaluation.params(expr))
        except httpx.HTTPError as err:
            return Outcome.transport_error(err)
        return Outcome.from_response(response)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> QueryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
