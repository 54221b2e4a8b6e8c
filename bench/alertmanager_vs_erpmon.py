"""Alert ingestion and flush-to-delivery delay: erpmon's embedded Alertmanager vs Alertmanager 0.25.

Both run as servers on 127.0.0.1 with the same alertmanager.yml (group_by [alertname, group],
group_wait 1s, a webhook receiver on a local collector) and get the same requests.

Ingestion: `--groups` groups x `--per-group` alerts are posted through `POST /api/v2/alerts` in
requests of `--batch` alerts, `--rounds` times (the first round creates the groups; later rounds
update alerts in 1,000 live groups, as Prometheus's resends do). Reported: alerts/s per round.
Delay: `--probes` new groups are created one at a time; each group's flush falls due group_wait
after its alert arrived. Reported: arrival at the collector minus that due time (median, p95, max).

Usage: .venv/bin/python bench/alertmanager_vs_erpmon.py [--groups 1000] [--per-group 10]
       [--batch 500] [--rounds 3] [--probes 40] [--no-alertmanager]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from erpmon.alerting.testing import collector, free_port, real_alertmanager, rfc3339, wait_ready

CONFIG = """\
route:
  receiver: hook
  group_by: [alertname, group]
  group_wait: 1s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs: [{{url: "{url}", send_resolved: true}}]
"""


@contextlib.contextmanager
def erpmon(config: Path, tmp: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp / "erpmon.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "erpmon",
            "up",
            f"--web.listen-address=127.0.0.1:{port}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--alertmanager.config.file={config}",
            "--no-collector.host",
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


def ingest(url: str, args: argparse.Namespace) -> list[float]:
    rates = []
    with httpx.Client(timeout=60) as client:
        for r in range(args.rounds):
            now = time.time()
            alerts = [
                {
                    "labels": {"alertname": f"Bench{g % 10}", "group": str(g), "instance": f"i{i}"},
                    "annotations": {"summary": f"round {r}"},
                    "startsAt": rfc3339(now),
                    "endsAt": rfc3339(now + 300),
                }
                for g in range(args.groups)
                for i in range(args.per_group)
            ]
            t = time.perf_counter()
            for k in range(0, len(alerts), args.batch):
                client.post(url + "/api/v2/alerts", json=alerts[k : k + args.batch]).raise_for_status()
            rates.append(len(alerts) / (time.perf_counter() - t))
    return rates


def delays(
    url: str, col_bodies: list[tuple[float, dict[str, object]]], args: argparse.Namespace
) -> list[float]:
    out = []
    with httpx.Client(timeout=10) as client:
        for p in range(args.probes):
            name = f"probe-{p}"
            before = len(col_bodies)
            sent = time.monotonic()
            client.post(
                url + "/api/v2/alerts",
                json=[{"labels": {"alertname": "Probe", "group": name}, "startsAt": rfc3339(time.time())}],
            ).raise_for_status()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                hits = [at for at, body in col_bodies[before:] if body["groupLabels"].get("group") == name]  # type: ignore[attr-defined]
                if hits:
                    out.append((hits[0] - sent - 1.0) * 1000)
                    break
                time.sleep(0.002)
    return out


def report(name: str, rates: list[float], ds: list[float]) -> None:
    rounds = " ".join(f"{r:,.0f}" for r in rates)
    q = statistics.quantiles(ds, n=20) if len(ds) >= 2 else ds * 19
    print(f"{name:>13}: ingest alerts/s per round: {rounds}")
    print(
        f"{'':>13}  flush due -> delivered: median {statistics.median(ds):.1f} ms, "
        f"p95 {q[18]:.1f} ms, max {max(ds):.1f} ms ({len(ds)} probes)"
    )


def run(system: str, args: argparse.Namespace, tmp: Path) -> None:
    with collector() as (col, hook):
        cfg = tmp / f"{system}.yml"
        cfg.write_text(CONFIG.format(url=hook))
        runner = erpmon(cfg, tmp) if system == "erpmon" else real_alertmanager(cfg, tmp, "http://bench")
        with runner as url:
            rates = ingest(url, args)
            time.sleep(2)  # let the first round's group flushes finish
            ds = delays(url, col.bodies, args)
        report(system, rates, ds)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--per-group", type=int, default=10)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--probes", type=int, default=40)
    ap.add_argument("--no-alertmanager", action="store_true")
    args = ap.parse_args(argv)
    print(
        f"{args.groups} groups x {args.per_group} alerts, {args.batch} alerts per request, "
        f"{os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as d:
        run("erpmon", args, Path(d))
        if not args.no_alertmanager:
            run("alertmanager", args, Path(d))


if __name__ == "__main__":
    main()
