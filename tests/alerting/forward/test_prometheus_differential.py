"""The same alerting rule through Prometheus 2.42 and through erpmon's rules + forwarder: same POST body.

Both post to Alertmanager stand-ins; the bodies are compared byte for byte once the times (which
depend on when each evaluated) are replaced by placeholders.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry
from tests.alerting.forward.helpers import CaptureAM, eventually, forwarder, prom_config, running
from tests.support import free_port, need_binary

from erpmon.alerting.forward import make_notify_func
from erpmon.clock import FakeClock
from erpmon.promql import Engine
from erpmon.rules import ManagerOptions, RuleManager, RulesConfig
from erpmon.tsdb import TSDB, TSDBOptions

RULES = """
groups:
- name: diff
  interval: 1s
  rules:
  - alert: AlwaysOn
    expr: absent(nonexistent{job="a/b", env="ü & <x>"}) > 0
    labels:
      severity: page
      cluster: from-rule
    annotations:
      summary: "{{ $labels.job }} is {{ $value }} in {{ $externalLabels.region }}"
      empty: ""
"""

PROM = """
global:
  evaluation_interval: 1s
  external_labels: {{cluster: eu1, region: west}}
rule_files: [rules.yml]
alerting:
  alert_relabel_configs:
  - {{target_label: relabeled, replacement: "yes"}}
  - {{source_labels: [env], regex: "(.*) & .*", target_label: env_short, replacement: "$1"}}
  alertmanagers:
  - static_configs: [{{targets: ["{address}"]}}]
    path_prefix: /pre
"""

EXTERNAL_URL = "http://prom.example:9090/sub"
TIME = re.compile(r'"(startsAt|endsAt)":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"')


def normalised(body: bytes) -> tuple[str, list[str]]:
    text = body.decode()
    times = [m.group(2) for m in TIME.finditer(text)]
    return TIME.sub(r'"\1":"<time>"', text), times


def prometheus_post(tmp_path: Path, am: CaptureAM) -> bytes:
    prom_dir = tmp_path / "prom"
    prom_dir.mkdir()
    (prom_dir / "rules.yml").write_text(RULES)
    (prom_dir / "prometheus.yml").write_text(PROM.format(address=am.address))
    log = (prom_dir / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            need_binary("prometheus"),
            f"--config.file={prom_dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={prom_dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{free_port()}",
            f"--web.external-url={EXTERNAL_URL}",
            # The first send can come before the Alertmanager is discovered; resend soon after.
            "--rules.alert.resend-delay=1s",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        [req, *_] = am.wait_for(1, timeout=30)
    finally:
        proc.kill()
        proc.wait()
        log.close()
    assert req.path == "/pre/api/v2/alerts"
    assert req.headers["Content-Type"] == "application/json"
    return req.body


async def erpmon_post(tmp_path: Path, am: CaptureAM) -> bytes:
    erp_dir = tmp_path / "erpmon"
    erp_dir.mkdir()
    (erp_dir / "rules.yml").write_text(RULES)
    cfg = prom_config(erp_dir, PROM.format(address=am.address))
    fwd = forwarder(erp_dir, PROM.format(address=am.address), CollectorRegistry())
    db = TSDB.open(erp_dir / "db", TSDBOptions(wal_fsync="never"))
    try:
        now = int(time.time() * 1000)
        clock = FakeClock(now)
        manager = RuleManager(
            Engine(db).instant_vector,
            db,
            db,
            clock,
            notify=make_notify_func(fwd.send, EXTERNAL_URL),
            options=ManagerOptions(resend_delay_ms=1_000),
        )
        manager.load(
            RulesConfig(
                files=(str(erp_dir / "rules.yml"),),
                evaluation_interval_ms=1_000,
                external_labels=cfg.global_config.external_labels,
                external_url=EXTERNAL_URL,
            )
        )
        async with running(fwd):
            clock.advance(1_000)
            assert manager.run_due(clock.now_ms()) == 1
            await eventually(lambda: am.received(), what="erpmon's post")
    finally:
        db.close()
    [req] = am.received()
    assert req.path == "/pre/api/v2/alerts"
    assert req.headers["Content-Type"] == "application/json"
    return req.body


async def test_same_body_as_prometheus(tmp_path: Path, capture_am: Callable[[], CaptureAM]) -> None:
    theirs, their_times = normalised(prometheus_post(tmp_path, capture_am()))
    ours, our_times = normalised(await erpmon_post(tmp_path, capture_am()))
    assert ours == theirs
    assert len(their_times) == len(our_times) == 2
    # Both send startsAt before endsAt (the alert is valid for a few evaluations ahead).
    assert their_times[1] < their_times[0] and our_times[1] < our_times[0]
