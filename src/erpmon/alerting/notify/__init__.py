"""Receivers' integrations: webhook, email, Slack, PagerDuty, Opsgenie, SMS (Twilio) and apprise.

Owns: building a receiver's integrations from its config (`build_integrations`), each notifier's
request as Alertmanager 0.25 makes it (the webhook's version 4 payload, Slack's attachment,
PagerDuty's Events v2 message, Opsgenie's create/close, the email's MIME message), `deliver` (the
RetryStage: drop resolved alerts where not sent, retry with backoff until the flush's deadline) and
the notification metrics (`erpmon_notifications_total`, `..._failed_total{integration,reason}`,
`erpmon_notification_requests_*`, `erpmon_notification_latency_seconds`).
Reads from: `erpmon.alerting.config` (integration settings), a `Renderer` (`TemplateSet`).
Hands on: HTTP and SMTP requests; success or failure to the dispatcher's pipeline.
"""

from erpmon.alerting.notify._context import Notifier, NotifyContext, Renderer
from erpmon.alerting.notify._http import NotifyError
from erpmon.alerting.notify._integration import (
    Integration,
    NotifyMetrics,
    build_integrations,
    close_clients,
    deliver,
)

__all__ = [
    "Integration",
    "Notifier",
    "NotifyContext",
    "NotifyError",
    "NotifyMetrics",
    "Renderer",
    "build_integrations",
    "close_clients",
    "deliver",
]
