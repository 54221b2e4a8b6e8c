"""The forwarder against Alertmanager stand-ins on 127.0.0.1: labels, batches, queue, errors, discovery."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Callable
from pathlib import Path

import structlog
import trustme
from prometheus_client import CollectorRegistry
from tests.alerting.forward.helpers import (
    CaptureAM,
    am_alert,
    eventually,
    forwarder,
    metric,
    prom_config,
    running,
)
from tests.support import free_port

from erpmon.alerting.forward import AlertForwarder, alertmanagers_api_data

StartAM = Callable[..., CaptureAM]


def one_am(address: str, extra: str = "", top: str = "") -> str:
    return f"""
global:
  external_labels: {{cluster: eu1, team: ext}}
{top}
alerting:
  alertmanagers:
  - static_configs: [{{targets: ["{address}"]}}]
{extra}
"""


async def test_external_labels_relabeling_and_batches_of_64(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    top = """
alerting:
  alert_relabel_configs:
  - {source_labels: [alertname], regex: Drop.*, action: drop}
  - {target_label: via, replacement: erpmon}
"""
    text = f"""
global:
  external_labels: {{cluster: eu1, team: ext}}
{top}
  alertmanagers:
  - static_configs: [{{targets: ["{am.address}"]}}]
"""
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, text, reg)
    fwd.send([am_alert(f"A{i:03d}", team="own") for i in range(150)] + [am_alert("DropMe")])
    async with running(fwd):
        await eventually(lambda: len(am.received()) == 3, what="3 requests")
    reqs = am.received()
    assert [len(r.alerts()) for r in reqs] == [64, 64, 22]
    assert {r.path for r in reqs} == {"/api/v2/alerts"}
    assert reqs[0].headers["Content-Type"] == "application/json"
    first = reqs[0].alerts()[0]
    # External labels fill in only what the alert lacks; relabeling ran after them.
    assert first["labels"] == {"alertname": "A000", "cluster": "eu1", "team": "own", "via": "erpmon"}
    names = [a["labels"]["alertname"] for r in reqs for a in r.alerts()]
    assert names == [f"A{i:03d}" for i in range(150)]
    url = f"http://{am.address}/api/v2/alerts"
    assert metric(reg, "erpmon_forward_alerts_sent_total", alertmanager=url) == 150
    assert metric(reg, "erpmon_forward_errors_total", alertmanager=url) == 0
    assert metric(reg, "erpmon_forward_dropped_total") == 0
    assert metric(reg, "erpmon_forward_latency_seconds_count", alertmanager=url) == 3
    assert metric(reg, "erpmon_forward_alertmanagers_discovered") == 1


async def test_queue_overflow_drops_the_oldest_and_counts(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(am.address), reg, queue_capacity=10)
    assert metric(reg, "erpmon_forward_queue_capacity") == 10
    fwd.send([am_alert(f"A{i:02d}") for i in range(25)])  # larger than the queue: the first 15 go
    assert metric(reg, "erpmon_forward_dropped_total") == 15
    fwd.send([am_alert(f"B{i}") for i in range(5)])  # a full queue makes room from its oldest
    assert metric(reg, "erpmon_forward_dropped_total") == 20
    assert metric(reg, "erpmon_forward_queue_length") == 10
    async with running(fwd):
        await eventually(lambda: am.received(), what="a request")
    names = [a["labels"]["alertname"] for r in am.received() for a in r.alerts()]
    assert names == [f"A{i}" for i in range(20, 25)] + [f"B{i}" for i in range(5)]
    assert metric(reg, "erpmon_forward_queue_length") == 0


async def test_down_and_failing_alertmanagers_count_errors_and_the_loop_goes_on(
    tmp_path: Path, capture_am: StartAM
) -> None:
    good, failing = capture_am(), capture_am()
    failing.status = 500
    down = f"127.0.0.1:{free_port()}"
    text = f"""
alerting:
  alertmanagers:
  - static_configs: [{{targets: ["{down}", "{failing.address}", "{good.address}"]}}]
