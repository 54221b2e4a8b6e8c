"""The public status page's content: components, the overall indicator and incident history.

The JSON follows the shape of Atlassian Statuspage's `summary.json` (the best-known public status
API): `status.indicator` none/minor/major/critical, components with `operational`,
`degraded_performance`, `partial_outage` or `major_outage`, and incidents with their updates. It
holds what the public may see: titles, states and times, never labels or internal timelines.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2

from erpmon.incidents._engine import IncidentEngine
from erpmon.incidents._format import rfc3339

HISTORY = 20
_INDICATOR = {
    "operational": ("none", "All Systems Operational"),
    "degraded_performance": ("minor", "Degraded Performance"),
    "partial_outage": ("major", "Partial System Outage"),
    "major_outage": ("critical", "Major System Outage"),
}
LABELS = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}


def status_summary(engine: IncidentEngine) -> dict[str, Any]:
    components = engine.component_states()
    worst = "operational"
    order = list(_INDICATOR)
    for c in components:
        if order.index(c["status"]) > order.index(worst):
            worst = c["status"]
    on_page = {i for c in components for i in c["incidents"]}
    updates: dict[int, list[dict[str, Any]]] = {}
    manual: list[dict[str, Any]] = []
    for row in engine.store.status_updates(limit=200):
        entry = {
            "at": rfc3339(row.at),
            "component": row.component,
            "status": row.status,
            "message": row.message,
        }
        if row.incident_id is None:
            manual.append(entry)
        else:
            updates.setdefault(row.incident_id, []).append(entry)
            on_page.add(row.incident_id)
    history = []
    for inc in engine.store.find(limit=HISTORY * 5):
        if inc.id not in on_page:
            continue
        public = "investigating" if inc.state == "triggered" else "identified"
        history.append(
            {
                "id": inc.id, "name": inc.title, "impact": inc.severity,
                "status": public if inc.open else "resolved",
                "created_at": rfc3339(inc.opened_at),
                "resolved_at": rfc3339(inc.resolved_at) if inc.resolved_at is not None else None,
                "updates": updates.get(inc.id, []),
            }
        )  # fmt: skip
        if len(history) >= HISTORY:
            break
    indicator, description = _INDICATOR[worst]
    return {
        "page": {"name": engine.config.status_page.title, "updated_at": rfc3339(engine.clock.now_ms())},
        "status": {"indicator": indicator, "description": description},
        "components": [
            {"name": c["name"], "description": c["description"], "status": c["status"],
             "updated_at": rfc3339(c["since"]) if c["since"] is not None else None, "message": c["message"]}
            for c in components
        ],
        "incidents": history,
        "updates": manual[:HISTORY],
    }  # fmt: skip


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("erpmon.incidents", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
)


def status_html(summary: dict[str, Any]) -> str:
    return _env.get_template("status.html").render(s=summary, labels=LABELS)


def page_html(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)


def asset(name: str) -> str:
    return resources.files("erpmon.incidents.templates").joinpath(name).read_text("utf-8")
