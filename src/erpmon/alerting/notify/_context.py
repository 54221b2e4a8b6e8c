"""What every integration gets: the notification's identity (`NotifyContext`), a template renderer
(`Renderer`, which `erpmon.alerting.templates.TemplateSet` implements), and the notifier contract."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from erpmon.alerting._types import Alert
from erpmon.model import Labels


@dataclass(frozen=True)
class NotifyContext:
    receiver: str
    group_key: str
    group_labels: Labels
    now_ns: int


class Renderer(Protocol):
    """Alertmanager's `template.Template` as integrations use it."""

    def data(self, receiver: str, group_labels: Labels, alerts: Sequence[Alert], now_ns: int) -> Any:
        """`template.Data` for one notification; it has `to_json()` (what the webhook embeds)."""
        ...

    def text(self, source: str, data: Any) -> str:
        """Render with text/template; raises erpmon.templates.TemplateError."""
        ...

    def html(self, source: str, data: Any) -> str:
        """Render with html/template's escaping; raises erpmon.templates.TemplateError."""
        ...


class Notifier(Protocol):
    async def notify(self, ctx: NotifyContext, alerts: Sequence[Alert]) -> tuple[bool, Exception | None]:
        """Send one notification: (whether a failure is worth retrying, the error or None)."""
        ...