"""
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, text, reg)
    with structlog.testing.capture_logs() as logs:
        async with running(fwd):
            fwd.send([am_alert("A")])
            await eventually(lambda: metric(reg, "erpmon_forward_errors_total", alertmanager=_url(down)) == 1)
            await eventually(lambda: len(good.received()) == 1)
            fwd.send([am_alert("B")])
            await eventually(lambda: len(good.received()) == 2, what="the second batch")
            await eventually(lambda: metric(reg, "erpmon_forward_errors_total", alertmanager=_url(down)) == 2)
    assert metric(reg, "erpmon_forward_errors_total", alertmanager=_url(failing.address)) == 2
    assert metric(reg, "erpmon_forward_errors_total", alertmanager=_url(good.address)) == 0
    # One Alertmanager took each batch, so nothing counts as dropped.
    assert metric(reg, "erpmon_forward_dropped_total") == 0
    # As in Prometheus, alerts count as sent to every Alertmanager that was tried.
    assert metric(reg, "erpmon_forward_alerts_sent_total", alertmanager=_url(down)) == 2
    errors = [e for e in logs if e["event"] == "Error sending alert"]
    reasons = {e["alertmanager"]: e["err"] for e in errors}
    assert reasons[_url(failing.address)] == "bad response status 500 Internal Server Error"
    assert _url(down) in reasons


async def test_a_batch_no_alertmanager_accepts_is_dropped(tmp_path: Path) -> None:
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(f"127.0.0.1:{free_port()}"), reg)
    async with running(fwd):
        fwd.send([am_alert("A"), am_alert("B")])
        await eventually(lambda: metric(reg, "erpmon_forward_dropped_total") == 2)
    no_am = forwarder(tmp_path, "global: {}\n", reg_empty := CollectorRegistry())
    async with running(no_am):
        no_am.send([am_alert("A")])
        await eventually(lambda: metric(reg_empty, "erpmon_forward_dropped_total") == 1)


async def test_a_slow_alertmanager_hits_the_timeout(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    am.delay_s = 3.0
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(am.address, "    timeout: 200ms"), reg)
    with structlog.testing.capture_logs() as logs:
        async with running(fwd):
            started = time.monotonic()
            fwd.send([am_alert("A")])
            await eventually(
                lambda: metric(reg, "erpmon_forward_errors_total", alertmanager=_url(am.address))
            )
            elapsed = time.monotonic() - started
    assert 0.15 < elapsed < 2.0
    assert [e["err"] for e in logs if e["event"] == "Error sending alert"] == ["context deadline exceeded"]
    assert len(am.received()) == 1  # the request reached it; the answer came too late


async def test_file_sd_picks_up_a_new_alertmanager(tmp_path: Path, capture_am: StartAM) -> None:
    first, second = capture_am(), capture_am()
    sd = tmp_path / "ams.json"
    sd.write_text(json.dumps([{"targets": [first.address]}]))
    text = """
alerting:
  alertmanagers:
  - file_sd_configs: [{files: [ams.json]}]
