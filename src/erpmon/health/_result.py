"""A check's outcome: ok, warning or critical, with the reason and what was measured.

A probe either works (`success`, possibly with warnings such as a slow answer or a certificate
that expires soon) or fails with a reason; `status` folds both with the check's severity. Probes
report problems by raising `ProbeFailed` (or `ProbeWarning` collected on the way); anything else
that escapes a probe is caught by the runner and reported as a failure, never as a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, WARNING, CRITICAL = "ok", "warning", "critical"
EXIT_CODES = {OK: 0, WARNING: 1, CRITICAL: 2}


class ProbeFailed(Exception):
    """The target is not healthy; the message is the reason a person reads."""


@dataclass
class Probe:
    """What a probe fills in while it runs."""

    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    http_status: int | None = None
    cert_expiry_s: float | None = None  # Unix time of the earliest certificate expiry

    def warn(self, message: str) -> None:
        self.warnings.append(message)


@dataclass(frozen=True)
class CheckResult:
    name: str
    type: str
    success: bool
    status: str
    message: str
    duration_s: float
    at_ms: int
    attempts: int = 1
    details: dict[str, Any] = field(default_factory=dict)
    http_status: int | None = None
    cert_expiry_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type, "success": self.success, "status": self.status,
            "message": self.message, "duration_seconds": round(self.duration_s, 6), "attempts": self.attempts,
            "details": self.details, "http_status": self.http_status, "cert_expiry": self.cert_expiry_s,
        }  # fmt: skip


def worst(statuses: list[str]) -> str:
    return max(statuses, key=lambda s: EXIT_CODES[s], default=OK)
