"""Running remediation and diagnostic actions: a command, an HTTP request or a Python entry point.

A command is an argument vector run without a shell; each element is a template rendered on its
own, so an alert's label value becomes (part of) one argument and can never become shell syntax.
Label values also reach every action as environment variables (`ERPMON_LABEL_<NAME>`). Each run has
a timeout (the process group is killed), captured output, and the action's environment. A Python
entry point runs in a child interpreter so that its timeout can be enforced the same way.

Cooldowns and rate limits are kept per action and target (the values of the action's key labels)
in the incident store, so a restart does not reset them and a flapping alert cannot restart a
service in a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from erpmon.incidents._store import IncidentStore
from erpmon.incidents.config import Action

MAX_OUTPUT = 16 * 1024
_ENV_NAME = re.compile(r"[^A-Za-z0-9_]")

Render = Callable[[str], str]


@dataclass(frozen=True)
class ActionResult:
    action: str
    kind: str
    ok: bool
    exit_code: int | None = None  # commands and Python entry points; HTTP gives the status here
    output: str = ""
    duration_s: float = 0.0
    skipped: str = ""  # cooldown, rate_limit or dry_run
    error: str = ""
    request: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        if self.skipped:
            return f"{self.action} skipped ({self.skipped})"
        verdict = "succeeded" if self.ok else "failed"
        detail = f"exit code {self.exit_code}" if self.exit_code is not None else self.error
        return f"{self.action} {verdict} ({detail}) in {self.duration_s:.2f}s"

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action, "action_kind": self.kind, "ok": self.ok, "exit_code": self.exit_code,
            "output": self.output, "duration_seconds": round(self.duration_s, 3), "skipped": self.skipped,
            "error": self.error, "request": dict(self.request),
        }  # fmt: skip


def action_key(action: Action, labels: Mapping[str, str], group_labels: Mapping[str, str]) -> str:
    """The target a cooldown applies to: the key labels' values, or the group labels."""
    if action.key_labels is None:
        return json.dumps(sorted(group_labels.items()))
    return json.dumps([[k, labels.get(k, "")] for k in action.key_labels])


def label_env(labels: Mapping[str, str]) -> dict[str, str]:
    return {"ERPMON_LABEL_" + _ENV_NAME.sub("_", k).upper(): v for k, v in labels.items()}


class ActionRunner:
    def __init__(
        self, store: IncidentStore, *, dry_run: bool = False, client: httpx.AsyncClient | None = None
    ):
        self._store = store
        self._dry_run = dry_run
        self._client = client

    async def run(
        self,
        action: Action,
        *,
        render: Render,
        env: Mapping[str, str],
        key: str,
        now_ms: int,
        check_limits: bool = True,
    ) -> ActionResult:
        if check_limits:
            blocked = self._limited(action, key, now_ms)
            if blocked:
                return ActionResult(action.name, action.kind, False, skipped=blocked)
        try:
            request = self._request(action, render)
        except Exception as err:  # a template error is the action's failure, not the engine's
            return ActionResult(action.name, action.kind, False, error=f"render: {err}")
        if self._dry_run or action.dry_run:
            return ActionResult(action.name, action.kind, True, skipped="dry_run", request=request)
        if check_limits:
            self._store.record_action_run(action.name, key, now_ms)
        started = time.monotonic()
        full_env = {**os.environ, **{k: render(v) for k, v in action.env.items()}, **env}
        if action.kind == "http":
            result = await self._http(action, request)
        else:
            argv = request["argv"]
            result = await self._process(action, argv, full_env, request.get("stdin", b""))
        return ActionResult(
            **{**result.__dict__, "duration_s": time.monotonic() - started, "request": request}
        )

    def _limited(self, action: Action, key: str, now_ms: int) -> str:
        if action.cooldown_ms and self._store.action_runs_since(
            action.name, key, now_ms - action.cooldown_ms
        ):
            return "cooldown"
        rate = action.rate_limit
        if (
            rate is not None
            and len(self._store.action_runs_since(action.name, key, now_ms - rate.per_ms)) >= rate.max_runs
        ):
            return "rate_limit"
        return ""

    def _request(self, action: Action, render: Render) -> dict[str, Any]:
        if action.command:
            return {"argv": [render(arg) for arg in action.command]}
        if action.http is not None:
            h = action.http
            return {
                "method": h.method, "url": render(h.url),
                "headers": {k: render(v) for k, v in h.headers.items()}, "body": render(h.body),
            }  # fmt: skip
        return {
            "argv": [sys.executable, "-m", "erpmon.incidents._entrypoint", action.python],
            "entry_point": action.python,
        }

    async def _process(
        self, action: Action, argv: list[str], env: Mapping[str, str], stdin: bytes
    ) -> ActionResult:
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, env=dict(env), start_new_session=True,
            )  # fmt: skip
        except OSError as err:
            return ActionResult(action.name, action.kind, False, error=f"start: {err}")
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), action.timeout_ms / 1000)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            out = b""
            with contextlib.suppress(TimeoutError):
                out, _ = await asyncio.wait_for(proc.communicate(), 5)
            text = out[-MAX_OUTPUT:].decode("utf-8", "replace")
            return ActionResult(
                action.name, action.kind, False, proc.returncode, text,
                error=f"killed after its timeout of {action.timeout_ms / 1000:g}s",
            )  # fmt: skip
        text = out[-MAX_OUTPUT:].decode("utf-8", "replace")
        return ActionResult(action.name, action.kind, proc.returncode == 0, proc.returncode, text)

    async def _http(self, action: Action, request: Mapping[str, Any]) -> ActionResult:
        assert action.http is not None
        client = self._client or httpx.AsyncClient()
        try:
            resp = await client.request(
                request["method"], request["url"], headers=request["headers"],
                content=request["body"] or None,
                timeout=action.timeout_ms / 1000,
            )  # fmt: skip
        except httpx.HTTPError as err:
            return ActionResult(action.name, action.kind, False, error=f"{type(err).__name__}: {err}")
        finally:
            if self._client is None:
                await client.aclose()
        expected = action.http.expect_status
        ok = resp.status_code in expected if expected else 200 <= resp.status_code < 300
        return ActionResult(action.name, action.kind, ok, resp.status_code, resp.text[:MAX_OUTPUT])