"""
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, text, reg)
    assert fwd.alertmanagers() == ([_url(first.address)], [])
    async with running(fwd):
        fwd.send([am_alert("A")])
        await eventually(lambda: len(first.received()) == 1)
        sd.write_text(json.dumps([{"targets": [second.address]}, {"targets": [], "labels": {"x": "y"}}]))
        await eventually(lambda: fwd.alertmanagers()[0] == [_url(second.address)], what="the new AM")
        fwd.send([am_alert("B")])
        await eventually(lambda: len(second.received()) == 1)
    assert len(first.received()) == 1
    assert second.received()[0].alerts()[0]["labels"]["alertname"] == "B"
    assert metric(reg, "erpmon_forward_alertmanagers_discovered") == 1


async def test_api_v1_with_path_prefix_and_basic_auth(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    extra = """    api_version: v1
    path_prefix: /am/
    basic_auth: {username: u, password: p}"""
    fwd = forwarder(tmp_path, one_am(am.address, extra), CollectorRegistry())
    assert fwd.alertmanagers() == ([f"http://{am.address}/am/api/v1/alerts"], [])
    async with running(fwd):
        fwd.send([am_alert("A", end_s=1_700_000_060.5)])
        await eventually(lambda: am.received())
    [req] = am.received()
    assert req.path == "/am/api/v1/alerts"
    assert req.headers["Authorization"] == "Basic dTpw"
    assert req.alerts() == [
        {
            "labels": {"alertname": "A", "cluster": "eu1", "team": "ext"},
            "annotations": {"summary": "about A"},
            "startsAt": "2023-11-14T22:13:20Z",
            "endsAt": "2023-11-14T22:14:20.5Z",
            "generatorURL": "http://erpmon.example/graph?g0.expr=up&g0.tab=1",
        }
    ]


async def test_bearer_token_file(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    (tmp_path / "token").write_text("s3cret\n")
    fwd = forwarder(tmp_path, one_am(am.address, "    bearer_token_file: token"), CollectorRegistry())
    async with running(fwd):
        fwd.send([am_alert("A")])
        await eventually(lambda: am.received())
    assert am.received()[0].headers["Authorization"] == "Bearer s3cret"


async def test_https_with_a_ca_file(tmp_path: Path, capture_am: StartAM) -> None:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    am = capture_am(server_ctx)
    extra = """    scheme: https
    tls_config: {ca_file: ca.pem}"""
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(am.address, extra), reg)
    url = f"https://{am.address}/api/v2/alerts"
    assert fwd.alertmanagers() == ([url], [])
    async with running(fwd):
        fwd.send([am_alert("A")])
        await eventually(lambda: am.received())
    assert metric(reg, "erpmon_forward_errors_total", alertmanager=url) == 0


async def test_stop_sends_what_is_queued(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(am.address), reg)
    task = asyncio.create_task(fwd.run())
    await asyncio.sleep(0)
    fwd.send([am_alert(f"A{i}") for i in range(100)])
    await fwd.stop(5.0)
    await task
    assert sum(len(r.alerts()) for r in am.received()) == 100
    assert metric(reg, "erpmon_forward_dropped_total") == 0


async def test_stop_gives_up_at_its_deadline_and_counts_the_rest(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    am.delay_s = 5.0
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(am.address, "    timeout: 30s"), reg)
    task = asyncio.create_task(fwd.run())
    await asyncio.sleep(0)
    fwd.send([am_alert(f"A{i}") for i in range(100)])
    started = time.monotonic()
    await fwd.stop(0.3)
    await task
    assert time.monotonic() - started < 2.0
    # The first batch of 64 was in flight when the deadline cut it; all 100 are lost.
    assert metric(reg, "erpmon_forward_dropped_total") == 100


async def test_stop_cuts_a_batch_in_flight_at_its_deadline(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    am.delay_s = 5.0
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(am.address, "    timeout: 30s"), reg)
    task = asyncio.create_task(fwd.run())
    fwd.send([am_alert(f"A{i}") for i in range(10)])
    await eventually(lambda: am.received(), what="the request in flight")
    started = time.monotonic()
    await fwd.stop(0.3)
    await task
    assert time.monotonic() - started < 2.0
    assert metric(reg, "erpmon_forward_dropped_total") == 10


async def test_apply_config_switches_alertmanagers_and_labels(tmp_path: Path, capture_am: StartAM) -> None:
    old, new = capture_am(), capture_am()
    reg = CollectorRegistry()
    fwd = forwarder(tmp_path, one_am(old.address), reg)
    async with running(fwd):
        fwd.send([am_alert("A")])
        await eventually(lambda: old.received())
        cfg = prom_config(tmp_path, one_am(new.address).replace("cluster: eu1", "cluster: us1"))
        fwd.apply_config(cfg.alerting, cfg.global_config.external_labels)
        assert fwd.alertmanagers() == ([_url(new.address)], [])
        fwd.send([am_alert("B")])
        await eventually(lambda: new.received())
    assert len(old.received()) == 1
    assert new.received()[0].alerts()[0]["labels"]["cluster"] == "us1"


async def test_send_from_another_thread(tmp_path: Path, capture_am: StartAM) -> None:
    am = capture_am()
    fwd = forwarder(tmp_path, one_am(am.address), CollectorRegistry())
    async with running(fwd):
        await asyncio.sleep(0)
        await asyncio.to_thread(fwd.send, [am_alert("FromThread")])
        await eventually(lambda: am.received())
    assert am.received()[0].alerts()[0]["labels"]["alertname"] == "FromThread"


def test_alertmanagers_api_shape(tmp_path: Path) -> None:
    text = """
alerting:
  alertmanagers:
  - static_configs: [{targets: ["a:9093", "b:9093"], labels: {env: dev}}, {targets: ["c:9093"]}]
    relabel_configs: [{source_labels: [env], regex: dev, action: drop}]
  - scheme: https
    static_configs: [{targets: ["d:9093"]}]
"""
    fwd: AlertForwarder = forwarder(tmp_path, text, CollectorRegistry())
    assert alertmanagers_api_data(fwd.alertmanagers) == {
        "activeAlertmanagers": [
            {"url": "http://c:9093/api/v2/alerts"},
            {"url": "https://d:9093/api/v2/alerts"},
        ],
        "droppedAlertmanagers": [
            {"url": "http://a:9093/api/v2/alerts"},
            {"url": "http://b:9093/api/v2/alerts"},
        ],
    }


async def test_stop_without_run(tmp_path: Path) -> None:
    fwd = forwarder(tmp_path, one_am("127.0.0.1:1"), CollectorRegistry())
    await fwd.stop()


def _url(address: str) -> str:
    return f"http://{address}/api/v2/alerts"
