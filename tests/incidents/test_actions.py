"""Actions: label values stay single arguments (no shell), HTTP requests to a real server, Python
entry points in a child interpreter, dry runs, rate limits and timeouts."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from erpmon.incidents import ActionRunner, IncidentStore
from erpmon.incidents._actions import label_env
from erpmon.incidents.config import Action, HTTPRequest, RateLimit

EVIL = "api; touch /tmp/erpmon-pwned-$(id -u) `id`"


@pytest.fixture
def store() -> Iterator[IncidentStore]:
    s = IncidentStore(None)
    yield s
    s.close()


def render_labels(labels: dict[str, str]) -> Any:
    """A stand-in for the template renderer: `{{service}}` -> the label value."""
    return lambda text: text.replace("{{service}}", labels.get("service", ""))


async def test_a_label_value_is_one_argument_never_shell_syntax(store: IncidentStore, tmp_path: Path) -> None:
    out = tmp_path / "argv.json"
    script = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"
    action = Action("restart", command=(sys.executable, "-c", script, str(out), "restart", "{{service}}"))
    result = await ActionRunner(store).run(
        action, render=render_labels({"service": EVIL}), env=label_env({"service": EVIL}), key="k", now_ms=0
    )
    assert result.ok and result.exit_code == 0
    assert json.loads(out.read_text()) == ["restart", EVIL]
    assert not list(Path("/tmp").glob("erpmon-pwned-*"))


async def test_labels_reach_the_environment(store: IncidentStore) -> None:
    action = Action(
        "env", command=(sys.executable, "-c", "import os; print(os.environ['ERPMON_LABEL_SERVICE'])")
    )
    result = await ActionRunner(store).run(
        action, render=str, env=label_env({"service": EVIL}), key="k", now_ms=0
    )
    assert result.output.strip() == EVIL


class _Hook(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        _Hook.seen.append((self.command, self.path, dict(self.headers), body))
        self.send_response(202 if self.path.startswith("/ok") else 500)
        self.end_headers()
        self.wfile.write(b"scaled")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    _Hook.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_an_http_action(store: IncidentStore, http_server: str) -> None:
    req = HTTPRequest(
        f"{http_server}/ok/scale", "POST", {"X-Service": "{{service}}"}, '{"service": "{{service}}"}'
    )
    result = await ActionRunner(store).run(
        Action("scale", http=req), render=render_labels({"service": "api"}), env={}, key="k", now_ms=0
    )
    assert result.ok and result.exit_code == 202 and result.output == "scaled"
    [(method, path, headers, body)] = _Hook.seen
    assert (method, path, headers["X-Service"], json.loads(body)) == (
        "POST",
        "/ok/scale",
        "api",
        {"service": "api"},
    )
    failing = HTTPRequest(f"{http_server}/fail", "POST")
    result = await ActionRunner(store).run(
        Action("scale", http=failing), render=str, env={}, key="k", now_ms=0
    )
    assert not result.ok and result.exit_code == 500


async def test_a_python_entry_point(
    store: IncidentStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "site_remedies.py").write_text(
        "def clear_cache(ctx):\n    return {'cleared': ctx['labels']['service']}\n"
        "def broken(ctx):\n    raise RuntimeError('no cache here')\n"
    )
    env = {"PYTHONPATH": str(tmp_path), "ERPMON_INCIDENT_CONTEXT": json.dumps({"labels": {"service": "api"}})}
    result = await ActionRunner(store).run(
        Action("clear", python="site_remedies:clear_cache"), render=str, env=env, key="k", now_ms=0
    )
    assert result.ok and json.loads(result.output) == {"cleared": "api"}
    result = await ActionRunner(store).run(
        Action("clear", python="site_remedies:broken"), render=str, env=env, key="k", now_ms=0
    )
    assert not result.ok and result.exit_code == 2 and "no cache here" in result.output


async def test_dry_run_records_what_would_run(store: IncidentStore, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    action = Action("touch", command=("touch", str(marker)))
    result = await ActionRunner(store, dry_run=True).run(action, render=str, env={}, key="k", now_ms=0)
    assert result.skipped == "dry_run" and result.request == {"argv": ["touch", str(marker)]}
    assert not marker.exists()


async def test_rate_limit_and_cooldown_per_target(store: IncidentStore) -> None:
    action = Action("true", command=("true",), cooldown_ms=60_000, rate_limit=RateLimit(2, 3_600_000))
    runner = ActionRunner(store)

    async def run(key: str, at_s: int) -> str:
        result = await runner.run(action, render=str, env={}, key=key, now_ms=at_s * 1000)
        return result.skipped or "ran"

    assert await run("api", 0) == "ran"
    assert await run("api", 30) == "cooldown"
    assert await run("db", 30) == "ran"  # another target has its own cooldown
    assert await run("api", 61) == "ran"
    assert await run("api", 200) == "rate_limit"  # two runs in the last hour
    assert await run("api", 3_601) == "ran"


async def test_a_missing_program_is_a_failed_action(store: IncidentStore) -> None:
    result = await ActionRunner(store).run(
        Action("x", command=("/nonexistent/restart.sh",)), render=str, env={}, key="k", now_ms=0
    )
    assert not result.ok and "start:" in result.error
