"""Incident response: what happens after an alert group fires.

Owns: incidents (opened from flushed alert groups, deduplicated by group key, triggered ->
acknowledged -> resolved) with a persisted timeline (`IncidentStore`: SQLite through SQLAlchemy,
plus an append-only JSON-lines log), escalation policies (steps with delays, verification, repeats,
SLA timers from the severity table), remediation actions (`ActionRunner`), notifications to people,
on-call schedules, teams and receivers (`ContactNotifier`, through the alerting integrations), the
status page's component states, and post-incident reports.
Reads from: `erpmon.alerting` (flushed groups, receivers, templates), `erpmon.incidents.config`,
`erpmon.incidents.oncall`, a PromQL query function and the rules' expressions for verification.
Hands on: incidents and status to the web API, the CLI and the status page.
"""

from erpmon.incidents._actions import ActionResult, ActionRunner
from erpmon.incidents._contacts import ContactNotifier, IncidentInfo, incident_template_path
from erpmon.incidents._engine import IncidentEngine, IncidentError
from erpmon.incidents._store import Event, Incident, IncidentStore

__all__ = [
    "ActionResult",
    "ActionRunner",
    "ContactNotifier",
    "Event",
    "Incident",
    "IncidentEngine",
    "IncidentError",
    "IncidentInfo",
    "IncidentStore",
    "incident_template_path",
]
