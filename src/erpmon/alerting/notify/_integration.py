"""An integration (one configured notifier of a receiver), building them, and delivering with retries.

`deliver` is Alertmanager's RetryStage: resolved alerts are dropped for integrations that do not
send them, then the notifier is called with exponential backoff until it succeeds, fails for good,
or the flush's timeout passes. It counts and logs every failure and never raises.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram

from erpmon.alerting._types import Alert
from erpmon.alerting.config import ReceiverConfig
from erpmon.alerting.notify._context import Notifier, NotifyContext, Renderer
from erpmon.alerting.notify._http import NotifyError
from erpmon.config import HTTPClientConfig
from erpmon.scrape import client_for

log = structlog.get_logger("erpmon.alerting.notify")

INTEGRATIONS = ("email", "slack", "webhook", "pagerduty", "opsgenie", "sms", "apprise")


@dataclass
class Integration:
    name: str
    index: int
    receiver_name: str
    send_resolved: bool
    notifier: Notifier
    # A client of its own when the integration's http_config asks for auth, TLS or a proxy;
    # whoever built the integrations closes it (`close_clients`).
    client: httpx.AsyncClient | None = None

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        return await self.notifier.notify(ctx, alerts)


class Unsupported:
    """An integration erpmon decodes but does not deliver (wechat, pushover, ...): always fails."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        return False, NotifyError(f"{self.kind} notifications are not supported by erpmon", "unsupported")


def build_integrations(
    receiver: ReceiverConfig, renderer: Renderer, *, client: httpx.AsyncClient | None = None
) -> list[Integration]:
    from erpmon.alerting.notify._apprise import AppriseNotifier
    from erpmon.alerting.notify._email import EmailNotifier
    from erpmon.alerting.notify._opsgenie import OpsgenieNotifier
    from erpmon.alerting.notify._pagerduty import PagerDutyNotifier
    from erpmon.alerting.notify._slack import SlackNotifier
    from erpmon.alerting.notify._sms import SMSNotifier
    from erpmon.alerting.notify._webhook import WebhookNotifier

    shared = client or httpx.AsyncClient()
    counts: dict[str, int] = {}
    out: list[Integration] = []
    for cfg in receiver.integrations:
        index = counts.get(cfg.kind, 0)
        counts[cfg.kind] = index + 1
        own = client_for(cfg.http) if cfg.http != HTTPClientConfig() else None
        http = own or shared
        notifier: Notifier
        if cfg.kind == "webhook":
            notifier = WebhookNotifier(cfg, renderer, http)
        elif cfg.kind == "slack":
            notifier = SlackNotifier(cfg, renderer, http)
        elif cfg.kind == "pagerduty":
            notifier = PagerDutyNotifier(cfg, renderer, http)
        elif cfg.kind == "opsgenie":
            notifier = OpsgenieNotifier(cfg, renderer, http)
        elif cfg.kind == "sms":
            notifier = SMSNotifier(cfg, renderer, http)
        elif cfg.kind == "email":
            notifier = EmailNotifier(cfg, renderer)
        elif cfg.kind == "apprise":
            notifier = AppriseNotifier(cfg, renderer)
        else:
            log.warning(
                "integration not supported; its notifications will fail",
                receiver=receiver.name,
                integration=cfg.kind,
            )
            notifier = Unsupported(cfg.kind)
        out.append(Integration(cfg.kind, index, receiver.name, cfg.send_resolved, notifier, own))
    return out


async def close_clients(integrations: Sequence[Integration]) -> None:
    for integration in integrations:
        if integration.client is not None:
            await integration.client.aclose()


class NotifyMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.total = Counter(
            "erpmon_notifications_total",
            "The total number of attempted notifications.",
            ["integration"],
            registry=registry,
        )
        self.failed = Counter(
            "erpmon_notifications_failed_total",
            "The total number of failed notifications.",
            ["integration", "reason"],
            registry=registry,
        )
        self.requests = Counter(
            "erpmon_notification_requests_total",
            "The total number of attempted notification requests.",
            ["integration"],
            registry=registry,
        )
        self.requests_failed = Counter(
            "erpmon_notification_requests_failed_total",
            "The total number of failed notification requests.",
            ["integration"],
            registry=registry,
        )
        self.latency = Histogram(
            "erpmon_notification_latency_seconds",
            "The latency of notifications in seconds.",
            ["integration"],
            buckets=(1, 5, 10, 15, 20),
            registry=registry,
        )
        for name in INTEGRATIONS:
            self.total.labels(name)
            self.requests.labels(name)
            self.requests_failed.labels(name)


INITIAL_BACKOFF_S = 0.5
MAX_BACKOFF_S = 60.0


async def deliver(
    integration: Integration,
    ctx: NotifyContext,
    alerts: Sequence[Alert],
    *,
    timeout_s: float,
    metrics: NotifyMetrics,
    limiter: asyncio.Semaphore | None = None,
) -> bool:
    """Send with retries until success, a permanent failure, or `timeout_s`; True when delivered.

    `limiter` bounds the requests in flight across all flushes: a thousand groups falling due
    together would otherwise queue a thousand requests on one connection pool, whose scheduling
    cost grows with the queue until connections time out.
    """
    name = integration.name
    metrics.total.labels(name).inc()
    sending = list(alerts)
    if not integration.send_resolved:
        sending = [a for a in alerts if not a.resolved_at(ctx.now_ns)]
        if not sending:
            return True
    deadline = time.monotonic() + timeout_s
    backoff = INITIAL_BACKOFF_S
    attempt = 0
    last: Exception | None = None
    while True:
        attempt += 1
        started = time.monotonic()
        try:
            retry, err = await asyncio.wait_for(
                integration.notify(ctx, sending), max(0.001, deadline - started)
            )
        except TimeoutError:
            retry, err = True, NotifyError("notify attempt timed out", "other")
        except Exception as exc:  # a notifier bug must count as a failure, not kill the flush
            retry, err = False, exc
        metrics.latency.labels(name).observe(time.monotonic() - started)
        metrics.requests.labels(name).inc()
        if err is None:
            if attempt > 1:
                log.info(
                    "notify success", receiver=integration.receiver_name, integration=name, attempts=attempt
                )
            return True
        metrics.requests_failed.labels(name).inc()
        last = err
        reason = getattr(err, "reason", "other")
        if not retry:
            log.error(
                "notify failed, not retrying",
                receiver=integration.receiver_name,
                integration=name,
                attempts=attempt,
                err=str(err),
            )
            metrics.failed.labels(name, reason).inc()
            return False
        log.warning(
            "notify attempt failed, will retry later",
            receiver=integration.receiver_name,
            integration=name,
            attempts=attempt,
            err=str(err),
        )
        wait = backoff * (0.5 + random.random())
        backoff = min(backoff * 1.5, MAX_BACKOFF_S)
        if time.monotonic() + wait >= deadline:
            log.error(
                "notify retry canceled",
                receiver=integration.receiver_name,
                integration=name,
                attempts=attempt,
                err=str(last),
            )
            metrics.failed.labels(name, getattr(last, "reason", "other")).inc()
            return False
        await asyncio.sleep(wait)


async def _limited(
    limiter: asyncio.Semaphore | None, integration: Integration, ctx: NotifyContext, alerts: Sequence[Alert]
) -> tuple[bool, Exception | None]:
    if limiter is None:
        return await integration.notify(ctx, alerts)
    async with limiter:
        return await integration.notify(ctx, alerts)
