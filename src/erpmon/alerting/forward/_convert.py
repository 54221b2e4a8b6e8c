"""Rule alerts to Alertmanager alerts, as Prometheus 2.42's `rules.SendAlerts` builds them.

Both the forwarder (external Alertmanagers) and the embedded dispatcher take rule alerts through
`rule_alerts_to_am`, so an alert looks the same whichever way it leaves erpmon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote_plus

from erpmon import rules
from erpmon.alerting._types import Alert
from erpmon.model import Labels

_MS = 1_000_000


def query_escape(text: str) -> str:
    """Go's `url.QueryEscape`: UTF-8 bytes, only `A-Za-z0-9-_.~` kept, space as `+`."""
    return quote_plus(text, safe="")


def table_link_for_expression(expr: str) -> str:
    """`strutil.TableLinkForExpression`: the relative link to the expression's table view."""
    return f"/graph?g0.expr={query_escape(expr)}&g0.tab=1"


def rule_alerts_to_am(expr: str, alerts: Sequence[rules.Alert], *, external_url: str) -> list[Alert]:
    """The alerts a rule hands the notifier: start at FiredAt, end at ResolvedAt or else ValidUntil.

    Times go from ms to ns. A missing FiredAt (never the case for alerts that are due) becomes 0;
    a missing end stays None, Go's zero time.
    """
    url = external_url + table_link_for_expression(expr)
    out = []
    for a in alerts:
        end = a.resolved_at if a.resolved_at is not None else a.valid_until
        out.append(
            Alert(
                labels=a.labels,
                # Prometheus sends annotations with empty values too; Labels() would drop them.
                annotations=Labels.from_sorted(tuple(sorted(dict(a.annotations).items()))),
                starts_at=(a.fired_at or 0) * _MS,
                ends_at=None if end is None else end * _MS,
                generator_url=url,
            )
        )
    return out


def make_notify_func(
    forwarder_send: Callable[[Sequence[Alert]], None], external_url: str
) -> rules.NotifyFunc:
    """A rules `NotifyFunc` that converts a rule's due alerts and hands them to `forwarder_send`."""

    def notify(expr: str, alerts: Sequence[rules.Alert]) -> None:
        if alerts:
            forwarder_send(rule_alerts_to_am(expr, alerts, external_url=external_url))

    return notify
