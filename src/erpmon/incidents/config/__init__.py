"""incidents.yml: which alert groups open incidents, and what happens then.

Owns: `IncidentsConfig` and its parts (open rules, the severity/SLA table, people, teams, on-call
schedules, remediation actions, named checks, escalation policies and status-page components), and
their decoding with file:line:col problems (`ConfigError`).
Reads from: `erpmon.config`'s YAML layer, alertmanager.yml's receiver syntax
(`erpmon.alerting.config`) for inline contacts, `erpmon.incidents.oncall` for schedules.
Hands on: a frozen config to the incident engine and the CLI.
"""

from erpmon.incidents.config._decode import load_incidents_config, parse_incidents_config
from erpmon.incidents.config._model import (
    STATUSES,
    Action,
    Check,
    Component,
    HTTPRequest,
    IncidentsConfig,
    OpenRule,
    Person,
    Policy,
    RateLimit,
    Severity,
    StatusPageConfig,
    Step,
    Target,
    Team,
    Verify,
)

__all__ = [
    "STATUSES",
    "Action",
    "Check",
    "Component",
    "HTTPRequest",
    "IncidentsConfig",
    "OpenRule",
    "Person",
    "Policy",
    "RateLimit",
    "Severity",
    "StatusPageConfig",
    "Step",
    "Target",
    "Team",
    "Verify",
    "load_incidents_config",
    "parse_incidents_config",
]
