"""The notification differential harness: the real Alertmanager and erpmon on one scripted timeline.

Owns: webhook collectors on 127.0.0.1, starting the `alertmanager` binary, playing a script of
alerts and silences to several systems at the same wall times, and the batches they delivered.
Used by tests/alerting/test_notification_differential.py and bench/alertmanager_vs_erpmon.py.
"""

from erpmon.alerting.testing._harness import (
    Batch,
    Collector,
    Step,
    alertmanager_binary,
    collector,
    free_port,
    real_alertmanager,
    rfc3339,
    run_script,
    wait_ready,
)

__all__ = [
    "Batch",
    "Collector",
    "Step",
    "alertmanager_binary",
    "collector",
    "free_port",
    "real_alertmanager",
    "rfc3339",
    "run_script",
    "wait_ready",
]
