"""Incidents in a real `erpmon up`: a rule fires, Level 1 runs a real command, erpmon is killed with
SIGKILL while verification is pending, and after the restart the escalation resumes where it was;
the API, the acknowledge link, the status page and the CLI work against the running server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from tests.support import ERPMON, free_port

from erpmon.alerting.testing import collector

RULES = """\
groups:
  - name: api
    interval: 1s
    rules:
      - alert: APIDown
        expr: vector(1)
        labels: {severity: critical, service: api}
        annotations: {summary: "The API is down"}
"""

PROMETHEUS = """\
global: {evaluation_interval: 1s, scrape_interval: 1h}
rule_files: ['%(rules)s']
"""

ALERTMANAGER = """\
route:
  receiver: default
  group_by: [alertname, service]
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: default
"""

INCIDENTS = """\
open:
  - matchers: ['severity="critical"']
people:
  - name: alice
    contacts: [{webhook_configs: [{url: '%(hook)s'}]}]
  - name: carol
    contacts: [{webhook_configs: [{url: '%(hook)s'}]}]
schedules:
  - name: primary
    time_zone: Europe/Berlin
    layers: [{rotation: weekly, handoff: '09:00', start: '2020-01-06', members: [alice]}]
actions:
  - name: restart
    command:
      - '%(python)s'
      - '-c'
      - 'import sys; open(sys.argv[1], "a").write(sys.argv[2] + "\\n")'
      - '%(marker)s'
      - '{{ .CommonLabels.service }}'
    cooldown: 1h
status_page:
  title: ERPGo status
  components: [{name: API, matchers: ['service="api"']}]
policies:
  - name: erpgo
    steps:
      - name: 'Level 1: automated response'
        targets: [{remediation: {label: alertname, actions: {APIDown: restart}}}]
        verify: {after: 6s}
      - name: 'Level 2: on-call engineer'
        targets: [{schedule: primary}]
      - name: 'Level 3: management'
        after_open: 14s
        targets: [{person: carol}, {status_page: {status: major_outage}}]
