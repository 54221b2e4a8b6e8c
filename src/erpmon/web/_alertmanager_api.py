"""Alertmanager's v2 API (0.25) on erpmon: alerts, alert groups, silences, status and receivers.

The shapes follow api/v2/openapi.yaml, so `amtool`, Grafana and a Prometheus sending alerts work
against erpmon unchanged. State lives in the alerting service; these handlers validate, convert
and filter. Malformed requests get Alertmanager's status codes and are counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import re2
from prometheus_client import CollectorRegistry, Counter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from erpmon import __version__
from erpmon.alerting import (
    Alert,
    AlertView,
    GroupView,
    format_fingerprint,
    format_rfc3339milli,
    parse_rfc3339,
)
from erpmon.alerting._matcher_parse import MatcherParseError, parse_matchers
from erpmon.alerting._matchers import matcher_from_flags, matcher_to_api, matches_all
from erpmon.alerting.silences import Silence, SilenceError, SilenceNotFound, Silences
from erpmon.model import Labels, Matcher, RegexError, is_valid_label_name


@dataclass
class AlertmanagerWebContext:
    silences: Silences
    now_ns: Callable[[], int]
    put_alerts: Callable[[Sequence[Alert]], None]
    resolve_timeout_ns: Callable[[], int]
    list_alerts: Callable[[], Sequence[AlertView]]
    list_groups: Callable[[], Sequence[GroupView]]
    receivers: Callable[[], Sequence[str]]
    config_yaml: Callable[[], str]
    started_ns: int
    registry: CollectorRegistry | None = None


class BadRequest(Exception):
    pass


def alertmanager_routes(ctx: AlertmanagerWebContext) -> list[BaseRoute]:
    invalid = Counter(
        "erpmon_alertmanager_api_invalid_requests_total",
        "Requests to the Alertmanager v2 API refused as malformed.",
        ["endpoint"],
        registry=ctx.registry,
    )
    received = Counter(
        "erpmon_alerts_received_total",
        "The total number of received alerts.",
        ["status"],
        registry=ctx.registry,
    )

    def bad(endpoint: str, message: str, code: int = 400) -> Response:
        invalid.labels(endpoint).inc()
        return JSONResponse(message, status_code=code)

    async def post_alerts(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            if not isinstance(body, list):
                raise BadRequest("alerts must be a JSON array")
            now = ctx.now_ns()
            alerts, errors = [], []
            for item in body:
                try:
                    alert = _postable_alert(item, now, ctx.resolve_timeout_ns())
                except BadRequest as err:
                    errors.append(str(err))
                    continue
                received.labels("resolved" if alert.resolved_at(now) else "firing").inc()
                alerts.append(alert)
        except (ValueError, BadRequest) as err:
            return bad("post_alerts", f"parsing alerts body: {err}")
        ctx.put_alerts(alerts)
        if errors:
            return bad("post_alerts", "; ".join(errors))
        return Response(status_code=200)

    def filters(request: Request, endpoint: str) -> tuple[Callable[[AlertView], bool], None] | Response:
        q = request.query_params
        try:
            matchers = [m for f in q.getlist("filter") for m in parse_matchers(f)]
        except MatcherParseError as err:
            return bad(endpoint, str(err))
        receiver_re = None
        if q.get("receiver"):
            try:
                receiver_re = re2.compile("^(?:" + q["receiver"] + ")$")
            except re2.error as err:
                return bad(endpoint, f"failed to parse receiver param: {err}")
        flags = {
            k: q.get(k, "true").lower() != "false" for k in ("active", "silenced", "inhibited", "unprocessed")
        }
        now = ctx.now_ns()

        def keep(v: AlertView) -> bool:
            if v.alert.resolved_at(now):
                return False
            if not flags["active"] and v.state == "active":
                return False
            if not flags["unprocessed"] and v.state == "unprocessed":
                return False
            if not flags["silenced"] and v.silenced_by:
                return False
            if not flags["inhibited"] and v.inhibited_by:
                return False
            if receiver_re is not None and not any(receiver_re.match(r) for r in v.receivers):
                return False
            return matches_all(matchers, v.alert.labels)

        return keep, None

    async def get_alerts(request: Request) -> Response:
        got = filters(request, "get_alerts")
        if isinstance(got, Response):
            return got
        keep = got[0]
        out = [_gettable_alert(v) for v in ctx.list_alerts() if keep(v)]
        out.sort(key=lambda a: a["fingerprint"])
        return JSONResponse(out)

    async def get_groups(request: Request) -> Response:
        got = filters(request, "get_alert_groups")
        if isinstance(got, Response):
            return got
        keep = got[0]
        out = []
        for g in ctx.list_groups():
            alerts = [_gettable_alert(a) for a in g.alerts if keep(a)]
            if alerts:
                out.append({"alerts": alerts, "labels": g.labels.to_dict(), "receiver": {"name": g.receiver}})
        return JSONResponse(out)

    async def get_silences(request: Request) -> Response:
        try:
            matchers = [m for f in request.query_params.getlist("filter") for m in parse_matchers(f)]
        except MatcherParseError as err:
            return bad("get_silences", str(err))
        now = ctx.now_ns()
        sils = [s for s in ctx.silences.query() if all(m in s.matchers for m in matchers)]
        return JSONResponse([_gettable_silence(s, now) for s in _sort_silences(sils, now)])

    async def post_silences(request: Request) -> Response:
        try:
            sil = _postable_silence(json.loads(await request.body()))
        except (ValueError, BadRequest, KeyError, TypeError) as err:
            return bad("post_silences", f"failed to convert API silence to internal silence: {err}")
        if sil.starts_at >= sil.ends_at:
            return bad("post_silences", "Failed to create silence: start time must be before end time")
        if sil.ends_at < ctx.now_ns():
            return bad("post_silences", "Failed to create silence: end time can't be in the past")
        try:
            sid = ctx.silences.set(sil)
        except SilenceNotFound:
            return bad("post_silences", "not found", 404)
        except SilenceError as err:
            return bad("post_silences", str(err))
        return JSONResponse({"silenceID": sid})

    async def get_silence(request: Request) -> Response:
        try:
            s = ctx.silences.get(request.path_params["sid"])
        except SilenceNotFound:
            return Response(status_code=404)
        return JSONResponse(_gettable_silence(s, ctx.now_ns()))

    async def delete_silence(request: Request) -> Response:
        try:
            ctx.silences.expire(request.path_params["sid"])
        except SilenceNotFound:
            return JSONResponse("not found", status_code=500)
        return Response(status_code=200)

    async def status(_: Request) -> Response:
        uptime = format_rfc3339milli(ctx.started_ns)
        return JSONResponse(
            {
                "cluster": {"peers": [], "status": "disabled"},
                "config": {"original": ctx.config_yaml()},
                "uptime": uptime,
                "versionInfo": {
                    "branch": "erpmon",
                    "buildDate": "",
                    "buildUser": "erpmon",
                    "goVersion": "python",
                    "revision": f"erpmon-{__version__}",
                    "version": "0.25.0",
                },
            }
        )

    async def receivers(_: Request) -> Response:
        return JSONResponse([{"name": n} for n in ctx.receivers()])

    return [
        Route("/api/v2/alerts", post_alerts, methods=["POST"]),
        Route("/api/v2/alerts", get_alerts, methods=["GET"]),
        Route("/api/v2/alerts/groups", get_groups, methods=["GET"]),
        Route("/api/v2/silences", get_silences, methods=["GET"]),
        Route("/api/v2/silences", post_silences, methods=["POST"]),
        Route("/api/v2/silence/{sid}", get_silence, methods=["GET"]),
        Route("/api/v2/silence/{sid}", delete_silence, methods=["DELETE"]),
        Route("/api/v2/status", status, methods=["GET"]),
        Route("/api/v2/receivers", receivers, methods=["GET"]),
    ]


def _time(d: dict[str, Any], key: str) -> int | None:
    value = d.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key} in body must be of type date-time")
    try:
        return parse_rfc3339(value)
    except ValueError as err:
        raise BadRequest(f"{key} in body must be of type date-time: {err}") from err


def _label_map(d: Any, what: str) -> dict[str, str]:
    if d is None:
        return {}
    if not isinstance(d, dict) or not all(isinstance(v, str) for v in d.values()):
        raise BadRequest(f"{what} in body must be a map of strings")
    return d


def _postable_alert(item: Any, now: int, resolve_timeout: int) -> Alert:
    """`postAlertsHandler` for one alert: defaults for start and end, then `Validate`."""
    if not isinstance(item, dict):
        raise BadRequest("alert must be an object")
    if "labels" not in item:
        raise BadRequest("labels in body is required")
    labels = {k: v for k, v in _label_map(item["labels"], "labels").items() if v}
    annotations = _label_map(item.get("annotations"), "annotations")
    starts, ends = _time(item, "startsAt"), _time(item, "endsAt")
    timeout = False
    if starts is None:
        starts = ends if ends is not None else now
    if ends is None:
        timeout, ends = True, now + resolve_timeout
    for name in labels:
        if not is_valid_label_name(name):
            raise BadRequest(f'invalid label set: invalid name "{name}"')
    if not labels:
        raise BadRequest("at least one label pair required")
    if ends < starts:
        raise BadRequest("start time must be before end time")
    return Alert(
        Labels(labels),
        Labels.from_sorted(tuple(sorted(annotations.items()))),
        starts,
        ends,
        str(item.get("generatorURL") or ""),
        updated_at=now,
        timeout=timeout,
    )


def _gettable_alert(v: AlertView) -> dict[str, Any]:
    a = v.alert
    out: dict[str, Any] = {
        "annotations": dict(a.annotations.pairs),
        "endsAt": format_rfc3339milli(a.ends_at),
        "fingerprint": format_fingerprint(a.fingerprint),
        "receivers": [{"name": r} for r in v.receivers],
        "startsAt": format_rfc3339milli(a.starts_at),
        "status": {"inhibitedBy": list(v.inhibited_by), "silencedBy": list(v.silenced_by), "state": v.state},
        "updatedAt": format_rfc3339milli(a.updated_at),
        "labels": a.labels.to_dict(),
    }
    if a.generator_url:  # omitted when empty, as go-swagger's omitempty does
        out["generatorURL"] = a.generator_url
    return out


def _postable_silence(d: Any) -> Silence:
    if not isinstance(d, dict):
        raise BadRequest("silence must be an object")
    matchers: list[Matcher] = []
    for m in d.get("matchers") or []:
        try:
            matchers.append(
                matcher_from_flags(
                    str(m["name"]),
                    str(m["value"]),
                    is_regex=bool(m["isRegex"]),
                    is_equal=bool(m.get("isEqual", True)),
                )
            )
        except RegexError as err:
            raise BadRequest(str(err)) from err
    starts, ends = _time(d, "startsAt"), _time(d, "endsAt")
    if starts is None or ends is None:
        raise BadRequest("startsAt and endsAt are required")
    return Silence(
        str(d.get("id") or ""),
        tuple(matchers),
        starts,
        ends,
        0,
        str(d.get("createdBy", "")),
        str(d.get("comment", "")),
    )


def _gettable_silence(s: Silence, now: int) -> dict[str, Any]:
    return {
        "id": s.id,
        "status": {"state": s.state(now)},
        "updatedAt": format_rfc3339milli(s.updated_at),
        "comment": s.comment,
        "createdBy": s.created_by,
        "endsAt": format_rfc3339milli(s.ends_at),
        "matchers": [matcher_to_api(m) for m in s.matchers],
        "startsAt": format_rfc3339milli(s.starts_at),
    }


def _sort_silences(sils: list[Silence], now: int) -> list[Silence]:
    """`SortSilences`: active by end, then pending by start, then expired by end, latest first."""
    order = {"active": 0, "pending": 1, "expired": 2}

    def key(s: Silence) -> tuple[int, int]:
        state = s.state(now)
        if state == "active":
            return (0, s.ends_at)
        if state == "pending":
            return (1, s.starts_at)
        return (order[state], -s.ends_at)

    return sorted(sils, key=key)
