"""Health checks and synthetic probes: the plan's system and application checks, scheduled.

Owns: checks.yml (`ChecksConfig`, with file:line:col problems), the probes (http, tcp, dns,
postgres, redis, process, host thresholds, metrics endpoint, command), `HealthRunner` (timeouts,
retries, the schedule, per-check state, blackbox_exporter-style metrics) and the plan's health
score (`health_score`, `erpgo_system_health_score`).
Reads from: the network and local processes; `erpmon.hostmetrics`' provider for host readings;
`erpmon.exposition` to validate metrics endpoints.
Hands on: metrics to erpmon's /metrics (scraped into the store, where rules and dashboards read
them), state to `/api/v1/checks`, results to `erpmon check`.
"""

from erpmon.health._config import (
    ChecksConfig,
    CheckSpec,
    Penalty,
    ScoreConfig,
    load_checks_config,
    parse_checks_config,
)
from erpmon.health._probes_local import HostSampler
from erpmon.health._result import CRITICAL, EXIT_CODES, OK, WARNING, CheckResult, worst
from erpmon.health._runner import HealthRunner, Score, health_score

__all__ = [
    "CRITICAL",
    "EXIT_CODES",
    "OK",
    "WARNING",
    "CheckResult",
    "CheckSpec",
    "ChecksConfig",
    "HealthRunner",
    "HostSampler",
    "Penalty",
    "Score",
    "ScoreConfig",
    "health_score",
    "load_checks_config",
    "parse_checks_config",
    "worst",
]
