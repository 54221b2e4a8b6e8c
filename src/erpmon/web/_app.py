"""The Starlette application: management endpoints, /metrics, and the status and targets APIs."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Lifespan

from erpmon.config import format_duration
from erpmon.scrape import PoolView, Target
from erpmon.web._responses import error, rfc3339, success

EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class WebContext:
    """What the HTTP layer may see and do; the CLI fills it in."""

    is_ready: Callable[[], bool]
    reload: Callable[[], Awaitable[str | None]]  # returns an error message or None
    pools: Callable[[], list[PoolView]]
    tsdb_status: Callable[[int], dict[str, Any]]
    metrics: Callable[[], bytes]
    config_yaml: Callable[[], str]
    runtime_info: Callable[[], dict[str, Any]]
    metadata: Callable[[], dict[str, list[dict[str, str]]]]
    host_metrics: Callable[[], bytes] | None = None
    flags: Mapping[str, str] = field(default_factory=dict)
    build_info: Mapping[str, str] = field(default_factory=dict)
    enable_lifecycle: bool = False


def build_app(
    ctx: WebContext, lifespan: Lifespan[Starlette] | None = None, extra_routes: Sequence[BaseRoute] = ()
) -> Starlette:
    async def healthy(_: Request) -> Response:
        return PlainTextResponse("erpmon is Healthy.\n")

    async def ready(_: Request) -> Response:
        if ctx.is_ready():
            return PlainTextResponse("erpmon is Ready.\n")
        return PlainTextResponse("Service Unavailable", status_code=503)

    async def reload(_: Request) -> Response:
        if not ctx.enable_lifecycle:
            return PlainTextResponse("Lifecycle API is not enabled.", status_code=403)
        err = await ctx.reload()
        if err is not None:
            return PlainTextResponse(f"failed to reload config: {err}", status_code=500)
        return PlainTextResponse("")

    async def metrics(_: Request) -> Response:
        return Response(ctx.metrics(), media_type=EXPOSITION_CONTENT_TYPE)

    async def host_metrics(_: Request) -> Response:
        if ctx.host_metrics is None:
            return PlainTextResponse("host collector is disabled (--no-collector.host)", status_code=404)
        # Collection may block on a hung mount (bounded by the collector's mount timeout).
        body = await asyncio.to_thread(ctx.host_metrics)
        return Response(body, media_type=EXPOSITION_CONTENT_TYPE)

    async def targets(request: Request) -> Response:
        state = request.query_params.get("state", "any").lower()
        pool_filter = request.query_params.get("scrapePool")
        pools = [p for p in ctx.pools() if pool_filter is None or p.job_name == pool_filter]
        data: dict[str, Any] = {"activeTargets": [], "droppedTargets": []}
        if state in ("any", "active"):
            data["activeTargets"] = [_target_json(p.job_name, t) for p in pools for t in p.active]
        if state in ("any", "dropped"):
            data["droppedTargets"] = [
                {"discoveredLabels": d.discovered_labels.to_dict()} for p in pools for d in p.dropped
            ]
        return success(data)

    async def tsdb_status(request: Request) -> Response:
        try:
            limit = int(request.query_params.get("limit", "10"))
        except ValueError:
            return error("bad_data", "limit must be a number")
        if limit < 1:
            return error("bad_data", "limit must be a positive number")
        return success(ctx.tsdb_status(limit))

    async def status_config(_: Request) -> Response:
        return success({"yaml": ctx.config_yaml()})

    async def status_flags(_: Request) -> Response:
        return success(dict(ctx.flags))

    async def status_buildinfo(_: Request) -> Response:
        return success(dict(ctx.build_info))

    async def status_runtimeinfo(_: Request) -> Response:
        return success(ctx.runtime_info())

    async def metadata(request: Request) -> Response:
        md = ctx.metadata()
        metric = request.query_params.get("metric")
        if metric is not None:
            md = {metric: md[metric]} if metric in md else {}
        limit = request.query_params.get("limit")
        if limit and limit.lstrip("-").isdigit() and int(limit) >= 0:
            md = dict(list(md.items())[: int(limit)])
        return success(md)

    routes = [
        Route("/-/healthy", healthy, methods=["GET", "HEAD"]),
        Route("/-/ready", ready, methods=["GET", "HEAD"]),
        Route("/-/reload", reload, methods=["POST", "PUT"]),
        Route("/metrics", metrics),
        Route("/node/metrics", host_metrics),
        Route("/api/v1/targets", targets),
        Route("/api/v1/status/tsdb", tsdb_status),
        Route("/api/v1/status/config", status_config),
        Route("/api/v1/status/flags", status_flags),
        Route("/api/v1/status/buildinfo", status_buildinfo),
        Route("/api/v1/status/runtimeinfo", status_runtimeinfo),
        Route("/api/v1/metadata", metadata),
    ]
    return Starlette(routes=[*routes, *extra_routes], lifespan=lifespan)


def _target_json(job: str, t: Target) -> dict[str, Any]:
    url = t.url()
    return {
        "discoveredLabels": t.discovered_labels.to_dict(),
        "labels": t.public_labels.to_dict(),
        "scrapePool": job,
        "scrapeUrl": url,
        "globalUrl": _global_url(url),
        "lastError": t.last_error,
        "lastScrape": rfc3339(t.last_scrape_ms),
        "lastScrapeDuration": t.last_scrape_duration_s,
        "health": t.health.value,
        "scrapeInterval": format_duration(t.interval_ms),
        "scrapeTimeout": format_duration(t.timeout_ms),
    }


def _global_url(url: str) -> str:
    """Prometheus replaces loopback hosts with the machine's hostname in globalUrl."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in ("localhost", "127.0.0.1", "::1"):
        netloc = parts.netloc.replace(host if host != "::1" else "[::1]", socket.gethostname(), 1)
        return urlunsplit(parts._replace(netloc=netloc))
    return url
