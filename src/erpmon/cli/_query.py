"""`erpmon query instant|range`: ask a running erpmon (or any Prometheus) and print a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import httpx

DEFAULT_SERVER = "http://127.0.0.1:9090"


def add_query_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    query = sub.add_parser("query", help="Run a PromQL query against a server's HTTP API.")
    query_sub = query.add_subparsers(dest="query_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--server", default=DEFAULT_SERVER, help="Base URL of erpmon or Prometheus.")
    common.add_argument("-o", "--format", choices=["table", "json"], default="table", help="Output format.")
    instant = query_sub.add_parser("instant", parents=[common], help="Instant query.")
    instant.add_argument("expr")
    instant.add_argument(
        "--time", default="", help="Evaluation time (RFC 3339 or unix seconds); default now."
    )
    rng = query_sub.add_parser("range", parents=[common], help="Range query.")
    rng.add_argument("expr")
    rng.add_argument("--start", default="", help="Start (RFC 3339 or unix seconds); default an hour ago.")
    rng.add_argument("--end", default="", help="End (RFC 3339 or unix seconds); default now.")
    rng.add_argument("--step", default="", help="Step (duration or seconds); default 15s.")


def run_query(args: argparse.Namespace) -> int:
    if args.query_command == "instant":
        params = {"query": args.expr}
        if args.time:
            params["time"] = args.time
        path = "/api/v1/query"
    else:
        now = time.time()
        params = {
            "query": args.expr,
            "end": args.end or f"{now:.3f}",
            "start": args.start or f"{now - 3600:.3f}",
            "step": args.step or "15",
        }
        path = "/api/v1/query_range"
    try:
        resp = httpx.post(args.server.rstrip("/") + path, data=params, timeout=130)
        body = resp.json()
    except (httpx.HTTPError, ValueError) as err:
        print(f"error querying {args.server}: {err}", file=sys.stderr)
        return 1
    if body.get("status") != "success":
        print(f"Error executing query: {body.get('error', resp.text)}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(body["data"], indent=2))
    else:
        for line in format_table(body["data"]):
            print(line)
    return 0


def _metric(m: dict[str, str]) -> str:
    name = m.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(m.items()) if k != "__name__")
    return f"{name}{{{rest}}}" if rest or not name else name


def format_table(data: dict[str, Any]) -> list[str]:
    """promtool-like text: one `metric => value @[time]` line per sample."""
    kind, result = data["resultType"], data["result"]
    if kind in ("scalar", "string"):
        return [f"{kind} => {result[1]} @[{result[0]}]"]
    if kind == "vector":
        return [f"{_metric(s['metric'])} => {s['value'][1]} @[{s['value'][0]}]" for s in result]
    lines = []
    for s in result:
        lines.append(f"{_metric(s['metric'])} =>")
        lines.extend(f"  {v} @[{t}]" for t, v in s["values"])
    return lines
