"""The post-incident report skeleton (Markdown), filled from the timeline.

Impact, the timeline, the actions taken, and follow-ups to fill in: the plan's fifth workflow step
("write incident report") starts from facts rather than a blank page.
"""

from __future__ import annotations

from erpmon.incidents._format import minutes, rfc3339
from erpmon.incidents._store import Incident


def post_incident_report(inc: Incident) -> str:
    end = inc.resolved_at
    lines = [
        f"# Post-incident report: #{inc.id} {inc.title}",
        "",
        "## Impact",
        f"- Severity: {inc.severity}",
        f"- Opened: {rfc3339(inc.opened_at)}",
        f"- Acknowledged: {rfc3339(inc.acked_at) + f' by {inc.acked_by}' if inc.acked_at else 'never'}",
        f"- Resolved: {rfc3339(end) + f' by {inc.resolved_by}' if end else 'not yet'}",
    ]
    if inc.acked_at:
        lines.append(f"- Time to acknowledge: {minutes(inc.acked_at - inc.opened_at)}")
    if end:
        lines.append(f"- Duration: {minutes(end - inc.opened_at)}")
    if inc.components:
        lines.append(f"- Components: {', '.join(inc.components)}")
    if inc.breaches:
        lines.append(f"- SLAs breached: {', '.join(inc.breaches)}")
    alerts = sorted({a["labels"].get("alertname", "") for a in inc.alerts})
    lines += [f"- Alerts: {', '.join(alerts)}", "", "## Timeline", ""]
    lines += [f"- {rfc3339(e.at)} [{e.kind}] {e.message} ({e.actor})" for e in inc.timeline]
    actions = [e for e in inc.timeline if e.kind in ("action", "remediation", "verification", "status_page")]
    lines += ["", "## Actions taken", ""]
    lines += [f"- {e.message}" for e in actions] or ["- none"]
    notes = [e for e in inc.timeline if e.kind == "note"]
    lines += ["", "## Notes", ""]
    lines += [f"- {e.actor}: {e.message}" for e in notes] or ["- none"]
    lines += [
        "",
        "## Root cause",
        "",
        "_To be written._",
        "",
        "## Follow-ups",
        "",
        "- [ ] Update monitoring and alerting",
        "- [ ] Implement preventive measures",
        "",
    ]
    return "\n".join(lines)
