"""Alerting rules: the alert state machine of Prometheus 2.42's `rules/alerting.go`.

Each evaluation turns the expression's samples into alerts identified by their label set
(sample labels without `__name__`, then the rule's templated labels, then `alertname`). A new
alert is pending; it fires once it has been active for `for`; when its sample disappears it
becomes inactive (resolved), unless it fired and `keep_firing_for` has not passed since the sample
disappeared. Resolved alerts stay 15 minutes so the notifier can keep reporting them resolved.
While the rule is `restored`, each evaluation yields the `ALERTS` and `ALERTS_FOR_STATE` samples.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from erpmon.model import METRIC_NAME, Labels
from erpmon.promql import InstantVector
from erpmon.rules._file import RuleSpec
from erpmon.templates import ALERT_TEMPLATE_DEFS, Expander, QuerySample, TemplateError, alert_template_data

log = logging.getLogger(__name__)

QueryFunc = Callable[[str, int], InstantVector]
"""How rules run queries: (expression, evaluation time in ms) -> instant vector; raises on error."""

RESOLVED_RETENTION_MS = 15 * 60 * 1000
ALERT_METRIC = "ALERTS"
ALERT_FOR_STATE_METRIC = "ALERTS_FOR_STATE"


class AlertState(enum.IntEnum):
    INACTIVE = 0
    PENDING = 1
    FIRING = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass
class Alert:
    """One alert of a rule; times are ms since the epoch, None where Go has the zero time."""

    labels: Labels
    annotations: tuple[tuple[str, str], ...]
    state: AlertState
    value: float
    active_at: int
    fired_at: int | None = None
    resolved_at: int | None = None
    last_sent_at: int | None = None
    valid_until: int | None = None
    keep_firing_since: int | None = None

    def needs_sending(self, ts: int, resend_delay_ms: int) -> bool:
        if self.state == AlertState.PENDING:
            return False
        if self.last_sent_at is None:
            return True
        if self.resolved_at is not None and self.resolved_at > self.last_sent_at:
            return True
        return self.last_sent_at + resend_delay_ms < ts


Sample = tuple[Labels, float]


class AlertingRule:
    """An `alert:` rule and its active alerts, keyed by label set."""

    kind = "alerting"

    def __init__(self, spec: RuleSpec, query: str, external_labels: Labels, external_url: str) -> None:
        self.spec = spec
        self.name = spec.alert
        self.query = query  # the expression as Prometheus prints it (what it sends and shows)
        self.hold_ms = spec.for_ms
        self.keep_firing_for_ms = spec.keep_firing_for_ms
        self.labels = spec.labels
        self.annotations = spec.annotations
        self.external_labels = external_labels
        self.external_url = external_url
        # What the template functions externalURL and pathPrefix see; promtool's unit tests give
        # them a nil URL (None) while $externalURL still holds the configured one.
        self.template_url: str | None = external_url
        self.active: dict[Labels, Alert] = {}
        self.restored = False
        self.health = "unknown"
        self.last_error = ""
        self.eval_duration_s = 0.0
        self.eval_timestamp_ms: int | None = None

    # -- evaluation ------------------------------------------------------------------------------
    def eval(self, ts: int, query: QueryFunc, limit: int) -> list[Sample]:
        """Update the alerts from the expression at `ts`; the ALERTS samples to write. Raises on error."""
        vector = query(self.query, ts)
        template_query = _template_query(query)
        fresh: dict[Labels, Alert] = {}
        for lset, value in zip(vector.labels, vector.values.tolist(), strict=True):
            alert = self._new_alert(lset, float(value), ts, template_query)
            if alert.labels in fresh:
                raise ValueError("vector contains metrics with the same labelset after applying alert labels")
            fresh[alert.labels] = alert

        for key, alert in fresh.items():
            known = self.active.get(key)
            if known is not None and known.state != AlertState.INACTIVE:
                known.value = alert.value
                known.annotations = alert.annotations
            else:
                self.active[key] = alert

        out: list[Sample] = []
        active_pending = 0
        for key, alert in list(self.active.items()):
            if key not in fresh:
                keep_firing = False
                if alert.state == AlertState.FIRING and self.keep_firing_for_ms > 0:
                    if alert.keep_firing_since is None:
                        alert.keep_firing_since = ts
                    keep_firing = ts - alert.keep_firing_since < self.keep_firing_for_ms
                if alert.state == AlertState.PENDING or (
                    alert.resolved_at is not None and ts - alert.resolved_at > RESOLVED_RETENTION_MS
                ):
                    del self.active[key]
                if alert.state != AlertState.INACTIVE and not keep_firing:
                    alert.state = AlertState.INACTIVE
                    alert.resolved_at = ts
                if not keep_firing:
                    continue
            else:
                alert.keep_firing_since = None
            active_pending += 1
            if alert.state == AlertState.PENDING and ts - alert.active_at >= self.hold_ms:
                alert.state = AlertState.FIRING
                alert.fired_at = ts
            if self.restored:
                out.append((self._series(alert, ALERT_METRIC, alertstate=str(alert.state)), 1.0))
                out.append((self._series(alert, ALERT_FOR_STATE_METRIC), float(alert.active_at // 1000)))

        if limit > 0 and active_pending > limit:
            self.active = {}
            raise ValueError(f"exceeded limit of {limit} with {active_pending} alerts")
        return out

    def _new_alert(
        self, lset: Labels, value: float, ts: int, template_query: Callable[..., list[QuerySample]]
    ) -> Alert:
        data = alert_template_data(lset.to_dict(), self.external_labels.to_dict(), self.external_url, value)

        def expand(text: str) -> str:
            expander = Expander(
                ALERT_TEMPLATE_DEFS + text,
                "__alert_" + self.name,
                data,
                ts,
                template_query,
                self.template_url,
            )
            try:
                return expander.expand()
            except TemplateError as err:
                log.warning("expanding alert template failed: rule=%s err=%s", self.name, err)
                return f"<error expanding template: {err}>"

        built = lset.without_name().to_dict()
        for name, text in self.labels:
            built[name] = expand(text)
        built["alertname"] = self.name
        annotations = tuple((name, expand(text)) for name, text in self.annotations)
        return Alert(Labels(built), annotations, AlertState.PENDING, value, ts)

    def _series(self, alert: Alert, metric: str, **extra: str) -> Labels:
        merged = dict(self.labels)
        merged.update(alert.labels.pairs)
        merged[METRIC_NAME] = metric
        merged["alertname"] = self.name
        merged.update(extra)
        return Labels(merged)

    def for_state_series(self, alert: Alert) -> Labels:
        """The `ALERTS_FOR_STATE` series of an alert (what a restart reads its active-since from)."""
        return self._series(alert, ALERT_FOR_STATE_METRIC)

    # -- what others read -------------------------------------------------------------------------
    def state(self) -> AlertState:
        return max((a.state for a in self.active.values()), default=AlertState.INACTIVE)

    def active_alerts(self) -> list[Alert]:
        """Pending and firing alerts (not the resolved ones kept for the notifier), as copies."""
        return [replace(a) for a in self.active.values() if a.resolved_at is None]

    def alerts_to_send(self, ts: int, resend_delay_ms: int, interval_ms: int) -> list[Alert]:
        """Prometheus's sendAlerts: firing alerts due for (re)sending and newly resolved ones."""
        out: list[Alert] = []
        delta = max(resend_delay_ms, interval_ms)
        for alert in self.active.values():
            if alert.needs_sending(ts, resend_delay_ms):
                alert.last_sent_at = ts
                alert.valid_until = ts + 4 * delta
                out.append(replace(alert))
        return out


def _template_query(query: QueryFunc) -> Callable[[str, int], list[QuerySample]]:
    def run(expr: str, ts: int) -> list[QuerySample]:
        vector = query(expr, ts)
        return [
            QuerySample(lset.to_dict(), float(v))
            for lset, v in zip(vector.labels, np.asarray(vector.values).tolist(), strict=True)
        ]

    return run


def sort_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda a: a.labels)
