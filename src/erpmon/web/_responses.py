"""Prometheus API envelopes: {"status": "success", "data": ...} and the error form."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from starlette.responses import Response


class APIResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def success(data: Any, warnings: list[str] | None = None) -> APIResponse:
    body: dict[str, Any] = {"status": "success", "data": data}
    if warnings:
        body["warnings"] = warnings
    return APIResponse(body)


def error(error_type: str, message: str, status_code: int = 400) -> APIResponse:
    return APIResponse(
        {"status": "error", "errorType": error_type, "error": message}, status_code=status_code
    )


def rfc3339(ms: int) -> str:
    """Go's time.Time JSON form; the zero time when `ms` is 0 (never)."""
    if ms <= 0:
        return "0001-01-01T00:00:00Z"
    return dt.datetime.fromtimestamp(ms / 1000.0, tz=dt.UTC).isoformat().replace("+00:00", "Z")


def finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None
