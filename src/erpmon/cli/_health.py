"""`erpmon check system|app|all`: the plan's health-check scripts as one run of erpmon's checks.

Without `--config.file` the ERPGo pack's checks.yml is used; `--url` points its application checks
at another ERPGo (the scripts' `API_URL`). system = host thresholds (and the health score) and
processes; app = everything else. Exit codes as monitoring plugins use them: 0 ok, 1 warning,
2 critical (3 when the checks cannot be loaded).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

SYSTEM_TYPES = frozenset({"host", "process"})
CONFIG_ERROR = 3
MARK = {"ok": "OK  ", "warning": "WARN", "critical": "CRIT"}


def add_health_commands(check_sub: Any) -> None:
    for name, text in (
        ("system", "Host CPU, memory, disk, load and processes, with the health score."),
        ("app", "The application: health endpoints, response time, database, cache, external services."),
        ("all", "Every check."),
    ):
        p = check_sub.add_parser(name, help=text)
        p.add_argument(
            "--config.file", dest="checks_file", default="", help="checks.yml (default: the ERPGo pack's)."
        )
        p.add_argument("-o", "--output", choices=["text", "json"], default="text")
        if name != "system":
            p.add_argument("--url", default="", help="ERPGo's base URL (sets ERPGO_URL in checks.yml).")


def run_health(args: argparse.Namespace) -> int:
    from erpmon.cli._logging import setup_logging
    from erpmon.config import ConfigError

    setup_logging("error")  # the report is the output; failures are in it
    from erpmon.health import EXIT_CODES, HealthRunner, load_checks_config, worst
    from erpmon.packs.erpgo import checks_config

    overrides = {"ERPGO_URL": args.url.rstrip("/")} if getattr(args, "url", "") else {}
    path = args.checks_file or str(checks_config())
    try:
        cfg = load_checks_config(path, overrides=overrides)
    except ConfigError as err:
        print(f"erpmon: error: {err}", file=sys.stderr)
        return CONFIG_ERROR
    what = args.check_command
    specs = [
        c for c in cfg.checks
        if what == "all" or (c.type in SYSTEM_TYPES) == (what == "system")
    ]  # fmt: skip
    runner = HealthRunner(cfg)
    results = asyncio.run(runner.run_all(specs)) if specs else []
    status = worst([r.status for r in results])
    score = runner.score
    if args.output == "json":
        doc: dict[str, Any] = {"status": status, "checks": [r.to_json() for r in results]}
        if score is not None:
            doc["health_score"] = {
                "score": score.value,
                "band": score.band,
                "deductions": list(score.deductions),
            }
        print(json.dumps(doc, indent=2, default=str))
        return EXIT_CODES[status]
    width = max((len(f"{r.name} ({r.type})") for r in results), default=0)
    for r in results:
        detail = r.message
        if r.success and r.type in ("http", "metrics") and "latency_seconds" in r.details:
            detail = f"HTTP {r.http_status} in {r.details['latency_seconds'] * 1000:.0f} ms" + (
                f"; {r.message}" if r.status != "ok" else ""
            )
        if r.type == "host":
            d = r.details
            print(
                f"{MARK[r.status]}  {f'{r.name} ({r.type})':<{width}}  CPU {d.get('cpu_percent')}%, memory "
                f"{d.get('memory_percent')}%, disk {d.get('disk_percent')}%, load {d.get('load1')}, "
                f"up {int(d.get('uptime_seconds', 0)) // 3600} h"
            )
            if r.status != "ok":
                print(f"      {' ' * width}  {detail}")
            continue
        print(f"{MARK[r.status]}  {f'{r.name} ({r.type})':<{width}}  {detail}")
    if score is not None:
        extra = f" ({'; '.join(score.deductions)})" if score.deductions else ""
        print(f"Health score: {score.value}/100, {score.band}{extra}")
    if not results:
        print("No checks of this kind are configured.")
    print(f"Overall: {status}")
    return EXIT_CODES[status]
