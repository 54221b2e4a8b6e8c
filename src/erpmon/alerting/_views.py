"""Read-only views of the dispatcher's state, as the API and the UI show them."""

from __future__ import annotations

from dataclasses import dataclass

from erpmon.alerting._types import Alert
from erpmon.model import Labels


@dataclass(frozen=True)
class AlertView:
    """An alert with its `types.AlertStatus` and the receivers its routes reach."""

    alert: Alert
    state: str  # "unprocessed" | "active" | "suppressed"
    silenced_by: tuple[str, ...]
    inhibited_by: tuple[str, ...]
    receivers: tuple[str, ...]


@dataclass(frozen=True)
class GroupView:
    """An aggregation group: its group labels, receiver and alerts (`dispatch.AlertGroup`)."""

    labels: Labels
    receiver: str
    route_key: str
    alerts: tuple[AlertView, ...]
