"""Forwarding rule alerts to external Alertmanagers with Prometheus 2.42's notifier semantics.

Owns: converting rule alerts to Alertmanager alerts (`rule_alerts_to_am`, shared with the embedded
dispatcher), the bounded send queue with external labels and `alert_relabel_configs`, batches of
64, Alertmanager discovery (static and file_sd, `__scheme__`/`__alerts_path__`/`__address__` and
per-entry target relabeling), API v1/v2 bodies, and the `erpmon_forward_*` self-metrics.
Reads from: `erpmon.rules` (the `Alert` a rule hands on), `erpmon.config` (`AlertingConfig`),
`erpmon.relabel`, and `erpmon.scrape`'s file discovery and HTTP client.
Hands on: HTTP POSTs to Alertmanagers; the Alertmanager list to `/api/v1/alertmanagers`.
"""

from erpmon.alerting.forward._convert import (
    make_notify_func,
    query_escape,
    rule_alerts_to_am,
    table_link_for_expression,
)
from erpmon.alerting.forward._forwarder import (
    DEFAULT_QUEUE_CAPACITY,
    MAX_BATCH_SIZE,
    AlertForwarder,
    alertmanagers_api_data,
)
from erpmon.alerting.forward._payload import v1_body, v2_body

__all__ = [
    "DEFAULT_QUEUE_CAPACITY",
    "MAX_BATCH_SIZE",
    "AlertForwarder",
    "alertmanagers_api_data",
    "make_notify_func",
    "query_escape",
    "rule_alerts_to_am",
    "table_link_for_expression",
    "v1_body",
    "v2_body",
]
