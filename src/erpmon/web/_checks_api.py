"""`GET /api/v1/checks`: every check's state (status, last run, last error, the last result) and
the health score, in Prometheus's response envelope."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from erpmon.health import HealthRunner


def checks_routes(runner: HealthRunner) -> list[BaseRoute]:
    async def checks(_: Request) -> Response:
        score = runner.score
        data = {
            "checks": runner.views(),
            "health_score": None
            if score is None
            else {"score": score.value, "band": score.band, "deductions": list(score.deductions)},
        }
        return JSONResponse({"status": "success", "data": data})

    return [Route("/api/v1/checks", checks)]
