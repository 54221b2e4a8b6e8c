"""Decoding incidents.yml with the strictness of erpmon's other config files.

Unknown and repeated keys, wrong types, bad durations and matchers, and every reference to
something that does not exist (a person, schedule, team, receiver, action, check or component) are
problems with file, line and column; all of them are reported at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import TypeVar

import yaml

from erpmon.alerting._yamlvalues import decode_matchers
from erpmon.alerting.config import GlobalConfig, IntegrationConfig, ReceiverConfig
from erpmon.alerting.config._receivers import decode_receiver
from erpmon.config._decode import Decoder, compose_checked
from erpmon.config._errors import ConfigError, Problem
from erpmon.config._targets import decode_duration
from erpmon.config._yamlnode import MappingNode, Node, is_null
from erpmon.incidents.config._model import (
    DEFAULT_ALIASES,
    DEFAULT_SEVERITIES,
    STATUSES,
    Action,
    Check,
    Component,
    HTTPRequest,
    IncidentsConfig,
    OpenRule,
    Person,
    Policy,
    RateLimit,
    Severity,
    StatusPageConfig,
    Step,
    Target,
    Team,
    Verify,
)
from erpmon.incidents.oncall import Schedule, decode_schedule

T = TypeVar("T")
_NAME = re.compile(r"[A-Za-z0-9_.:-]+\Z")
_ENTRY_POINT = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*\Z")
TOP = (
    "open", "severity_label", "severity_aliases", "default_severity", "severities", "people", "teams",
    "schedules", "actions", "checks", "policies", "status_page", "dry_run",
)  # fmt: skip
TARGET_KINDS = ("person", "schedule", "team", "receiver", "action", "remediation", "status_page")

# What an inline contact says when the person did not write the text: the incident, and a link to
# acknowledge it (`incident.tmpl`).
_INCIDENT_TEXT = {
    "email": {"html": '{{ template "incident.email.html" . }}', "text": '{{ template "incident.text" . }}'},
    "slack": {"title": '{{ template "incident.title" . }}', "text": '{{ template "incident.text" . }}'},
    "sms": {"text": '{{ template "incident.sms" . }}'},
    "apprise": {"title": '{{ template "incident.title" . }}', "body": '{{ template "incident.text" . }}'},
    "pagerduty": {"description": '{{ template "incident.title" . }}'},
    "opsgenie": {
        "message": '{{ template "incident.title" . }}', "description": '{{ template "incident.text" . }}',
    },
}  # fmt: skip


def load_incidents_config(
    path: str | os.PathLike[str],
    *,
    receivers: Collection[str] | None = None,
    glob: GlobalConfig | None = None,
) -> IncidentsConfig:
    filename = os.fspath(path)
    try:
        with open(filename, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError([Problem(filename, 0, 0, str(err))]) from err
    return parse_incidents_config(
        text, filename, os.path.dirname(os.path.abspath(filename)), receivers=receivers, glob=glob
    )


def parse_incidents_config(
    text: str,
    filename: str = "incidents.yml",
    base_dir: str = ".",
    *,
    receivers: Collection[str] | None = None,
    glob: GlobalConfig | None = None,
) -> IncidentsConfig:
    """`receivers`: the alertmanager.yml receiver names contacts may name (None: not checked)."""
    root = compose_checked(text, filename)
    dec = Decoder(filename)
    cfg = _Builder(dec, base_dir, receivers, glob or GlobalConfig()).build(root, filename)
    if dec.problems:
        raise ConfigError(sorted(dec.problems, key=lambda p: (p.line, p.column)))
    return cfg


def _seq(dec: Decoder, node: Node | None) -> list[Node]:
    if node is None or is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        dec.error(node, "expected a list")
        return []
    return list(node.value)


class _Builder:
    def __init__(self, dec: Decoder, base_dir: str, receivers: Collection[str] | None, glob: GlobalConfig):
        self.dec = dec
        self.base_dir = base_dir
        self.receivers = receivers
        self.glob = glob

    def build(self, root: Node | None, filename: str) -> IncidentsConfig:
        dec = self.dec
        f = dec.fields(root, "incidents", TOP) or {}
        severities = dict(DEFAULT_SEVERITIES)
        for node in _seq(dec, f.get("severities")):
            sev = self.severity(node)
            if sev is not None:
                severities[sev.name] = sev
        aliases = dict(DEFAULT_ALIASES)
        aliases.update(dec.string_map(f.get("severity_aliases")) or {})
        for raw, name in aliases.items():
            if name not in severities:
                dec.error(
                    f.get("severity_aliases"), f"severity alias {raw!r} names unknown severity {name!r}"
                )
        default_severity = dec.string(f.get("default_severity"), "medium")
        if default_severity not in severities:
            dec.error(f.get("default_severity"), f"unknown severity {default_severity!r}")
        people = self.named(f.get("people"), "person", self.person)
        teams = self.named(f.get("teams"), "team", lambda n: self.team(n, people))
        schedules = self.named(f.get("schedules"), "schedule", lambda n: decode_schedule(dec, n, people))
        actions = self.named(f.get("actions"), "action", self.action)
        checks = self.named(f.get("checks"), "check", lambda n: self.check(n, actions))
        status_page = self.status_page(f.get("status_page"))
        known = _Known(people, teams, schedules, actions, checks, {c.name for c in status_page.components})
        policies = [p for n in _seq(dec, f.get("policies")) if (p := self.policy(n, known)) is not None]
        seen: set[str] = set()
        for node, p in zip(_seq(dec, f.get("policies")), policies, strict=False):
            if p.name in seen:
                dec.error(node, f"policy {p.name!r} is defined twice")
            seen.add(p.name)
        return IncidentsConfig(
            open_rules=tuple(r for n in _seq(dec, f.get("open")) if (r := self.open_rule(n)) is not None),
            severity_label=dec.string(f.get("severity_label"), "severity"),
            severity_aliases=MappingProxyType(aliases),
            default_severity=default_severity,
            severities=MappingProxyType(severities),
            people=MappingProxyType(people),
            teams=MappingProxyType(teams),
            schedules=MappingProxyType(schedules),
            actions=MappingProxyType(actions),
            checks=MappingProxyType(checks),
            policies=tuple(policies),
            status_page=status_page,
            dry_run=dec.boolean(f.get("dry_run"), False),
            filename=filename,
        )

    # -- helpers ----------------------------------------------------------------------------------

    def named(self, node: Node | None, what: str, decode: Callable[[Node], T | None]) -> dict[str, T]:
        out: dict[str, T] = {}
        for item in _seq(self.dec, node):
            value = decode(item)
            if value is None:
                continue
            name: str = getattr(value, "name")  # noqa: B009 - every named config object has one
            if name in out:
                self.dec.error(item, f"{what} {name!r} is defined twice")
            out[name] = value
        return out

    def name_of(self, f: Mapping[str, Node], node: Node, what: str) -> str:
        name = self.dec.string(f.get("name"))
        if not name:
            self.dec.error(node, f"missing name in {what}")
        elif not _NAME.match(name):
            self.dec.error(f.get("name"), f"invalid {what} name {name!r}: use letters, digits and _.:-")
        return name

    def severity(self, node: Node) -> Severity | None:
        f = self.dec.fields(node, "severity", ("name", "respond_within", "resolve_within"))
        if f is None:
            return None
        name = self.name_of(f, node, "severity")
        if "respond_within" not in f:
            self.dec.error(node, f"severity {name!r} needs respond_within")
        resolve = decode_duration(self.dec, f["resolve_within"], 0) if "resolve_within" in f else None
        return Severity(name, decode_duration(self.dec, f.get("respond_within"), 0), resolve)

    def open_rule(self, node: Node) -> OpenRule | None:
        f = self.dec.fields(node, "open rule", ("receivers", "matchers"))
        if f is None:
            return None
        receivers = tuple(self.dec.string_list(f.get("receivers")) or ())
        for name in receivers:
            self.check_receiver(f.get("receivers"), name)
        return OpenRule(receivers, tuple(decode_matchers(self.dec, f.get("matchers"))))

    def check_receiver(self, node: Node | None, name: str) -> None:
        if self.receivers is not None and name not in self.receivers:
            self.dec.error(node, f"unknown receiver {name!r} (not in alertmanager.yml)")

    def person(self, node: Node) -> Person | None:
        f = self.dec.fields(node, "person", ("name", "full_name", "contacts"))
        if f is None:
            return None
        name = self.name_of(f, node, "person")
        contacts: list[str | ReceiverConfig] = []
        for i, item in enumerate(_seq(self.dec, f.get("contacts"))):
            if isinstance(item, MappingNode) and [k.value for k, _ in item.value] == ["receiver"]:
                receiver = self.dec.string(item.value[0][1])
                self.check_receiver(item.value[0][1], receiver)
                contacts.append(receiver)
                continue
            contact = self.inline_contact(item, f"{name}/{i}")
            if contact is not None:
                contacts.append(contact)
        if not contacts:
            self.dec.error(node, f"person {name!r} has no contacts")
        return Person(name, self.dec.string(f.get("full_name"), name), tuple(contacts))

    def inline_contact(self, node: Node, name: str) -> ReceiverConfig | None:
        """A receiver in alertmanager.yml's syntax, without its name; texts default to the incident's."""
        if not isinstance(node, MappingNode):
            self.dec.error(node, "a contact is {receiver: NAME} or a receiver's *_configs")
            return None
        if any(k.value == "name" for k, _ in node.value):
            self.dec.error(node, "an inline contact has no name; use {receiver: NAME} to name a receiver")
            return None
        named = MappingNode(
            "tag:yaml.org,2002:map",
            [(yaml.ScalarNode("tag:yaml.org,2002:str", "name"),
              yaml.ScalarNode("tag:yaml.org,2002:str", name)),
             *node.value],
            node.start_mark, node.end_mark,
        )  # fmt: skip
        receiver = decode_receiver(self.dec, named, self.glob, self.base_dir)
        if receiver is None:
            return None
        explicit = {
            kind: [
                {k.value for k, _ in item.value}
                for item in _seq(self.dec, v)
                if isinstance(item, MappingNode)
            ]
            for key, v in node.value
            if (kind := str(key.value).removesuffix("_configs")) in _INCIDENT_TEXT
        }
        counts: dict[str, int] = {}
        integrations: list[IntegrationConfig] = []
        for integ in receiver.integrations:
            index = counts.get(integ.kind, 0)
            counts[integ.kind] = index + 1
            given = explicit.get(integ.kind, [])
            keys = given[index] if index < len(given) else set()
            opts = dict(integ.options)
            for key, text in _INCIDENT_TEXT.get(integ.kind, {}).items():
                if key not in keys:
                    opts[key] = text
            if integ.kind == "email" and "Subject" not in (opts.get("headers") or {}):
                opts["headers"] = {
                    **(opts.get("headers") or {}),
                    "Subject": '{{ template "incident.subject" . }}',
                }
            integrations.append(IntegrationConfig(integ.kind, integ.send_resolved, opts, integ.http))
        return ReceiverConfig(receiver.name, tuple(integrations))

    def team(self, node: Node, people: Mapping[str, Person]) -> Team | None:
        f = self.dec.fields(node, "team", ("name", "members", "receiver"))
        if f is None:
            return None
        name = self.name_of(f, node, "team")
        members = tuple(self.dec.string_list(f.get("members")) or ())
        for m in members:
            if m not in people:
                self.dec.error(f.get("members"), f"unknown person {m!r} in team {name!r}")
        receiver = self.dec.string(f.get("receiver")) or None
        if receiver is not None:
            self.check_receiver(f.get("receiver"), receiver)
        if not members and receiver is None:
            self.dec.error(node, f"team {name!r} needs members or a receiver")
        return Team(name, members, receiver)

    def action(self, node: Node) -> Action | None:
        keys = ("name", "command", "http", "python", "timeout", "env", "cooldown", "rate_limit", "key_labels",
                "dry_run")  # fmt: skip
        f = self.dec.fields(node, "action", keys)
        if f is None:
            return None
        dec = self.dec
        name = self.name_of(f, node, "action")
        kinds = [k for k in ("command", "http", "python") if k in f]
        if len(kinds) != 1:
            dec.error(node, f"action {name!r} needs exactly one of command, http, python")
        command = tuple(dec.string_list(f.get("command")) or ())
        if "command" in f and not command:
            dec.error(f["command"], f"action {name!r}: command is an empty argument vector")
        http = self.http_request(f["http"]) if "http" in f else None
        python = dec.string(f.get("python"))
        if python and not _ENTRY_POINT.match(python):
            dec.error(f.get("python"), f"action {name!r}: python must be 'package.module:function'")
        rate: RateLimit | None = None
        rf = dec.fields(f.get("rate_limit"), "rate_limit", ("max", "per"))
        if rf is not None:
            rate = RateLimit(dec.integer(rf.get("max"), 1), decode_duration(dec, rf.get("per"), 3_600_000))
            if rate.max_runs < 1 or rate.per_ms <= 0:
                dec.error(f.get("rate_limit"), "rate_limit needs max >= 1 and a positive per")
        key_labels = dec.string_list(f.get("key_labels"))
        timeout = decode_duration(dec, f.get("timeout"), 60_000)
        if timeout <= 0:
            dec.error(f.get("timeout"), f"action {name!r}: timeout must be positive")
        return Action(
            name, command, http, python, timeout, MappingProxyType(dec.string_map(f.get("env")) or {}),
            decode_duration(dec, f.get("cooldown"), 0), rate,
            tuple(key_labels) if key_labels is not None else None, dec.boolean(f.get("dry_run"), False),
        )  # fmt: skip

    def http_request(self, node: Node) -> HTTPRequest | None:
        f = self.dec.fields(node, "http", ("url", "method", "headers", "body", "expect_status"))
        if f is None:
            return None
        url = self.dec.string(f.get("url"))
        if not url.startswith(("http://", "https://")):
            self.dec.error(f.get("url") or node, f"http action needs an http(s) url, got {url!r}")
        codes = self.dec.sequence(f.get("expect_status"), lambda n: self.dec.integer(n, 0), "[]int") or []
        return HTTPRequest(
            url,
            self.dec.string(f.get("method"), "POST").upper(),
            MappingProxyType(self.dec.string_map(f.get("headers")) or {}),
            self.dec.string(f.get("body")),
            tuple(codes),
        )

    def check(self, node: Node, actions: Mapping[str, Action]) -> Check | None:
        f = self.dec.fields(node, "check", ("name", "query", "action", "health"))
        if f is None:
            return None
        name = self.name_of(f, node, "check")
        query, action = self.dec.string(f.get("query")), self.dec.string(f.get("action"))
        health = self.dec.string(f.get("health"))
        if [bool(query), bool(action), bool(health)].count(True) != 1:
            self.dec.error(node, f"check {name!r} needs exactly one of query, action, health")
        if query:
            from erpmon.promql import PromQLSyntaxError, parse_expr

            try:
                parse_expr(query)
            except PromQLSyntaxError as err:
                self.dec.error(f.get("query"), f"check {name!r}: {err}")
        if action and action not in actions:
            self.dec.error(f.get("action"), f"unknown action {action!r} in check {name!r}")
        return Check(name, query, action, health)

    def status_page(self, node: Node | None) -> StatusPageConfig:
        f = self.dec.fields(node, "status_page", ("title", "components"))
        if f is None:
            return StatusPageConfig()
        components: list[Component] = []
        for item in _seq(self.dec, f.get("components")):
            cf = self.dec.fields(item, "component", ("name", "description", "matchers"))
            if cf is None:
                continue
            name = self.dec.string(cf.get("name"))
            if not name:
                self.dec.error(item, "missing name in component")
            if any(c.name == name for c in components):
                self.dec.error(item, f"component {name!r} is defined twice")
            components.append(
                Component(
                    name,
                    self.dec.string(cf.get("description")),
                    tuple(decode_matchers(self.dec, cf.get("matchers"))),
                )
            )  # fmt: skip
        return StatusPageConfig(self.dec.string(f.get("title"), "Status"), tuple(components))

    def policy(self, node: Node, known: _Known) -> Policy | None:
        f = self.dec.fields(node, "policy", ("name", "matchers", "repeat", "repeat_delay", "steps"))
        if f is None:
            return None
        name = self.name_of(f, node, "policy")
        steps = [s for n in _seq(self.dec, f.get("steps")) if (s := self.step(n, name, known)) is not None]
        if not steps:
            self.dec.error(node, f"policy {name!r} has no steps")
        repeat = self.dec.integer(f.get("repeat"), 0)
        if repeat < 0:
            self.dec.error(f.get("repeat"), "repeat must be >= 0")
        repeat_delay = decode_duration(self.dec, f["repeat_delay"], 0) if "repeat_delay" in f else None
        matchers = tuple(decode_matchers(self.dec, f.get("matchers")))
        return Policy(name, tuple(steps), matchers, repeat, repeat_delay)

    def step(self, node: Node, policy: str, known: _Known) -> Step | None:
        f = self.dec.fields(node, "step", ("name", "delay", "after_open", "targets", "verify"))
        if f is None:
            return None
        name = self.dec.string(f.get("name")) or f"step in {policy}"
        targets = [
            t for n in _seq(self.dec, f.get("targets")) if (t := self.target(n, policy, known)) is not None
        ]
        if not targets:
            self.dec.error(node, f"step {name!r} of policy {policy!r} has no targets")
        verify: Verify | None = None
        vf = self.dec.fields(f.get("verify"), "verify", ("after", "check", "resolve"))
        if vf is not None:
            check = self.dec.string(vf.get("check"))
            if check and check not in known.checks:
                self.dec.error(vf.get("check"), f"unknown check {check!r} in policy {policy!r}")
            verify = Verify(
                decode_duration(self.dec, vf.get("after"), 0),
                check,
                self.dec.boolean(vf.get("resolve"), False),
            )
        after_open = decode_duration(self.dec, f["after_open"], 0) if "after_open" in f else None
        return Step(name, decode_duration(self.dec, f.get("delay"), 0), after_open, tuple(targets), verify)

    def target(self, node: Node, policy: str, known: _Known) -> Target | None:
        dec = self.dec
        if not isinstance(node, MappingNode) or len(node.value) != 1:
            dec.error(node, f"a target is one of {', '.join(TARGET_KINDS)} (one key)")
            return None
        ((knode, vnode),) = node.value
        kind = str(knode.value)
        if kind not in TARGET_KINDS:
            dec.error(knode, f"unknown target {kind!r}; want one of {', '.join(TARGET_KINDS)}")
            return None
        if kind == "remediation":
            rf = dec.fields(vnode, "remediation", ("label", "actions"))
            if rf is None:
                return None
            choices = dec.string_map(rf.get("actions")) or {}
            for action in choices.values():
                if action not in known.actions:
                    dec.error(rf.get("actions"), f"unknown action {action!r} in policy {policy!r}")
            return Target(
                kind, label=dec.string(rf.get("label"), "alertname"), choices=MappingProxyType(choices)
            )
        if kind == "status_page":
            sf = dec.fields(vnode, "status_page", ("status", "components"))
            if sf is None:
                return None
            status = dec.string(sf.get("status"), "major_outage")
            if status not in STATUSES:
                dec.error(
                    sf.get("status"),
                    f"unknown component status {status!r}; want one of {', '.join(STATUSES)}",
                )
            components = tuple(dec.string_list(sf.get("components")) or ())
            for c in components:
                if c not in known.components:
                    dec.error(sf.get("components"), f"unknown component {c!r} in policy {policy!r}")
            return Target(kind, status=status, components=components)
        name = dec.string(vnode)
        pool: Collection[str] | None = {
            "person": known.people, "schedule": known.schedules, "team": known.teams, "action": known.actions,
        }.get(kind)  # fmt: skip
        if pool is not None and name not in pool:
            dec.error(vnode, f"unknown {kind} {name!r} in policy {policy!r}")
        if kind == "receiver":
            self.check_receiver(vnode, name)
        return Target(kind, name)


class _Known:
    def __init__(
        self,
        people: Mapping[str, Person],
        teams: Mapping[str, Team],
        schedules: Mapping[str, Schedule],
        actions: Mapping[str, Action],
        checks: Mapping[str, Check],
        components: Collection[str],
    ) -> None:
        self.people, self.teams, self.schedules = people, teams, schedules
        self.actions, self.checks, self.components = actions, checks, components
