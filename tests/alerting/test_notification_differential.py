"""erpmon and Alertmanager 0.25, same config, same scripted timeline: the same notifications.

Timers are short: group_wait 1s, group_interval 2s, repeat_interval 5s. Groups created at t=0
flush at odd seconds, so every scripted event happens at an even second, half a tick away from any
flush, and both systems see it before the same flush. The repeat interval is 5s rather than 6s on
purpose: with 6s a repeat check lands exactly 6s after the logged notification, where "logged
before now - repeat" is decided by milliseconds of scheduling jitter, and Alertmanager itself
repeats at either tick from one run to the next. With 5s every check is a whole second away from
the boundary.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from tests.support import need_binary

from erpmon.alerting.testing import Batch, Step, collector, real_alertmanager, run_script

CONFIG = """\
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 5s
  routes:
    - matchers: ['team="db"']
      receiver: db
      continue: true
    - matchers: ['severity="critical"']
      receiver: pager
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [service]
receivers:
  - name: hook
    webhook_configs: [{{url: "{url}", send_resolved: true}}]
  - name: db
    webhook_configs: [{{url: "{url}", send_resolved: true}}]
  - name: pager
    webhook_configs: [{{url: "{url}", send_resolved: false}}]
"""


def disk(instance: str, **extra: object) -> dict[str, object]:
    labels = {"alertname": "DiskFull", "team": "db", "severity": "warning", "service": "db"}
    return {"labels": {**labels, "instance": instance}, "annotations": {"summary": "disk"}, **extra}


API_SLOW = {"labels": {"alertname": "ApiSlow", "severity": "warning", "service": "web", "instance": "x"}}
API_DOWN = {"labels": {"alertname": "ApiDown", "severity": "critical", "service": "web"}}

SCRIPT = [
    Step(0, [disk("a"), API_SLOW]),
    Step(2, [disk("b")]),  # a new alert joins a flushed group
    Step(4, [API_DOWN]),  # an inhibiting alert appears...
    Step(8, [{**API_DOWN, "ends": "now"}]),  # ...and resolves
    Step(
        10,
        silence={
            "matchers": [{"name": "instance", "value": "a", "isRegex": False, "isEqual": True}],
            "starts": 10,
            "ends": 14,
        },
    ),
    Step(16, [disk("a", ends="now"), disk("b", ends="now")]),  # alerts resolve
]
UNTIL = 22.5
TOLERANCE_S = 0.75


def by_group(batches: list[Batch]) -> dict[tuple[str, str], list[Batch]]:
    out: dict[tuple[str, str], list[Batch]] = defaultdict(list)
    for b in batches:
        out[(b.receiver, b.group_key)].append(b)
    return dict(out)


def test_same_notifications_as_alertmanager(tmp_path: Path, start_erpmon: object) -> None:
    need_binary("prometheus-alertmanager")
    external = "http://alerts.example:9093"
    with collector() as (am_col, am_url), collector() as (em_col, em_url):
        am_cfg = tmp_path / "am.yml"
        am_cfg.write_text(CONFIG.format(url=am_url))
        em_cfg = tmp_path / "em.yml"
        em_cfg.write_text(CONFIG.format(url=em_url))
        with real_alertmanager(am_cfg, tmp_path, external) as am:
            em = start_erpmon(  # type: ignore[operator]
                f"--alertmanager.config.file={em_cfg}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.external-url={external}",
            )

            def started(t0: float) -> None:
                am_col.start = em_col.start = t0

            run_script([am, em.url], SCRIPT, until=UNTIL, on_start=started)
        theirs, ours = by_group(am_col.batches()), by_group(em_col.batches())

    assert theirs, "Alertmanager sent nothing: the script is broken"
    assert sorted(ours) == sorted(theirs)
    for key, want in theirs.items():
        got = ours[key]
        assert [b.key() for b in got] == [b.key() for b in want], key
        for g, w in zip(got, want, strict=True):
            assert abs(g.at - w.at) < TOLERANCE_S, (key, g.at, w.at)
    # The script exercises what it claims to.
    flat = [b for bs in theirs.values() for b in bs]
    assert any(b.status == "resolved" for b in flat)
    assert any(len(b.alerts) == 2 for b in flat if b.receiver == "db")
    assert len(theirs[("hook", '{}:{alertname="ApiSlow"}')]) >= 3  # first, after inhibition, repeats
