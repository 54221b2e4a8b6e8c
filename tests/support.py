"""Helpers shared by test folders (fixtures live in the conftest.py files)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

ERPMON = [sys.executable, "-m", "erpmon"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def need_binary(name: str) -> str:
    """The path of a reference binary (promtool, prometheus...), or skip saying how to get it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not on PATH (apt-get install prometheus; .ci/run does)")
    return path


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path
    log_file: IO[bytes]

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=5, **kw)

    def post(self, path: str) -> httpx.Response:
        return httpx.post(self.url + path, timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, predicate: Any, timeout: float = 30.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"erpmon exited with {self.proc.returncode}:\n{self.log()}")
            try:
                result = predicate()
            except httpx.HTTPError:
                result = None
            if result:
                return result
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode


@pytest.fixture
def start_erpmon(tmp_path: Path) -> Iterator[Any]:
    """Start `erpmon up` subprocesses (killed at teardown); import this fixture into a conftest."""
    started: list[Server] = []

    def start(*args: str, port: int | None = None) -> Server:
        port = port or free_port()
        log_path = tmp_path / f"erpmon-{len(started)}.log"
        log = log_path.open("wb")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        proc = subprocess.Popen(
            [*ERPMON, "up", f"--web.listen-address=127.0.0.1:{port}", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        server = Server(proc, f"http://127.0.0.1:{port}", log_path, log)
        started.append(server)
        server.wait_until(lambda: server.get("/-/ready").status_code == 200, what="/-/ready")
        return server

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
        s.log_file.close()


class DrainingController(Controller):
    """A Controller whose stop() first waits for every session's connection_lost.

    Otherwise stopping right after the client's QUIT can halt the server loop before it closes its
    end, and the orphaned socket surfaces later as a ResourceWarning in some unrelated test.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        server = super().factory()
        self.sessions.append(server)
        return server

    def stop(self, no_assert: bool = False) -> None:
        deadline = time.monotonic() + 5
        while any(s.transport is not None for s in self.sessions) and time.monotonic() < deadline:
            time.sleep(0.01)
        super().stop(no_assert)
