"""Notifying people, teams and channels about an incident through the alerting receivers.

There is one notification path in erpmon: a contact is an alertmanager.yml receiver (by name) or an
inline receiver in the same syntax, built into the same integrations (email, Slack, SMS, webhook,
...) with the same retries and failure metrics. What incidents add is template data: `.Incident`
(id, title, severity, state, escalation step, its page and an acknowledge link), which the webhook
payload carries as `incident` and `incident.tmpl` puts into the texts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

import httpx

from erpmon.alerting import Alert
from erpmon.alerting.config import ReceiverConfig
from erpmon.alerting.notify import NotifyContext, NotifyMetrics, build_integrations, close_clients, deliver
from erpmon.alerting.templates import TemplateSet
from erpmon.alerting.templates._data import Data, escape_html
from erpmon.model import Labels
from erpmon.templates import GoStruct

NOTIFY_TIMEOUT_S = 60.0


def incident_template_path() -> str:
    return str(resources.files("erpmon.incidents.templates").joinpath("incident.tmpl"))


@dataclass(frozen=True)
class IncidentInfo(GoStruct):
    ID: int
    Title: str
    Severity: str
    State: str
    Step: str
    URL: str
    AckURL: str
    go_type: ClassVar[str] = "incident.Info"
    go_fields: ClassVar[tuple[str, ...]] = ("ID", "Title", "Severity", "State", "Step", "URL", "AckURL")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.ID, "title": self.Title, "severity": self.Severity, "state": self.State,
            "step": self.Step, "url": self.URL, "ackURL": self.AckURL,
        }  # fmt: skip


@dataclass(frozen=True)
class IncidentData(Data):
    Incident: IncidentInfo = IncidentInfo(0, "", "", "", "", "", "")
    go_fields: ClassVar[tuple[str, ...]] = (*Data.go_fields, "Incident")

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "incident": self.Incident.to_json()}

    def html_escaped(self) -> IncidentData:
        base = super().html_escaped()
        i = self.Incident
        info = IncidentInfo(
            i.ID, escape_html(i.Title), i.Severity, i.State, escape_html(i.Step), escape_html(i.URL),
            escape_html(i.AckURL),
        )  # fmt: skip
        return IncidentData(**{f: getattr(base, f) for f in Data.go_fields}, Incident=info)


class _IncidentRenderer:
    """The receivers' renderer with `.Incident` in the data."""

    def __init__(self, templates: TemplateSet, info: IncidentInfo) -> None:
        self._templates = templates
        self._info = info

    def data(self, receiver: str, group_labels: Labels, alerts: Sequence[Alert], now_ns: int) -> IncidentData:
        base = self._templates.data(receiver, group_labels, alerts, now_ns)
        return IncidentData(**{f: getattr(base, f) for f in Data.go_fields}, Incident=self._info)

    def text(self, source: str, data: Any) -> str:
        return self._templates.text(source, data)

    def html(self, source: str, data: Any) -> str:
        return self._templates.html(source, data)


@dataclass(frozen=True)
class Delivery:
    receiver: str
    integration: str
    ok: bool


class ContactNotifier:
    """Sends one incident notification to a receiver; `receivers` and `templates` follow reloads."""

    def __init__(
        self,
        receivers: Callable[[], Mapping[str, ReceiverConfig]],
        templates: Callable[[], TemplateSet],
        metrics: NotifyMetrics,
        *,
        timeout_s: float = NOTIFY_TIMEOUT_S,
    ) -> None:
        self._receivers = receivers
        self._templates = templates
        self._metrics = metrics
        self._timeout_s = timeout_s
        self._client = httpx.AsyncClient(follow_redirects=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    def receiver(self, contact: str | ReceiverConfig) -> ReceiverConfig | None:
        if isinstance(contact, ReceiverConfig):
            return contact
        return self._receivers().get(contact)

    async def notify(
        self,
        contact: str | ReceiverConfig,
        info: IncidentInfo,
        group_key: str,
        group_labels: Labels,
        alerts: Sequence[Alert],
        now_ns: int,
    ) -> list[Delivery]:
        receiver = self.receiver(contact)
        if receiver is None:
            return [Delivery(str(contact), "unknown receiver", False)]
        integrations = build_integrations(
            receiver, _IncidentRenderer(self._templates(), info), client=self._client
        )
        ctx = NotifyContext(receiver.name, group_key, group_labels, now_ns)
        try:
            results = await asyncio.gather(
                *(
                    deliver(i, ctx, alerts, timeout_s=self._timeout_s, metrics=self._metrics)
                    for i in integrations
                )
            )
        finally:
            await close_clients(integrations)
        return [Delivery(receiver.name, i.name, ok) for i, ok in zip(integrations, results, strict=True)]
