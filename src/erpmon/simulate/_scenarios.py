"""Named fault scenarios: what to break in ERPGo, or in its traffic, and which pack alerts follow.

A scenario sets the reference service's `Faults`, changes the shape of the simulated traffic, or
adds an attacker, at least one per alert family of the pack. Some pack alerts cannot be caused by
a simulator on one machine; `NOT_SIMULATED` says which and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    alerts: tuple[str, ...]  # the pack alerts it makes fire
    faults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    traffic: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    attack: str = ""  # brute_force, authz_burst, api_abuse


def _s(name: str, description: str, alerts: tuple[str, ...], **kw: Any) -> Scenario:
    for key in ("faults", "traffic"):
        if key in kw:
            kw[key] = MappingProxyType(kw[key])
    return Scenario(name, description, alerts, **kw)


SCENARIOS: Mapping[str, Scenario] = MappingProxyType(
    {
        s.name: s
        for s in (
            _s(
                "error_spike",
                "a fifth of API requests fail with 500",
                ("HighErrorRate",),
                faults={"error_rate": 0.2},
            ),
            _s(
                "latency_spike",
                "every API request takes 1.5 s longer",
                ("HighResponseTime",),
                faults={"latency_s": 1.5},
            ),
            _s(
                "application_down",
                "ERPGo answers 503 to everything, /metrics included",
                ("ApplicationDown",),
                faults={"down": True},
            ),
            _s(
                "database_saturation",
                "90 pool connections held busy",
                ("DatabaseConnectionIssues",),
                faults={"hold_connections": 90},
            ),
            _s(
                "slow_queries",
                "each transaction runs a 1.2 s statement first",
                ("SlowQueries",),
                faults={"slow_queries_s": 1.2},
            ),
            _s(
                "cache_miss_storm",
                "the product cache misses every lookup",
                ("LowCacheHitRate",),
                faults={"cache_disabled": True},
            ),
            _s(
                "external_outage",
                "the payment gateway reports unhealthy",
                ("ServiceDown",),
                faults={"unhealthy": ["payment-gateway"]},
            ),
            _s(
                "memory_growth",
                "the API process grows by 40 MB/s",
                ("APIHighMemoryUsage",),
                faults={"leak_mb_per_s": 40},
            ),
            _s(
                "no_orders",
                "customers browse but nobody orders",
                ("NoOrdersProcessed",),
                traffic={"order": 0.0},
            ),
            _s(
                "order_backlog",
                "orders are placed and nobody processes them",
                ("OrderProcessingBacklog", "LowOrderCompletionRate"),
                traffic={"order": 4.0, "complete": 0.0},
            ),
            _s(
                "revenue_drop",
                "orders are cancelled instead of paid",
                ("RevenueDrop", "LowOrderCompletionRate"),
                traffic={"complete": 0.05},
            ),
            _s(
                "brute_force",
                "one address tries passwords as fast as it can",
                ("BruteForceAttack", "SuspiciousIPActivity", "HighAuthenticationFailureRate"),
                attack="brute_force",
            ),
            _s(
                "authz_burst",
                "a signed-in customer probes the admin API",
                ("HighAuthorizationFailureRate",),
                attack="authz_burst",
            ),
            _s("api_abuse", "a client replays forged tokens", ("APIAbuseDetected",), attack="api_abuse"),
            _s(
                "slow_frontend",
                "browsers report slow pages, layout shifts and script errors",
                ("SlowPageLoad", "HighLayoutShift", "HighJavaScriptErrorRate"),
                traffic={"slow_pages": 1.0},
            ),
        )
    }
)

NOT_SIMULATED: Mapping[str, str] = MappingProxyType(
    {
        "HighCPUUsage": "host-wide: the simulator does not load the machine's CPUs",
        "HighMemoryUsage": "host-wide: filling the machine's memory would harm the machine",
        "LowDiskSpace": "host-wide: filling the disk would harm the machine",
        "HighLoadAverage": "host-wide load",
        "ContainerRestarts": "needs a container runtime and cAdvisor; erpmon runs without containers",
        "DatabaseConnectionHigh": "reads postgres_exporter's pg_stat_activity_count (no exporter here)",
        "DatabaseSizeGrowth": "reads postgres_exporter, over 7 days",
        "Predicted*CapacityIssue": "predict_linear over hours of host trends",
        "HighRequestVolume": "1000 requests/s is beyond a 2-core demo machine",
        "NoNewUsers": "a 4-hour window",
        "LowUserEngagement": "a 1-day window",
        "LowUserSatisfaction": "a 1-day window",
        "SuspiciousActivitySpike": "100 detections in an hour; brute_force raises it slowly",
        "AnomalousUserBehavior": "more than 10 users locked out at once",
        "SystemHealthScoreLow": "host-wide: follows CPU, memory and disk",
    }
)
