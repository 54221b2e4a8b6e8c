"""Alertmanager 0.25's semantics in-process: routing, grouping, inhibition, silences, notifications.

Owns: the alert as Alertmanager holds it (`Alert`, fingerprints, RFC 3339 times), label matchers in
Alertmanager's spelling, and the read-only views the API shows. Sub-packages own the rest: `config`
(alertmanager.yml), `routing` (the route tree), `templates` (notification templates), `notify`
(receivers' integrations), `silences`, `forward` (sending rule alerts to external Alertmanagers),
and the dispatcher (aggregation groups, the notification pipeline, the notification log).
Reads from: `erpmon.model`, `erpmon.templates`, `erpmon.config` (the YAML layer).
Hands on: notifications to receivers; state to `erpmon.web`'s Alertmanager API.
"""

from erpmon.alerting._types import (
    Alert,
    fingerprint,
    format_fingerprint,
    format_rfc3339milli,
    format_rfc3339nano,
    parse_rfc3339,
)
from erpmon.alerting._views import AlertView, GroupView

__all__ = [
    "Alert",
    "AlertView",
    "GroupView",
    "fingerprint",
    "format_fingerprint",
    "format_rfc3339milli",
    "format_rfc3339nano",
    "parse_rfc3339",
]
