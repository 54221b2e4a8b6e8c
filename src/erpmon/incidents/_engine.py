"""The incident engine: opens incidents from flushed alert groups and walks their escalation.

An alert group flushed by the dispatcher (after inhibition and silences) opens an incident when
incidents.yml's open rules select it; the group key deduplicates. The incident takes the first
policy whose matchers select its labels and runs its steps: each step waits its delay (and
`after_open`, the downtime threshold), runs its targets in order (notify a person, the on-call
person of a schedule, a team or a receiver; run an action or the remediation the alert's type
picks; set the status page), and may verify after a wait: a problem that is gone pauses the
escalation, one that persists moves on at once. The policy repeats `repeat` times and stops on
acknowledgement. SLA timers from the severity table escalate when breached.

Everything is driven by `run_due()` at the clock's time, so tests move a fake clock instead of
waiting. Every state change is committed before the next one starts; a target is recorded as
started before it acts and done after, so a restarted engine resumes where it was and never runs
a target twice (an interrupted one is recorded as such and skipped).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from erpmon.alerting import Alert
from erpmon.alerting.templates import TemplateSet
from erpmon.clock import Clock
from erpmon.incidents._actions import ActionResult, ActionRunner, action_key, label_env
from erpmon.incidents._contacts import ContactNotifier, IncidentData, IncidentInfo, _IncidentRenderer
from erpmon.incidents._store import Incident, IncidentStore
from erpmon.incidents._verify import Query, RuleExprs, Verdict, alerts_persist, query_persists
from erpmon.incidents.config import STATUSES, Action, IncidentsConfig, Policy, Step, Target
from erpmon.model import Labels

log = structlog.get_logger("erpmon.incidents")

NS_PER_MS = 1_000_000
# Runs a checks.yml check by name now: (succeeded, what it found).
HealthCheck = Callable[[str], Awaitable[tuple[bool, str]]]
IDLE_WAKE_S = 60.0
_BUCKETS = (60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600)


class IncidentError(Exception):
    """An operator request that cannot be done (unknown incident, already resolved...)."""


class IncidentMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        kw: dict[str, Any] = {"registry": registry}
        self.opened = Counter("erpmon_incidents_opened_total", "Incidents opened.", ["severity"], **kw)
        self.breaches = Counter(
            "erpmon_incident_sla_breaches_total",
            "Incidents that missed a response-time SLA (sla: respond or resolve).",
            ["severity", "sla"],
            **kw,
        )
        self.time_to_ack = Histogram(
            "erpmon_incident_time_to_acknowledge_seconds",
            "Seconds from an incident's opening to its acknowledgement.",
            ["severity"],
            buckets=_BUCKETS,
            **kw,
        )
        self.time_to_resolve = Histogram(
            "erpmon_incident_time_to_resolve_seconds",
            "Seconds from an incident's opening to its resolution.",
            ["severity"],
            buckets=_BUCKETS,
            **kw,
        )
        self.actions = Counter(
            "erpmon_incident_actions_total",
            "Remediation and diagnostic action runs (result: ok, failed, cooldown, rate_limit, dry_run).",
            ["action", "result"],
            **kw,
        )
        self.escalations = Counter(
            "erpmon_incident_escalations_total", "Escalation steps run.", ["policy", "step"], **kw
        )


class _OpenIncidents(Collector):
    def __init__(self, store: IncidentStore) -> None:
        self._store = store

    def collect(self) -> Any:
        g = GaugeMetricFamily("erpmon_incidents", "Incidents by state.", labels=["state"])
        counts = self._store.counts_by_state()
        for state in ("triggered", "acknowledged", "resolved"):
            g.add_metric([state], counts.get(state, 0))
        yield g


def alert_json(a: Alert, now_ns: int) -> dict[str, Any]:
    return {
        "labels": a.labels.to_dict(), "annotations": dict(a.annotations.pairs), "startsAt": a.starts_at,
        "endsAt": a.ends_at, "generatorURL": a.generator_url, "status": a.status(now_ns),
    }  # fmt: skip


def alert_from_json(d: Mapping[str, Any]) -> Alert:
    return Alert(Labels(d["labels"]), Labels(d["annotations"]), d["startsAt"], d["endsAt"], d["generatorURL"])


def common_labels(alerts: Sequence[Alert]) -> dict[str, str]:
    if not alerts:
        return {}
    common = alerts[0].labels.to_dict()
    for a in alerts[1:]:
        labels = a.labels.to_dict()
        common = {k: v for k, v in common.items() if labels.get(k) == v}
    return common


class IncidentEngine:
    def __init__(
        self,
        store: IncidentStore,
        config: IncidentsConfig,
        *,
        clock: Clock,
        notifier: ContactNotifier,
        templates: Callable[[], TemplateSet],
        external_url: str,
        ack_secret: bytes,
        rule_exprs: RuleExprs | None = None,
        query: Query | None = None,
        health_check: HealthCheck | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.notifier = notifier
        self.templates = templates
        self.external_url = external_url.rstrip("/")
        self._secret = ack_secret
        self.rule_exprs = rule_exprs
        self.query = query
        self.health_check = health_check
        self.runner = ActionRunner(store, dry_run=config.dry_run)
        self.metrics = IncidentMetrics(registry)
        if registry is not None:
            registry.register(_OpenIncidents(store))
        # Open incidents by group key, with their alerts as last stored: a flush of a group without
        # an incident (most of them) costs no query, and one that repeats its group no write.
        self._open_groups: dict[str, tuple[int, list[dict[str, Any]]]] = {
            i.group_key: (i.id, i.alerts) for i in store.find(open_only=True, limit=1_000_000)
        }
        self._wake = asyncio.Event()
        self._stopped = False
        self._lock = asyncio.Lock()

    def apply_config(self, config: IncidentsConfig) -> None:
        self.config = config
        self.runner = ActionRunner(self.store, dry_run=config.dry_run)
        self._wake.set()

    # -- alert groups in --------------------------------------------------------------------------

    def observe(
        self, receiver: str, group_key: str, group_labels: Labels, alerts: Sequence[Alert], now_ns: int
    ) -> None:
        """A flushed group (after inhibition and silences): open, update or resolve its incident."""
        now = now_ns // NS_PER_MS
        firing = [a for a in alerts if not a.resolved_at(now_ns)]
        known = self._open_groups.get(group_key)
        if known is None and not firing:
            return
        snapshot = [alert_json(a, now_ns) for a in alerts]
        if known is not None:
            incident_id, last = known
            if snapshot != last:  # most flushes repeat the group as it was: no write
                self.store.update(incident_id, alerts=snapshot)
                self._open_groups[group_key] = (incident_id, snapshot)
            if not firing:
                current = self.store.get(incident_id, timeline=False)
                if current is not None and current.open:
                    self._resolve(current, "alerts", "all alerts of the group resolved", now)
            return
        labels = Labels(common_labels(firing))
        if not self.config.opens(receiver, labels) or self._resolved_by_hand(group_key, firing):
            return
        incident_id = self._open(receiver, group_key, group_labels, firing, snapshot, labels, now)
        self._open_groups[group_key] = (incident_id, snapshot)
        self._wake.set()

    def _resolved_by_hand(self, group_key: str, firing: Sequence[Alert]) -> bool:
        """A person resolved this group's incident while these very alerts (same labels, same start)
        were firing: they stay resolved until an alert starts anew."""
        last = self.store.latest_for_group(group_key)
        if last is None or last.open or last.resolved_by in (None, "alerts", "erpmon"):
            return False
        seen = {(json.dumps(a["labels"], sort_keys=True), a["startsAt"]) for a in last.alerts}
        return all((json.dumps(a.labels.to_dict(), sort_keys=True), a.starts_at) in seen for a in firing)

    def _severity(self, alerts: Sequence[Alert]) -> str:
        table = self.config.severities
        names = {self.config.severity_of(a.labels) for a in alerts}
        return min(names, key=lambda n: table[n].respond_within_ms)

    def _open(
        self,
        receiver: str,
        group_key: str,
        group_labels: Labels,
        firing: Sequence[Alert],
        snapshot: list[dict[str, Any]],
        labels: Labels,
        now: int,
    ) -> int:
        cfg = self.config
        severity = self._severity(firing)
        sev = cfg.severities[severity]
        policy = cfg.policy_for(labels)
        summary = firing[0].annotations.get("summary") if len(firing) == 1 else ""
        names = sorted({a.name for a in firing})
        where = ", ".join(f"{k}={v}" for k, v in group_labels.pairs if k != "alertname")
        title = summary or f"{', '.join(names)}{f' ({where})' if where else ''}"
        first_at = None
        if policy is not None:
            first_at = self._due(policy.steps[0], now, now)
        incident_id = self.store.create(
            {
                "group_key": group_key, "receiver": receiver, "title": title, "severity": severity,
                "state": "triggered", "labels": labels.to_dict(), "alerts": snapshot,
                "components": list(cfg.components_for(labels)), "opened_at": now,
                "policy": policy.name if policy is not None else None,
                "escalation": "running" if policy is not None else "done", "step": 0, "round": 0,
                "next_at": first_at, "verify_at": None, "respond_by": now + sev.respond_within_ms,
                "resolve_by": now + sev.resolve_within_ms if sev.resolve_within_ms is not None else None,
                "breaches": [],
            }
        )  # fmt: skip
        self.metrics.opened.labels(severity).inc()
        self.store.event(
            incident_id, now, "opened", f"opened from {len(firing)} firing alert(s): {title}",
            actor="alertmanager", severity=severity, receiver=receiver, group_key=group_key,
            policy=policy.name if policy is not None else None, labels=labels.to_dict(),
        )  # fmt: skip
        log.warning("incident opened", incident=incident_id, severity=severity, title=title)
        return incident_id

    @staticmethod
    def _due(step: Step, since: int, opened_at: int) -> int:
        due = since + step.delay_ms
        if step.after_open_ms is not None:
            due = max(due, opened_at + step.after_open_ms)
        return due

    # -- people in --------------------------------------------------------------------------------

    def acknowledge(self, incident_id: int, by: str) -> Incident:
        inc = self._open_incident(incident_id)
        now = self.clock.now_ms()
        if inc.state == "acknowledged":
            return inc
        self.store.update(
            incident_id, state="acknowledged", acked_at=now, acked_by=by, escalation="acknowledged",
            next_at=None, verify_at=None,
        )  # fmt: skip
        self.metrics.time_to_ack.labels(inc.severity).observe(max(0, now - inc.opened_at) / 1000)
        self.store.event(
            incident_id, now, "acknowledged", f"acknowledged by {by}; escalation stopped", actor=by
        )
        self._wake.set()
        return self._get(incident_id)

    def resolve(self, incident_id: int, by: str) -> Incident:
        inc = self._open_incident(incident_id)
        self._resolve(inc, by, f"resolved by {by}", self.clock.now_ms())
        return self._get(incident_id)

    def note(self, incident_id: int, by: str, text: str) -> Incident:
        if not text.strip():
            raise IncidentError("a note needs text")
        self._get(incident_id)
        self.store.event(incident_id, self.clock.now_ms(), "note", text, actor=by)
        return self._get(incident_id)

    def _get(self, incident_id: int) -> Incident:
        inc = self.store.get(incident_id)
        if inc is None:
            raise IncidentError(f"incident {incident_id} not found")
        return inc

    def _open_incident(self, incident_id: int) -> Incident:
        inc = self._get(incident_id)
        if not inc.open:
            raise IncidentError(f"incident {incident_id} is already resolved")
        return inc

    def _resolve(self, inc: Incident, by: str, message: str, now: int) -> None:
        self._open_groups.pop(inc.group_key, None)
        self.store.update(
            inc.id, state="resolved", resolved_at=now, resolved_by=by, escalation="done", next_at=None,
            verify_at=None,
        )  # fmt: skip
        self.metrics.time_to_resolve.labels(inc.severity).observe(max(0, now - inc.opened_at) / 1000)
        self.store.event(inc.id, now, "resolved", message, actor=by)
        cleared = self.store.clear_impacts(inc.id, now, f"incident #{inc.id} resolved")
        if cleared:
            self.store.event(
                inc.id, now, "status_page", f"status page: {', '.join(cleared)} operational again",
                components=cleared, status="operational",
            )  # fmt: skip
        log.info("incident resolved", incident=inc.id, by=by)

    # -- acknowledge links ------------------------------------------------------------------------

    def ack_signature(self, incident_id: int, person: str) -> str:
        msg = f"{incident_id}:{person}".encode()
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()[:32]

    def check_ack_signature(self, incident_id: int, person: str, signature: str) -> bool:
        return hmac.compare_digest(self.ack_signature(incident_id, person), signature)

    def ack_url(self, incident_id: int, person: str) -> str:
        sig = self.ack_signature(incident_id, person)
        return f"{self.external_url}/incidents/{incident_id}/ack?by={quote(person)}&sig={sig}"

    # -- the schedule -----------------------------------------------------------------------------

    def next_due(self) -> int | None:
        return min((due for _, due in self.store.due_times()), default=None)

    async def run_due(self) -> None:
        """Do everything due at the clock's time, including what that makes due at once."""
        async with self._lock:
            for _ in range(1000):  # bounded: a policy of zero delays must not spin forever
                progressed = False
                now = self.clock.now_ms()
                for incident_id, due in self.store.due_times():
                    inc = self.store.get(incident_id, timeline=False) if due <= now else None
                    if inc is not None:
                        progressed |= await self._advance(inc)
                if not progressed:
                    return

    async def _advance(self, inc: Incident) -> bool:
        now = self.clock.now_ms()
        if self._check_slas(inc, now):
            return True
        if inc.verify_at is not None and inc.verify_at <= now:
            await self._verify(inc, now)
            return True
        if inc.escalation == "running" and inc.next_at is not None and inc.next_at <= now:
            await self._run_step(inc)
            return True
        return False

    def _check_slas(self, inc: Incident, now: int) -> bool:
        for sla, deadline in (("respond", inc.respond_by), ("resolve", inc.resolve_by)):
            if deadline is None or deadline > now or sla in inc.breaches:
                continue
            if sla == "respond" and inc.acked_at is not None:
                continue
            self.metrics.breaches.labels(inc.severity, sla).inc()
            within = (deadline - inc.opened_at) / 60_000
            changes: dict[str, Any] = {"breaches": [*inc.breaches, sla]}
            verb = "acknowledged" if sla == "respond" else "resolved"
            message = f"{sla} SLA breached: not {verb} within {within:g} min"
            policy = self._policy(inc)
            if (
                sla == "respond"
                and policy is not None
                and inc.escalation in ("running", "paused", "verifying")
            ):
                if inc.escalation == "verifying":
                    changes.update(verify_at=None, step=inc.step + 1)
                changes.update(escalation="running", next_at=now)
                message += "; escalating now"
                if changes.get("step", inc.step) >= len(policy.steps):
                    changes.update(escalation="done", next_at=None)
            self.store.update(inc.id, **changes)
            self.store.event(inc.id, now, "sla_breach", message, sla=sla, deadline=deadline)
            log.warning("incident SLA breached", incident=inc.id, sla=sla)
            return True
        return False

    def _policy(self, inc: Incident) -> Policy | None:
        return next((p for p in self.config.policies if p.name == inc.policy), None)

    async def _run_step(self, inc: Incident) -> None:
        policy = self._policy(inc)
        if policy is None or inc.step >= len(policy.steps):
            self.store.update(inc.id, escalation="done", next_at=None)
            if policy is None:
                self.store.event(
                    inc.id, self.clock.now_ms(), "escalation", f"policy {inc.policy!r} no longer exists"
                )
            return
        step = policy.steps[inc.step]
        now = self.clock.now_ms()
        if self.store.target_state(inc.id, inc.round, inc.step, -1) is None:
            self.store.mark_target(inc.id, inc.round, inc.step, -1, done=True)
            self.metrics.escalations.labels(policy.name, step.name).inc()
            rnd = f" (repeat {inc.round})" if inc.round else ""
            self.store.event(
                inc.id,
                now,
                "escalation",
                f"{step.name}{rnd}",
                step=inc.step,
                round=inc.round,
                policy=policy.name,
            )
        for index, target in enumerate(step.targets):
            state = self.store.target_state(inc.id, inc.round, inc.step, index)
            if state is True:
                continue
            if state is False:
                self.store.mark_target(inc.id, inc.round, inc.step, index, done=True)
                self.store.event(
                    inc.id, self.clock.now_ms(), "interrupted",
                    f"{target.describe()} was started before a restart and may not have finished; "
                    "not repeated",
                    step=inc.step, target=index,
                )  # fmt: skip
                continue
            self.store.mark_target(inc.id, inc.round, inc.step, index, done=False)
            try:
                await self._run_target(self._get(inc.id), step, target)
            except Exception as err:  # one broken target must not stop the escalation
                log.exception("incident target failed", incident=inc.id, target=target.describe())
                self.store.event(inc.id, self.clock.now_ms(), "error", f"{target.describe()} failed: {err}")
            self.store.mark_target(inc.id, inc.round, inc.step, index, done=True)
        now = self.clock.now_ms()
        current = self._get(inc.id)
        if not current.open or current.escalation != "running":
            return
        if step.verify is not None:
            self.store.update(
                inc.id, escalation="verifying", verify_at=now + step.verify.after_ms, next_at=None
            )
            return
        self._next_step(current, policy, now)

    def _next_step(self, inc: Incident, policy: Policy, now: int) -> None:
        step, rnd = inc.step + 1, inc.round
        if step >= len(policy.steps):
            if rnd >= policy.repeat:
                self.store.update(inc.id, escalation="done", step=step, next_at=None, verify_at=None)
                self.store.event(
                    inc.id, now, "escalation", f"policy {policy.name} exhausted without acknowledgement"
                )
                return
            step, rnd = 0, rnd + 1
            gap = policy.repeat_delay_ms if policy.repeat_delay_ms is not None else policy.steps[-1].delay_ms
            due = now + max(gap, policy.steps[0].delay_ms)
            self.store.update(inc.id, escalation="running", step=step, round=rnd, next_at=due, verify_at=None)
            return
        due = self._due(policy.steps[step], now, inc.opened_at)
        self.store.update(inc.id, escalation="running", step=step, round=rnd, next_at=due, verify_at=None)

    async def _verify(self, inc: Incident, now: int) -> None:
        policy = self._policy(inc)
        step = policy.steps[inc.step] if policy is not None and inc.step < len(policy.steps) else None
        verify = step.verify if step is not None else None
        verdict = await self._verdict(inc, verify.check if verify is not None else "")
        now = self.clock.now_ms()
        self.store.event(
            inc.id, now, "verification",
            f"problem {'persists' if verdict.persists else 'gone'}: {verdict.detail}",
            persists=verdict.persists,
        )  # fmt: skip
        if policy is None or verify is None:
            self.store.update(inc.id, verify_at=None, escalation="done")
            return
        if verdict.persists:
            self._next_step(inc, policy, now)
            return
        self.store.update(inc.id, escalation="paused", verify_at=None, next_at=None)
        if verify.resolve:
            self._resolve(self._get(inc.id), "erpmon", "resolved by automated response", now)
        else:
            self.store.event(inc.id, now, "escalation", "resolved by automated response; escalation paused")

    async def _verdict(self, inc: Incident, check_name: str) -> Verdict:
        now = self.clock.now_ms()
        if not check_name:
            firing = [a["labels"] for a in inc.alerts if a["status"] == "firing"]
            return await alerts_persist(firing, now, rule_exprs=self.rule_exprs, query=self.query)
        check = self.config.checks.get(check_name)
        if check is None:
            return Verdict(True, f"check {check_name!r} no longer exists")
        if check.query:
            return await query_persists(check.query, now, self.query)
        if check.health:
            if self.health_check is None:
                return Verdict(True, f"no health checks are configured to run {check.health!r}")
            ok, detail = await self.health_check(check.health)
            return Verdict(not ok, f"health check {check.health}: {detail}")
        result = await self._run_action(inc, self.config.actions[check.action], limits=False)
        return Verdict(not result.ok, f"check {check_name}: {result.summary()}")

    # -- targets ----------------------------------------------------------------------------------

    async def _run_target(self, inc: Incident, step: Step, target: Target) -> None:
        cfg = self.config
        kind = target.kind
        if kind == "action":
            await self._run_action(inc, cfg.actions[target.name])
        elif kind == "remediation":
            value = inc.labels.get(target.label) or next(
                (a["labels"].get(target.label, "") for a in inc.alerts if a["status"] == "firing"), ""
            )
            name = target.choices.get(value)
            if name is None or name not in cfg.actions:
                self.store.event(
                    inc.id, self.clock.now_ms(), "remediation",
                    f"no remediation for {target.label}={value!r}", label=target.label, value=value,
                )  # fmt: skip
                return
            await self._run_action(inc, cfg.actions[name])
        elif kind == "person":
            await self._notify_person(inc, step, target.name, via=f"person {target.name}")
        elif kind == "schedule":
            shift = cfg.schedules[target.name].on_call(self.clock.now_ms())
            if shift is None:
                self.store.event(
                    inc.id, self.clock.now_ms(), "notification",
                    f"nobody is on call in schedule {target.name}",
                    schedule=target.name, ok=False,
                )  # fmt: skip
                return
            await self._notify_person(inc, step, shift.person, via=f"schedule {target.name}")
        elif kind == "team":
            team = cfg.teams[target.name]
            for member in team.members:
                await self._notify_person(inc, step, member, via=f"team {team.name}")
            if team.receiver is not None:
                await self._notify(inc, step, team.receiver, person=team.name, via=f"team {team.name}")
        elif kind == "receiver":
            await self._notify(inc, step, target.name, person=target.name, via=f"receiver {target.name}")
        elif kind == "status_page":
            components = target.components or tuple(inc.components)
            now = self.clock.now_ms()
            if not components:
                self.store.event(inc.id, now, "status_page", "no status page component matches this incident")
                return
            for c in components:
                self.store.set_impact(inc.id, c, target.status, now, f"incident #{inc.id}: {inc.title}")
            self.store.event(
                inc.id, now, "status_page", f"status page: {', '.join(components)} {target.status}",
                components=list(components), status=target.status,
            )  # fmt: skip

    def _template_data(self, inc: Incident, step: str, person: str) -> tuple[IncidentInfo, list[Alert]]:
        info = IncidentInfo(
            inc.id, inc.title, inc.severity, inc.state, step, f"{self.external_url}/incidents/{inc.id}",
            self.ack_url(inc.id, person),
        )  # fmt: skip
        return info, [alert_from_json(a) for a in inc.alerts]

    async def _notify_person(self, inc: Incident, step: Step, name: str, *, via: str) -> None:
        person = self.config.people[name]
        for contact in person.contacts:
            await self._notify(inc, step, contact, person=name, via=via)

    async def _notify(self, inc: Incident, step: Step, contact: Any, *, person: str, via: str) -> None:
        info, alerts = self._template_data(inc, step.name, person)
        group_labels = Labels(inc.labels)
        deliveries = await self.notifier.notify(
            contact, info, inc.group_key, group_labels, alerts, self.clock.now_ms() * NS_PER_MS
        )
        for d in deliveries:
            verdict = "notified" if d.ok else "failed to notify"
            self.store.event(
                inc.id, self.clock.now_ms(), "notification", f"{verdict} {person} by {d.integration} ({via})",
                person=person, channel=d.integration, receiver=d.receiver, via=via, ok=d.ok,
            )  # fmt: skip

    async def _run_action(self, inc: Incident, action: Action, *, limits: bool = True) -> ActionResult:
        info, alerts = self._template_data(inc, "", "")
        templates = self.templates()
        data: IncidentData = _IncidentRenderer(templates, info).data(
            "incident", Labels(inc.labels), alerts, self.clock.now_ms() * NS_PER_MS
        )
        firing = next((a["labels"] for a in inc.alerts if a["status"] == "firing"), inc.labels)
        env = {
            **label_env(firing),
            "ERPMON_INCIDENT_ID": str(inc.id),
            "ERPMON_INCIDENT_SEVERITY": inc.severity,
            "ERPMON_INCIDENT_TITLE": inc.title,
            "ERPMON_INCIDENT_CONTEXT": json.dumps(
                {"incident": info.to_json(), "labels": inc.labels, "alerts": inc.alerts}, default=str
            ),
        }
        key = action_key(action, firing, inc.labels)
        result = await self.runner.run(
            action,
            render=lambda text: templates.text(text, data),
            env=env,
            key=key,
            now_ms=self.clock.now_ms(),
            check_limits=limits,
        )
        outcome = result.skipped or ("ok" if result.ok else "failed")
        self.metrics.actions.labels(action.name, outcome).inc()
        self.store.event(inc.id, self.clock.now_ms(), "action", result.summary(), **result.to_json())
        return result

    # -- running ----------------------------------------------------------------------------------

    async def run(self) -> None:
        while not self._stopped:
            try:
                await self.run_due()
            except Exception:  # the loop must outlive one bad incident
                log.exception("incident engine iteration failed")
            due = self.next_due()
            wait = IDLE_WAKE_S if due is None else max(0.0, (due - self.clock.now_ms()) / 1000)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(wait, IDLE_WAKE_S))

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    # -- the status page --------------------------------------------------------------------------

    def component_states(self) -> list[dict[str, Any]]:
        """Each component's status: the worst of its open incidents' impacts, or the latest manual
        update when that is newer."""
        rank = {s: i for i, s in enumerate(STATUSES)}
        by_component: dict[str, list[tuple[int, str, str, int]]] = {}
        for impact in self.store.active_impacts():
            by_component.setdefault(impact[1], []).append(impact)
        manual = self.store.manual()
        out: list[dict[str, Any]] = []
        for comp in self.config.status_page.components:
            status, since, message, incidents_ = "operational", None, "", []
            impacts_ = by_component.get(comp.name, [])
            if impacts_:
                worst = max(impacts_, key=lambda i: (rank[i[2]], i[3]))
                status, since = worst[2], worst[3]
                incidents_ = sorted({i[0] for i in impacts_})
            m = manual.get(comp.name)
            if m is not None and (not impacts_ or m[2] >= max(i[3] for i in impacts_)):
                status, message, since = m[0], m[1], m[2]
            out.append(
                {"name": comp.name, "description": comp.description, "status": status, "since": since,
                 "message": message, "incidents": incidents_}
            )  # fmt: skip
        return out

    def set_component(self, name: str, status: str, message: str, by: str) -> None:
        if name not in {c.name for c in self.config.status_page.components}:
            raise IncidentError(f"unknown component {name!r}")
        if status not in STATUSES:
            raise IncidentError(f"unknown status {status!r}; want one of {', '.join(STATUSES)}")
        self.store.set_manual(name, status, message, by, self.clock.now_ms())