"""


def wait_for(predicate: Any, timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_escalation_survives_sigkill_and_the_api_works(tmp_path: Path, start_erpmon: Any) -> None:
    marker = tmp_path / "restarts"
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    with collector() as (hooks, url):
        (tmp_path / "rules.yml").write_text(RULES)
        (tmp_path / "prometheus.yml").write_text(PROMETHEUS % {"rules": tmp_path / "rules.yml"})
        (tmp_path / "am.yml").write_text(ALERTMANAGER)
        (tmp_path / "incidents.yml").write_text(
            INCIDENTS % {"hook": url, "python": sys.executable, "marker": marker}
        )
        port = free_port()
        args = (
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--alertmanager.config.file={tmp_path / 'am.yml'}",
            f"--incidents.config.file={tmp_path / 'incidents.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.api-token-file={token}",
            f"--web.external-url=http://127.0.0.1:{port}/",
        )
        first = start_erpmon(*args, port=port)
        wait_for(lambda: marker.exists(), what="Level 1's remediation")
        first.stop(signal.SIGKILL)  # verification is pending: Level 2 has not run
        assert not hooks.bodies
        assert marker.read_text() == "api\n"

        second = start_erpmon(*args, port=port)
        body = wait_for(lambda: hooks.bodies and hooks.bodies[0][1], what="Level 2 after the restart")
        assert body["receiver"] == "alice/0" and body["incident"]["step"] == "Level 2: on-call engineer"
        ack_url = body["incident"]["ackURL"]
        wait_for(lambda: len(hooks.bodies) >= 2, what="Level 3")
        assert hooks.bodies[1][1]["receiver"] == "carol/0"
        assert marker.read_text() == "api\n"  # the remediation ran once across the restart

        status = httpx.get(second.url + "/status.json").json()
        [api] = status["components"]
        assert (api["name"], api["status"]) == ("API", "major_outage")
        assert status["status"]["indicator"] == "critical"
        assert "Major outage" in httpx.get(second.url + "/status").text

        [inc] = httpx.get(second.url + "/api/v1/incidents").json()["data"]
        assert (inc["state"], inc["severity"]) == ("triggered", "critical")
        kinds = [e["kind"] for e in inc["timeline"]]
        # The kill may land after the command wrote its file and before its result (or its "done"
        # mark) was committed: then the restarted engine records it as interrupted, and does not
        # run it again. Either way it ran exactly once (the marker file above).
        assert kinds.count("action") <= 1 and kinds.count("action") + kinds.count("interrupted") >= 1, kinds
        assert kinds.count("verification") == 1, kinds
        assert kinds.count("escalation") == 4, kinds  # Levels 1-3, then "policy exhausted"
        assert kinds[:2] == ["opened", "escalation"]

        # Writes need the token; the signed link from the notification works without it.
        assert (
            httpx.post(second.url + f"/api/v1/incidents/{inc['id']}/ack", json={"by": "x"}).status_code == 401
        )
        page = httpx.get(ack_url)
        assert page.status_code == 200 and "Acknowledge as alice" in page.text
        forged = httpx.get(ack_url.replace("by=alice", "by=mallory"))
        assert forged.status_code == 403
        done = httpx.post(ack_url.split("?")[0], data={"by": "alice", "sig": ack_url.split("sig=")[1]})
        assert done.status_code == 200 and "Acknowledged by alice" in done.text

        env = {"ERPMON_API_TOKEN": "s3cret", "PATH": "/usr/bin:/bin"}
        cli = [*ERPMON, "incidents", f"--erpmon.url={second.url}"]
        note = subprocess.run([*cli, "note", str(inc["id"]), "restarted by hand", "--by", "alice"],
                              capture_output=True, text=True, env=env, check=False)  # fmt: skip
        assert note.returncode == 0, note.stderr
        shown = subprocess.run(
            [*cli, "-o", "json", "show", str(inc["id"])], capture_output=True, text=True, check=False
        )
        data = json.loads(shown.stdout)
        assert data["state"] == "acknowledged" and data["acknowledged_by"] == "alice"
        assert data["timeline"][-1]["message"] == "restarted by hand"
        listed = subprocess.run([*cli, "list"], capture_output=True, text=True, check=False)
        assert listed.returncode == 0 and "acknowledged by alice" in listed.stdout
        refused = subprocess.run([*cli, "resolve", str(inc["id"])], capture_output=True, text=True,
                                 env={"PATH": "/usr/bin:/bin"}, check=False)  # fmt: skip
        assert refused.returncode == 1 and "token" in refused.stderr
        resolved = subprocess.run([*cli, "resolve", str(inc["id"])], capture_output=True, text=True, env=env,
                                  check=False)  # fmt: skip
        assert resolved.returncode == 0 and "state:      resolved" in resolved.stdout
        report = subprocess.run([*cli, "report", str(inc["id"])], capture_output=True, text=True, check=False)
        assert "## Timeline" in report.stdout and "## Follow-ups" in report.stdout
        # The rule still fires, but a person resolved these very alerts: no new incident opens.
        time.sleep(3)
        assert len(httpx.get(second.url + "/api/v1/incidents").json()["data"]) == 1

        metrics = httpx.get(second.url + "/metrics").text
        # (the incident opened before the restart, so this process counted only what followed)
        assert 'erpmon_incidents{state="resolved"} 1.0' in metrics
        assert 'erpmon_incident_time_to_acknowledge_seconds_count{severity="critical"} 1.0' in metrics
        assert 'erpmon_incident_time_to_resolve_seconds_count{severity="critical"} 1.0' in metrics


def test_a_bad_incidents_yml_is_refused_at_start_and_on_reload(tmp_path: Path, start_erpmon: Any) -> None:
    (tmp_path / "am.yml").write_text(ALERTMANAGER)
    good = "policies:\n  - name: p\n    steps: [{targets: [{receiver: default}]}]\n"
    bad = "policies:\n  - name: p\n    steps: [{targets: [{person: nobody}]}]\n"
    cfg = tmp_path / "incidents.yml"
    cfg.write_text(bad)
    args = [
        f"--alertmanager.config.file={tmp_path / 'am.yml'}",
        f"--incidents.config.file={cfg}",
        f"--storage.tsdb.path={tmp_path / 'data'}",
        "--web.enable-lifecycle",
    ]
    refused = subprocess.run([*ERPMON, "up", f"--web.listen-address=127.0.0.1:{free_port()}", *args],
                             capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert refused.returncode == 1
    assert f"{cfg}:3:33: unknown person 'nobody' in policy 'p'" in refused.stderr

    cfg.write_text(good)
    server = start_erpmon(*args)
    cfg.write_text(bad)
    reload = httpx.post(server.url + "/-/reload")
    assert reload.status_code == 500 and "unknown person 'nobody'" in reload.text
    assert httpx.get(server.url + "/status.json").status_code == 200  # the running config stays
    cfg.write_text(good)
    assert httpx.post(server.url + "/-/reload").status_code == 200
