"""The dispatcher: alerts into aggregation groups per route, groups flushed through the notify pipeline.

Owns: aggregation groups and their group_wait / group_interval timers (`dispatch.Dispatcher`,
`aggrGroup`), the notification pipeline of Alertmanager 0.25 (inhibit, active and mute time
intervals, silence, then per integration: dedup against the notification log, delivery with
retries, and logging what was sent), and the `Silencer` that marks silenced alerts.
Reads from: `erpmon.alerting` (alerts, marker, store, inhibitor, notification log, routing).
Hands on: `FlushContext` and alerts to a `Deliver` callable (the receivers' integrations).
"""

from erpmon.alerting.dispatch._dispatcher import Dispatcher, DispatcherMetrics
from erpmon.alerting.dispatch._group import AggregationGroup, FlushContext
from erpmon.alerting.dispatch._pipeline import Deliver, Integration, Pipeline
from erpmon.alerting.dispatch._silencer import Silencer, SilenceSource

__all__ = [
    "AggregationGroup",
    "Deliver",
    "Dispatcher",
    "DispatcherMetrics",
    "FlushContext",
    "Integration",
    "Pipeline",
    "SilenceSource",
    "Silencer",
]
