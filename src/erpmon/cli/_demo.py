"""`erpmon erpgo serve` (the reference ERPGo, optionally with its simulator and a fault schedule) and
`erpmon demo` (that ERPGo plus `erpmon up` with the ERPGo pack, wired to a notification inbox).

The demo writes its configuration into the data directory, so a person can read what runs:
prometheus.yml (the pack's rules; ERPGo, the host and erpmon scraped every 5 s), alertmanager.yml
(the pack's routing, every receiver a webhook into erpmon's inbox), incidents.yml (the pack's three
levels, contacts in the inbox; restarting services clears ERPGo's faults, as a real restart would),
checks.yml (the pack's application checks against the demo ERPGo) and an API token.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FAULTS = (
    "application_down",
    "error_spike",
    "brute_force",
    "latency_spike",
    "order_backlog",
    "cache_miss_storm",
    "authz_burst",
    "slow_frontend",
    "memory_growth",
    "external_outage",
)


def add_demo_commands(sub: Any) -> None:
    erpgo = sub.add_parser("erpgo", help="The reference ERPGo service.")
    erpgo_sub = erpgo.add_subparsers(dest="erpgo_command", required=True)
    serve = erpgo_sub.add_parser("serve", help="Run the reference ERPGo (and its traffic simulator).")
    serve.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT to serve on.")
    serve.add_argument(
        "--database-url", default="sqlite:///erpgo.db", help="SQLAlchemy URL (PostgreSQL works)."
    )
    serve.add_argument(
        "--fault-key", default=os.environ.get("ERPGO_FAULT_KEY", ""), help="Key for the fault API."
    )
    serve.add_argument("--pool-size", type=int, default=100)
    serve.add_argument("--simulate", action="store_true", help="Send simulated customer traffic.")
    serve.add_argument("--visits-per-s", type=float, default=2.0)
    serve.add_argument(
        "--speed", type=float, default=60.0, help="How many times faster the simulated day runs."
    )
    serve.add_argument("--faults", default=",".join(DEFAULT_FAULTS), help="Scenarios to cycle through.")
    serve.add_argument(
        "--fault-duration", type=float, default=240.0, help="Seconds each scenario lasts (0: none)."
    )
    serve.add_argument("--fault-gap", type=float, default=120.0, help="Seconds of calm between scenarios.")

    demo = sub.add_parser("demo", help="The live demo: ERPGo, its simulator and erpmon with the ERPGo pack.")
    demo.add_argument("--web.listen-address", dest="listen_address", default="127.0.0.1:9090")
    demo.add_argument("--data-dir", default="demo-data")
    demo.add_argument("--erpgo.listen-address", dest="erpgo_listen", default="")
    demo.add_argument("--fault-duration", type=float, default=240.0)
    demo.add_argument("--fault-gap", type=float, default=120.0)


# -- erpmon erpgo serve ------------------------------------------------------------------------------


def run_erpgo(args: argparse.Namespace) -> int:
    from erpmon.instrument import configure_logging

    configure_logging("warning", service="erpgo-api")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


async def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from erpmon.erpgo import ERPGo, create_app
    from erpmon.simulate import Simulator

    host, _, port = args.listen.rpartition(":")
    service = ERPGo(args.database_url, fault_key=args.fault_key, pool_size=args.pool_size)
    server = uvicorn.Server(
        uvicorn.Config(create_app(service), host=host, port=int(port), log_config=None, access_log=False)
    )
    serving = asyncio.get_running_loop().create_task(server.serve())
    tasks: list[asyncio.Task[None]] = []
    while not server.started and not serving.done():
        await asyncio.sleep(0.05)
    sim: Simulator | None = None
    if args.simulate and server.started:
        sim = Simulator(
            f"http://{host}:{port}",
            fault_key=service.fault_key,
            visits_per_s=args.visits_per_s,
            speed=args.speed,
        )
        tasks.append(asyncio.get_running_loop().create_task(sim.run()))
        names = [n for n in args.faults.split(",") if n]
        if args.fault_duration > 0 and names:
            tasks.append(asyncio.get_running_loop().create_task(_schedule(sim, names, args)))
    try:
        await serving
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if sim is not None:
            await sim.aclose()


async def _schedule(sim: Any, names: list[str], args: argparse.Namespace) -> None:
    """Inject each scenario in turn: after a calm start, for `fault_duration`, then calm again."""
    await asyncio.sleep(min(args.fault_gap, 30.0))
    while True:
        for name in names:
            scenario = await sim.inject(name)
            print(
                f"erpgo: fault {name!r} on ({scenario.description}); expect {', '.join(scenario.alerts)}",
                flush=True,
            )
            await asyncio.sleep(args.fault_duration)
            await sim.clear(name)
            print(f"erpgo: fault {name!r} off", flush=True)
            await asyncio.sleep(args.fault_gap)


# -- erpmon demo ---------------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_demo_config(data: Path, listen: str, erpgo: str, fault_key: str) -> dict[str, Path]:
    from erpmon.packs.erpgo import alertmanager_config, checks_config, erpgo_pack_dir, incidents_config

    data.mkdir(parents=True, exist_ok=True)
    inbox = f"http://{listen}/api/v1/notifications/inbox"
    files = {
        name: data / name for name in ("prometheus.yml", "alertmanager.yml", "incidents.yml", "checks.yml")
    }
    files["token"] = data / "api-token"
    prometheus = {
        "global": {
            "scrape_interval": "5s",
            "evaluation_interval": "5s",
            "external_labels": {"cluster": "demo"},
        },
        "rule_files": [str(erpgo_pack_dir() / "rules" / "*.yml")],
        "scrape_configs": [
            {"job_name": "erpgo-api", "static_configs": [{"targets": [erpgo]}]},
            {"job_name": "node", "metrics_path": "/node/metrics", "static_configs": [{"targets": [listen]}]},
            {"job_name": "erpmon", "static_configs": [{"targets": [listen]}]},
        ],
    }
    files["prometheus.yml"].write_text(yaml.safe_dump(prometheus, sort_keys=False))
    am = yaml.safe_load(alertmanager_config().read_text())
    am["global"] = {"resolve_timeout": "5m"}
    am.pop("templates", None)
    am["route"].update(group_wait="10s", group_interval="1m")
    am["receivers"] = [
        {"name": r["name"], "webhook_configs": [{"url": f"{inbox}?receiver={r['name']}"}]}
        for r in am["receivers"]
    ]
    files["alertmanager.yml"].write_text(yaml.safe_dump(am, sort_keys=False))
    inc = yaml.safe_load(incidents_config().read_text())
    for person in inc["people"]:
        person["contacts"] = [{"webhook_configs": [{"url": f"{inbox}?receiver=person-{person['name']}"}]}]
    faults_url = f"http://{erpgo}/api/v1/admin/faults"
    for action in inc["actions"]:
        # A restart ends ERPGo's faults, as restarting the real service would; the others change
        # nothing here, so their incidents go on to Level 2.
        action.pop("command", None)
        if action["name"] == "restart_services":
            action["http"] = {
                "url": faults_url,
                "method": "PUT",
                "headers": {"X-Fault-Key": fault_key},
                "body": "{}",
            }
        else:
            action["command"] = [sys.executable, "-c", f"print('demo: {action['name']} is a no-op here')"]
    inc["policies"][0]["steps"][2]["after_open"] = "10m"
    files["incidents.yml"].write_text(yaml.safe_dump(inc, sort_keys=False))
    checks = yaml.safe_load(checks_config().read_text())
    checks["checks"] = [c for c in checks["checks"] if c["type"] not in ("postgres", "redis")]
    files["checks.yml"].write_text(yaml.safe_dump(checks, sort_keys=False))
    if not files["token"].exists():
        files["token"].write_text(secrets.token_urlsafe(24) + "\n")
        files["token"].chmod(0o600)
    return files


def run_demo(args: argparse.Namespace) -> int:
    data = Path(args.data_dir).resolve()
    listen = args.listen_address
    erpgo = args.erpgo_listen or f"127.0.0.1:{_free_port()}"
    fault_key = secrets.token_hex(16)
    files = write_demo_config(data, listen, erpgo, fault_key)
    python = [sys.executable, "-m", "erpmon"]
    env = {**os.environ, "ERPGO_URL": f"http://{erpgo}", "ERPGO_FAULT_KEY": fault_key}
    logs = {name: (data / f"{name}.log").open("ab") for name in ("erpgo", "erpmon")}
    children = [
        subprocess.Popen(
            [
                *python,
                "erpgo",
                "serve",
                f"--listen={erpgo}",
                f"--database-url=sqlite:///{data / 'erpgo.db'}",
                "--simulate",
                f"--fault-duration={args.fault_duration}",
                f"--fault-gap={args.fault_gap}",
            ],
            env=env,
            stdout=logs["erpgo"],
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [
                *python,
                "up",
                f"--web.listen-address={listen}",
                f"--config.file={files['prometheus.yml']}",
                f"--alertmanager.config.file={files['alertmanager.yml']}",
                f"--incidents.config.file={files['incidents.yml']}",
                f"--checks.config.file={files['checks.yml']}",
                f"--storage.tsdb.path={data / 'tsdb'}",
                f"--web.api-token-file={files['token']}",
                f"--web.external-url=http://{listen}/",
                "--web.notification-inbox",
                "--web.enable-lifecycle",
            ],
            env=env,
            stdout=logs["erpmon"],
            stderr=subprocess.STDOUT,
        ),
    ]
    base = f"http://{listen}"
    print(
        "\n".join(
            [
                "erpmon demo: ERPGo with simulated customers and scheduled faults, watched by erpmon",
                f"  erpmon (Prometheus API): {base}/api/v1/query?query=up    alerts: {base}/api/v1/alerts",
                f"  notifications:           {base}/notifications          JSON: {base}/api/v1/notifications",
                f"  incidents:               {base}/api/v1/incidents       status page: {base}/status",
                f"  health checks:           {base}/api/v1/checks",
                f"  ERPGo:                   http://{erpgo}/api/v1/health   metrics: http://{erpgo}/metrics",
                f"  configuration:           {data}/*.yml   (the API token: {files['token']})",
                f"  logs:                    {data}/erpgo.log (faults on and off), {data}/erpmon.log",
                "  The first fault starts in 30 s, its notification within a few minutes. Ctrl-C stops.",
            ]
        ),
        flush=True,
    )
    stop = {"now": False}

    def on_signal(*_: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    watcher = _Watcher(base)
    while not stop["now"]:
        watcher.poll()
        for child in children:
            if child.poll() is not None:
                print(f"erpmon demo: a component exited with {child.returncode}", file=sys.stderr)
                stop["now"], code = True, 1
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=20)
        if child.poll() is None:
            child.kill()
            child.wait()
    for f in logs.values():
        f.close()
    print("erpmon demo: stopped.", flush=True)
    return code


class _Watcher:
    """Prints each new notification of the inbox, so the terminal shows the demo unfold."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen = 0
        self.next_poll = 0.0

    def poll(self) -> None:
        import httpx

        if time.monotonic() < self.next_poll:
            return
        self.next_poll = time.monotonic() + 3.0
        try:
            items = httpx.get(f"{self.base}/api/v1/notifications?limit=50", timeout=2).json()["data"]
        except (httpx.HTTPError, ValueError, KeyError):
            return
        for n in reversed(items):
            if n["id"] <= self.seen:
                continue
            self.seen = n["id"]
            incident = n.get("incident")
            what = (
                f"incident #{incident['id']} {incident['step']}" if incident else ", ".join(n["alertnames"])
            )
            print(
                f"{time.strftime('%H:%M:%S')} notification to {n['receiver']}: [{n['status']}] {what}",
                flush=True,
            )
