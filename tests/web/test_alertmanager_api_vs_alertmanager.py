"""erpmon's Alertmanager v2 API and the real Alertmanager 0.25 answer the same requests alike.

Both get the same alerts and silences; responses are compared with volatile fields (ids, times,
uptime, versions) set aside.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from tests.support import need_binary

from erpmon.alerting.testing import real_alertmanager, rfc3339

CONFIG = """\
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1h
  routes:
    - matchers: ['team="db"']
      receiver: db
receivers:
  - name: default
  - name: db
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
"""

VOLATILE = {"startsAt", "endsAt", "updatedAt", "id", "uptime", "silenceID"}


def scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<t>" if k in VOLATILE else len(v) if k == "silencedBy" else scrub(v))
            for k, v in value.items()
            if k != "versionInfo"
        }
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def exercise(url: str) -> list[tuple[str, int, Any]]:
    now = time.time()
    out: list[tuple[str, int, Any]] = []
    with httpx.Client(base_url=url, timeout=10) as c:

        def record(name: str, r: httpx.Response) -> httpx.Response:
            body = (
                r.json()
                if r.content and r.headers.get("content-type", "").startswith("application/json")
                else None
            )
            out.append((name, r.status_code, scrub(body)))
            return r

        alerts = [
            {"labels": {"alertname": "Disk", "team": "db", "severity": "warning", "empty": ""},
             "annotations": {"summary": "full", "note": ""}, "startsAt": rfc3339(now - 30)},
            {"labels": {"alertname": "Disk", "team": "db", "severity": "critical", "instance": "x"}},
            {"labels": {"alertname": "Api"}, "endsAt": rfc3339(now + 600), "generatorURL": "http://g"},
            {"labels": {"alertname": "Old"}, "startsAt": rfc3339(now - 600), "endsAt": rfc3339(now - 300)},
        ]  # fmt: skip
        record("post alerts", c.post("/api/v2/alerts", json=alerts))
        record("post bad alert", c.post("/api/v2/alerts", json=[{"labels": {}}]))
        record("post alert end before start",
               c.post("/api/v2/alerts", json=[{"labels": {"a": "b"}, "startsAt": rfc3339(now),
                                                "endsAt": rfc3339(now - 60)}]))  # fmt: skip
        sid = record(
            "post silence",
            c.post(
                "/api/v2/silences",
                json={
                    "matchers": [{"name": "alertname", "value": "Api", "isRegex": False, "isEqual": True}],
                    "startsAt": rfc3339(now - 1),
                    "endsAt": rfc3339(now + 3600),
                    "createdBy": "me",
                    "comment": "c",
                },
            ),
        ).json()
        record(
            "post silence in the past",
            c.post(
                "/api/v2/silences",
                json={
                    "matchers": [{"name": "a", "value": "b", "isRegex": False}],
                    "startsAt": rfc3339(now - 100),
                    "endsAt": rfc3339(now - 50),
                    "createdBy": "me",
                    "comment": "c",
                },
            ),
        )
        record(
            "post silence empty matcher",
            c.post(
                "/api/v2/silences",
                json={
                    "matchers": [{"name": "a", "value": ".*", "isRegex": True}],
                    "startsAt": rfc3339(now),
                    "endsAt": rfc3339(now + 60),
                    "createdBy": "me",
                    "comment": "c",
                },
            ),
        )
        record("get alerts", c.get("/api/v2/alerts"))
        for q in (
            "silenced=false",
            "inhibited=false",
            "active=false",
            'filter=team="db"',
            "receiver=db",
            'filter=alertname=~"D.*"&inhibited=false',
        ):
            record(f"get alerts {q}", c.get(f"/api/v2/alerts?{q}"))
        record("get groups", c.get("/api/v2/alerts/groups"))
        record("get silences", c.get("/api/v2/silences"))
        record("get silence", c.get(f"/api/v2/silence/{sid['silenceID']}"))
        record("delete silence", c.delete(f"/api/v2/silence/{sid['silenceID']}"))
        record("get silences after expiry", c.get("/api/v2/silences"))
        record("get receivers", c.get("/api/v2/receivers"))
    return out


def test_same_answers_as_alertmanager(tmp_path: Path, start_erpmon) -> None:  # type: ignore[no-untyped-def]
    need_binary("prometheus-alertmanager")
    cfg = tmp_path / "am.yml"
    cfg.write_text(CONFIG)
    with real_alertmanager(cfg, tmp_path, "http://am") as am:
        theirs = exercise(am)
    em = start_erpmon(f"--alertmanager.config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'data'}",
                      "--no-collector.host")  # fmt: skip
    ours = exercise(em.url)
    for (name, code, body), (_, their_code, their_body) in zip(ours, theirs, strict=True):
        assert code == their_code, (name, body, their_body)
        if their_code == 200:
            assert body == their_body, name
