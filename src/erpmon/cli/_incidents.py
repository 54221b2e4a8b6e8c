"""`erpmon incidents list|show|ack|resolve|note|report` (against a running server's API) and
`erpmon oncall who [--at TIME]` (from incidents.yml).

Readable output by default, `-o json` for machines. Exit codes: 0 done, 1 refused or failed
(unknown incident, bad token, server unreachable, bad config), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Any

import httpx

ENV_TOKEN = "ERPMON_API_TOKEN"


def add_incidents_commands(sub: Any) -> None:
    inc = sub.add_parser("incidents", help="List, show, acknowledge, resolve and annotate incidents.")
    inc.add_argument("--erpmon.url", dest="url", default="http://localhost:9090", help="erpmon's base URL.")
    inc.add_argument(
        "--token-file",
        dest="token_file",
        default="",
        help=f"File with the API token (default: ${ENV_TOKEN}).",
    )
    inc.add_argument("-o", "--output", choices=["text", "json"], default="text")
    inc_sub = inc.add_subparsers(dest="incidents_command", required=True)
    ls = inc_sub.add_parser("list", help="Incidents, newest first.")
    ls.add_argument("--state", choices=["open", "triggered", "acknowledged", "resolved"])
    for name, text in (("show", "One incident with its timeline."), ("report", "A post-incident report.")):
        p = inc_sub.add_parser(name, help=text)
        p.add_argument("id", type=int)
    for name, text in (("ack", "Acknowledge: stops the escalation."), ("resolve", "Resolve by hand.")):
        p = inc_sub.add_parser(name, help=text)
        p.add_argument("id", type=int)
        p.add_argument("--by", default=os.environ.get("USER", "cli"), help="Who (default: $USER).")
    note = inc_sub.add_parser("note", help="Add a note to the timeline.")
    note.add_argument("id", type=int)
    note.add_argument("text")
    note.add_argument("--by", default=os.environ.get("USER", "cli"))

    oncall = sub.add_parser("oncall", help="On-call schedules.")
    oncall_sub = oncall.add_subparsers(dest="oncall_command", required=True)
    who = oncall_sub.add_parser("who", help="Who is on call, per schedule.")
    who.add_argument("--config.file", dest="config_file", required=True, help="incidents.yml to read.")
    who.add_argument("--at", default="", help="RFC 3339 time (default: now).")
    who.add_argument("--schedule", default="", help="Only this schedule.")
    who.add_argument("-o", "--output", choices=["text", "json"], default="text")


def _token(args: argparse.Namespace) -> str:
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            return f.read().strip()
    return os.environ.get(ENV_TOKEN, "")


def _request(args: argparse.Namespace, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {}
    if method == "POST":
        token = _token(args)
        if token:
            headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(base_url=args.url.rstrip("/"), timeout=30) as client:
        resp = client.request(method, path, json=body, headers=headers)
    if resp.headers.get("content-type", "").startswith("text/markdown"):
        if resp.status_code != 200:
            raise RuntimeError(f"{resp.status_code}: {resp.text}")
        return resp.text
    try:
        payload = resp.json()
    except ValueError:
        raise RuntimeError(f"{resp.status_code}: {resp.text[:200]}") from None
    if resp.status_code != 200 or payload.get("status") != "success":
        raise RuntimeError(payload.get("error") or f"HTTP {resp.status_code}")
    return payload["data"]


def _line(i: dict[str, Any]) -> str:
    who = f" by {i['acknowledged_by']}" if i["acknowledged_by"] and i["state"] == "acknowledged" else ""
    return f"#{i['id']:<5} {i['state'] + who:<28} {i['severity']:<9} {i['opened_at']}  {i['title']}"


def _show(i: dict[str, Any]) -> str:
    esc = i["escalation"]
    out = [
        f"Incident #{i['id']}: {i['title']}",
        f"  state:      {i['state']}",
        f"  severity:   {i['severity']}",
        f"  opened:     {i['opened_at']}",
    ]
    if i["acknowledged_at"]:
        out.append(f"  acked:      {i['acknowledged_at']} by {i['acknowledged_by']}")
    if i["resolved_at"]:
        out.append(f"  resolved:   {i['resolved_at']} by {i['resolved_by']}")
    out.append(f"  escalation: {esc['policy'] or '-'} {esc['state']} (step {esc['step_name'] or '-'})")
    out.append(
        f"  respond by: {i['sla']['respond_by']}{' (breached)' if 'respond' in i['sla']['breached'] else ''}"
    )
    out.append("Timeline:")
    out += [f"  {e['at']}  {e['kind']:<13} {e['message']} ({e['actor']})" for e in i["timeline"]]
    return "\n".join(out)


def run_incidents(args: argparse.Namespace) -> int:
    cmd = args.incidents_command
    try:
        if cmd == "list":
            query = f"?state={args.state}" if args.state else ""
            data = _request(args, "GET", f"/api/v1/incidents{query}")
        elif cmd == "show":
            data = _request(args, "GET", f"/api/v1/incidents/{args.id}")
        elif cmd == "report":
            data = _request(args, "GET", f"/api/v1/incidents/{args.id}/report")
        elif cmd in ("ack", "resolve"):
            data = _request(args, "POST", f"/api/v1/incidents/{args.id}/{cmd}", {"by": args.by})
        else:
            data = _request(
                args, "POST", f"/api/v1/incidents/{args.id}/notes", {"by": args.by, "text": args.text}
            )
    except (httpx.HTTPError, OSError, RuntimeError) as err:
        print(f"erpmon: error: {err}", file=sys.stderr)
        return 1
    if args.output == "json" and cmd != "report":
        print(json.dumps(data, indent=2))
    elif cmd == "list":
        print("\n".join(_line(i) for i in data) if data else "No incidents.")
    elif cmd == "report":
        print(data, end="")
    else:
        print(_show(data))
    return 0


def parse_time(text: str) -> int:
    """RFC 3339 (a trailing Z or an offset) or Unix seconds, to ms."""
    if not text:
        return int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    try:
        return int(float(text) * 1000)
    except ValueError:
        pass
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"time {text!r} needs a zone offset or Z")
    return int(t.timestamp() * 1000)


def run_oncall(args: argparse.Namespace) -> int:
    from erpmon.config import ConfigError
    from erpmon.incidents._format import rfc3339
    from erpmon.incidents.config import load_incidents_config

    try:
        at = parse_time(args.at)
    except ValueError as err:
        print(f"erpmon: error: --at: {err}", file=sys.stderr)
        return 2
    try:
        cfg = load_incidents_config(args.config_file)
    except ConfigError as err:
        print(f"erpmon: error: {err}", file=sys.stderr)
        return 1
    names = [args.schedule] if args.schedule else list(cfg.schedules)
    if args.schedule and args.schedule not in cfg.schedules:
        print(f"erpmon: error: unknown schedule {args.schedule!r}", file=sys.stderr)
        return 1
    rows = []
    for name in names:
        shift = cfg.schedules[name].on_call(at)
        rows.append(
            {"schedule": name, "person": shift.person if shift else None,
             "full_name": cfg.people[shift.person].full_name if shift else None,
             "source": shift.source if shift else None,
             "from": rfc3339(shift.start_ms) if shift else None,
             "until": rfc3339(shift.end_ms) if shift else None}
        )  # fmt: skip
    if args.output == "json":
        print(json.dumps({"at": rfc3339(at), "on_call": rows}, indent=2))
        return 0
    print(f"On call at {rfc3339(at)}:")
    for r in rows:
        if r["person"] is None:
            print(f"  {r['schedule']}: nobody")
        else:
            print(f"  {r['schedule']}: {r['full_name']} ({r['person']}, {r['source']}) until {r['until']}")
    return 0
