"""The frozen objects an incidents.yml decodes into: who opens incidents, people, teams, schedules,
actions, checks, escalation policies, the SLA table and the status page's components.

Durations are milliseconds, like every time in erpmon's incident engine (`Clock.now_ms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from erpmon.alerting.config import ReceiverConfig
from erpmon.incidents.oncall import Schedule
from erpmon.model import Labels, Matcher

STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage")


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class OpenRule:
    """A flushed alert group opens an incident when its receiver is listed (or none are) and the
    group's common labels match every matcher."""

    receivers: tuple[str, ...] = ()
    matchers: tuple[Matcher, ...] = ()


@dataclass(frozen=True)
class Severity:
    name: str
    respond_within_ms: int
    resolve_within_ms: int | None = None


@dataclass(frozen=True)
class Person:
    name: str
    full_name: str
    # A contact is the name of an alertmanager.yml receiver or an inline receiver of this person's.
    contacts: tuple[str | ReceiverConfig, ...]


@dataclass(frozen=True)
class Team:
    name: str
    members: tuple[str, ...] = ()
    receiver: str | None = None


@dataclass(frozen=True)
class HTTPRequest:
    url: str
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=_empty)
    body: str = ""
    expect_status: tuple[int, ...] = ()  # empty: any 2xx


@dataclass(frozen=True)
class RateLimit:
    max_runs: int
    per_ms: int


@dataclass(frozen=True)
class Action:
    """A remediation or diagnostic. Exactly one of `command`, `http`, `python` is set.

    `command` is an argument vector; each element is a template rendered on its own, so a label
    value is one argument whatever it contains, and no shell ever sees it.
    """

    name: str
    command: tuple[str, ...] = ()
    http: HTTPRequest | None = None
    python: str = ""  # "package.module:function"
    timeout_ms: int = 60_000
    env: Mapping[str, str] = field(default_factory=_empty)
    cooldown_ms: int = 0
    rate_limit: RateLimit | None = None
    # Which alert labels name the "target" of cooldowns and rate limits; default: the group labels.
    key_labels: tuple[str, ...] | None = None
    dry_run: bool = False

    @property
    def kind(self) -> str:
        return "command" if self.command else "http" if self.http is not None else "python"


@dataclass(frozen=True)
class Check:
    """A named verification: a PromQL expression (the problem persists while it returns anything),
    an action, or a health check of checks.yml (the problem is gone when it succeeds)."""

    name: str
    query: str = ""
    action: str = ""
    health: str = ""


@dataclass(frozen=True)
class Verify:
    after_ms: int
    check: str = ""  # empty: re-evaluate the triggering alerts' rule expressions
    resolve: bool = False  # a passed verification resolves the incident instead of only pausing it


@dataclass(frozen=True)
class Target:
    """One thing a step does. `kind` is person, schedule, team, receiver, action, remediation or
    status_page; `name` names the person, schedule, team, receiver or action."""

    kind: str
    name: str = ""
    label: str = ""  # remediation: the alert label whose value picks the action
    choices: Mapping[str, str] = field(default_factory=_empty)  # remediation: label value -> action
    status: str = ""  # status_page
    components: tuple[str, ...] = ()  # status_page: empty means the incident's matched components

    def describe(self) -> str:
        if self.kind == "remediation":
            return f"remediation by {self.label}"
        if self.kind == "status_page":
            return f"status page: {self.status}"
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Step:
    name: str
    delay_ms: int = 0
    after_open_ms: int | None = None  # run no earlier than this long after the incident opened
    targets: tuple[Target, ...] = ()
    verify: Verify | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    steps: tuple[Step, ...]
    matchers: tuple[Matcher, ...] = ()
    repeat: int = 0
    # The wait before a repeated round; None: the last step's delay (the same rhythm again).
    repeat_delay_ms: int | None = None

    def selects(self, labels: Labels) -> bool:
        return all(m.matches(labels.get(m.name)) for m in self.matchers)


@dataclass(frozen=True)
class Component:
    name: str
    description: str = ""
    matchers: tuple[Matcher, ...] = ()


@dataclass(frozen=True)
class StatusPageConfig:
    title: str = "Status"
    components: tuple[Component, ...] = ()


@dataclass(frozen=True)
class IncidentsConfig:
    open_rules: tuple[OpenRule, ...] = ()
    severity_label: str = "severity"
    severity_aliases: Mapping[str, str] = field(default_factory=_empty)
    default_severity: str = "medium"
    severities: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    people: Mapping[str, Person] = field(default_factory=lambda: MappingProxyType({}))
    teams: Mapping[str, Team] = field(default_factory=lambda: MappingProxyType({}))
    schedules: Mapping[str, Schedule] = field(default_factory=lambda: MappingProxyType({}))
    actions: Mapping[str, Action] = field(default_factory=lambda: MappingProxyType({}))
    checks: Mapping[str, Check] = field(default_factory=lambda: MappingProxyType({}))
    policies: tuple[Policy, ...] = ()
    status_page: StatusPageConfig = field(default_factory=StatusPageConfig)
    dry_run: bool = False
    filename: str = ""

    def severity_of(self, labels: Labels) -> str:
        raw = labels.get(self.severity_label)
        name = self.severity_aliases.get(raw, raw)
        return name if name in self.severities else self.default_severity

    def opens(self, receiver: str, labels: Labels) -> bool:
        return any(
            (not r.receivers or receiver in r.receivers)
            and all(m.matches(labels.get(m.name)) for m in r.matchers)
            for r in self.open_rules
        )

    def policy_for(self, labels: Labels) -> Policy | None:
        return next((p for p in self.policies if p.selects(labels)), None)

    def components_for(self, labels: Labels) -> tuple[str, ...]:
        return tuple(
            c.name
            for c in self.status_page.components
            if c.matchers and all(m.matches(labels.get(m.name)) for m in c.matchers)
        )


DEFAULT_SEVERITIES = MappingProxyType(
    {
        "critical": Severity("critical", 15 * 60_000),
        "high": Severity("high", 60 * 60_000),
        "medium": Severity("medium", 4 * 60 * 60_000),
        "low": Severity("low", 24 * 60 * 60_000),
    }
)
DEFAULT_ALIASES = MappingProxyType({"warning": "medium", "info": "low"})
