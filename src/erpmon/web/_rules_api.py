"""Prometheus's rules API: /api/v1/rules and /api/v1/alerts, in 2.42's JSON shapes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from erpmon.model import format_e
from erpmon.rules import Alert, AlertingRule, Group
from erpmon.web._responses import error, rfc3339, success


def _alert_json(alert: Alert) -> dict[str, Any]:
    out: dict[str, Any] = {
        "labels": alert.labels.to_dict(),
        "annotations": dict(alert.annotations),
        "state": str(alert.state),
        "activeAt": rfc3339(alert.active_at),
        "value": format_e(alert.value),
    }
    if alert.keep_firing_since is not None:
        out["keepFiringSince"] = rfc3339(alert.keep_firing_since)
    return out


def _alerts_json(rule: AlertingRule) -> list[dict[str, Any]]:
    return [_alert_json(a) for a in sorted(rule.active_alerts(), key=lambda a: a.labels)]


def _rule_json(rule: object) -> dict[str, Any]:
    common: dict[str, Any] = {}
    if isinstance(rule, AlertingRule):
        common = {
            "state": str(rule.state()),
            "name": rule.name,
            "query": rule.query,
            "duration": rule.hold_ms / 1000.0,
            "keepFiringFor": rule.keep_firing_for_ms / 1000.0,
            "labels": dict(rule.labels),
            "annotations": dict(rule.annotations),
            "alerts": _alerts_json(rule),
        }
    else:
        common = {"name": getattr(rule, "name", ""), "query": getattr(rule, "query", "")}
        labels = dict(getattr(rule, "labels", ()))
        if labels:
            common["labels"] = labels
    common["health"] = getattr(rule, "health", "unknown")
    if getattr(rule, "last_error", ""):
        common["lastError"] = rule.last_error  # type: ignore[attr-defined]
    common["evaluationTime"] = getattr(rule, "eval_duration_s", 0.0)
    common["lastEvaluation"] = rfc3339(getattr(rule, "eval_timestamp_ms", None) or 0)
    common["type"] = "alerting" if isinstance(rule, AlertingRule) else "recording"
    return common


def rules_routes(groups: Callable[[], Sequence[Group]]) -> list[Route]:
    async def rules(request: Request) -> Response:
        kind = request.query_params.get("type", "").lower()
        if kind not in ("", "alert", "record"):
            return error("bad_data", f'invalid parameter "type": not supported value "{kind}"', 400)
        out = []
        for group in groups():
            picked = [
                rule
                for rule in group.rules
                if kind == "" or (kind == "alert") == isinstance(rule, AlertingRule)
            ]
            out.append(
                {
                    "name": group.name,
                    "file": group.file,
                    "rules": [_rule_json(rule) for rule in picked],
                    "interval": group.interval_ms / 1000.0,
                    "limit": group.limit,
                    "evaluationTime": group.counters.last_duration_s,
                    "lastEvaluation": rfc3339(group.counters.last_eval_ms or 0),
                }
            )
        return success({"groups": out})

    async def alerts(_: Request) -> Response:
        found = [
            _alert_json(alert)
            for group in groups()
            for rule in group.rules
            if isinstance(rule, AlertingRule)
            for alert in rule.active_alerts()
        ]
        return success({"alerts": found})

    return [
        Route("/api/v1/rules", rules, methods=["GET"]),
        Route("/api/v1/alerts", alerts, methods=["GET"]),
    ]
