"""Serving the metrics: one process, or every worker of a multi-process server.

Under gunicorn or `uvicorn --workers N`, each worker has its own counters. prometheus_client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR set before the workers start) writes them to files in
that directory, and `exposition_registry()` then returns a registry that merges every worker's
files, so whichever worker answers /metrics answers for all of them. `mark_process_dead(pid)`
belongs in gunicorn's child_exit hook.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client import multiprocess as _multiprocess
from starlette.requests import Request
from starlette.responses import Response

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_enabled() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def exposition_registry(registry: CollectorRegistry = REGISTRY) -> CollectorRegistry:
    if not multiprocess_enabled():
        return registry
    merged = CollectorRegistry()
    _multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
    return merged


def render(registry: CollectorRegistry = REGISTRY) -> bytes:
    return generate_latest(exposition_registry(registry))


async def metrics_endpoint(_: Request) -> Response:
    """A Starlette/FastAPI endpoint for /metrics."""
    return Response(render(), media_type=CONTENT_TYPE_LATEST)


def mark_process_dead(pid: int) -> None:
    """For gunicorn's child_exit: a dead worker's live gauges stop counting."""
    if multiprocess_enabled():
        _multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
