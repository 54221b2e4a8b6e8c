"""The rule manager: loads rule files into groups, schedules their evaluations, reconciles reloads.

Scheduling follows Prometheus 2.42's `Group.run`: a group first evaluates at the next aligned
timestamp (`eval_timestamp + interval`); when it falls behind, the missed iterations are counted
and skipped, never replayed. After a start (not a reload) each group evaluates twice before it
restores alerts' `for` state from `ALERTS_FOR_STATE` — the first evaluations may lack the data
recording rules would have produced. `run_due(now)` does one scheduling step and is what tests
drive with a fake clock; `run()` is the asyncio loop around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily

from erpmon.clock import Clock
from erpmon.model import Labels
from erpmon.promql import format_expr, parse_expr
from erpmon.rules._alerting import AlertingRule, QueryFunc
from erpmon.rules._file import GroupSpec, RuleFileError, load_rule_file
from erpmon.rules._group import Group, GroupOptions, NotifyFunc, Rule, group_key
from erpmon.rules._recording import RecordingRule
from erpmon.storage import Appendable, Queryable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ManagerOptions:
    """Prometheus's --rules.alert.* flags."""

    outage_tolerance_ms: int = 3_600_000
    for_grace_period_ms: int = 600_000
    resend_delay_ms: int = 60_000


@dataclass(frozen=True)
class RulesConfig:
    """What the rules need from prometheus.yml: the files and the global settings."""

    files: tuple[str, ...] = ()
    evaluation_interval_ms: int = 60_000
    external_labels: Labels = field(default_factory=Labels)
    external_url: str = ""


def expand_rule_files(patterns: Sequence[str]) -> list[str]:
    """The files the `rule_files` globs match, sorted per pattern, each once (as Prometheus)."""
    out: list[str] = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            if path not in out:
                out.append(path)
    return out


def build_rule(spec_rule: object, external_labels: Labels, external_url: str) -> Rule:
    from erpmon.rules._file import RuleSpec

    assert isinstance(spec_rule, RuleSpec)
    query = format_expr(parse_expr(spec_rule.expr))
    if spec_rule.alert:
        return AlertingRule(spec_rule, query, external_labels, external_url)
    return RecordingRule(spec_rule, query)


class RuleManager:
    def __init__(
        self,
        query: QueryFunc,
        appendable: Appendable,
        queryable: Queryable,
        clock: Clock,
        notify: NotifyFunc | None = None,
        options: ManagerOptions | None = None,
    ) -> None:
        self._query = query
        self._appendable = appendable
        self._queryable = queryable
        self._clock = clock
        self._notify = notify
        self.options = options or ManagerOptions()
        self._groups: dict[str, Group] = {}
        self._next_eval: dict[str, int] = {}
        self._evals_before_restore: dict[str, int] = {}
        self._loaded_once = False
        self._wake = asyncio.Event()
        self._config = RulesConfig()

    # -- loading ----------------------------------------------------------------------------------
    def load(self, config: RulesConfig) -> None:
        """Load every rule file and swap the groups in; on any error nothing changes (raises)."""
        problems: list[str] = []
        specs: list[GroupSpec] = []
        for path in expand_rule_files(config.files):
            try:
                specs.extend(load_rule_file(path).groups)
            except RuleFileError as err:
                problems.extend(err.messages)
        if problems:
            raise RuleFileError(problems)
        restore = not self._loaded_once
        new: dict[str, Group] = {}
        for spec in specs:
            group = self._build_group(spec, config, restore)
            new[group.key] = group
        now = self._clock.now_ms()
        for key, old in self._groups.items():
            replacement = new.get(key)
            if replacement is None:
                old.stale_everything()
                old.flush_stale(now)
            elif (
                old.spec == replacement.spec
                and old.interval_ms == replacement.interval_ms
                and self._same_globals(config)
            ):
                new[key] = old
            else:
                replacement.copy_state(old)
        for key, group in new.items():
            previous = self._groups.get(key)
            if previous is None or previous.interval_ms != group.interval_ms:
                self._next_eval[key] = group.eval_timestamp(now) + group.interval_ms
            if group.should_restore:
                self._evals_before_restore.setdefault(key, 2)
        for key in list(self._next_eval):
            if key not in new:
                del self._next_eval[key]
                self._evals_before_restore.pop(key, None)
        self._groups = new
        self._config = config
        self._loaded_once = True
        self._wake.set()

    def _same_globals(self, config: RulesConfig) -> bool:
        c = self._config
        return c.external_labels == config.external_labels and c.external_url == config.external_url

    def _build_group(self, spec: GroupSpec, config: RulesConfig, restore: bool) -> Group:
        rules = [build_rule(rule, config.external_labels, config.external_url) for rule in spec.rules]
        for rule in rules:
            if isinstance(rule, AlertingRule):
                rule.restored = not restore
        opts = GroupOptions(
            query=self._query,
            appendable=self._appendable,
            notify=self._notify,
            resend_delay_ms=self.options.resend_delay_ms,
            external_labels=config.external_labels,
            external_url=config.external_url,
        )
        group = Group(spec, spec.interval_ms or config.evaluation_interval_ms, rules, opts)
        group.should_restore = restore
        return group

    # -- scheduling -------------------------------------------------------------------------------
    def groups(self) -> list[Group]:
        return list(self._groups.values())

    def next_due_ms(self) -> int | None:
        return min(self._next_eval.values(), default=None)

    def run_due(self, now_ms: int) -> int:
        """Evaluate every group whose time has come; returns how many evaluations ran."""
        ran = 0
        for key, group in list(self._groups.items()):
            due = self._next_eval.get(key)
            if due is None or due > now_ms:
                continue
            self._evaluate(key, group, due, now_ms)
            ran += 1
        return ran

    def _evaluate(self, key: str, group: Group, due: int, now_ms: int) -> None:
        missed = (now_ms - due) // group.interval_ms
        if missed > 0:
            group.counters.missed_iterations += missed
            due += missed * group.interval_ms
        group.eval(due)
        self._next_eval[key] = due + group.interval_ms
        left = self._evals_before_restore.get(key)
        if left is not None:
            if left <= 1:
                del self._evals_before_restore[key]
                group.restore_for_state(
                    self._clock.now_ms(),
                    self._queryable,
                    self.options.outage_tolerance_ms,
                    self.options.for_grace_period_ms,
                )
                group.should_restore = False
            else:
                self._evals_before_restore[key] = left - 1

    async def run(self) -> None:
        """Evaluate groups on their schedule until cancelled; evaluations run in a worker thread."""
        while True:
            now = self._clock.now_ms()
            due = self.next_due_ms()
            if due is not None and due <= now:
                await asyncio.to_thread(self.run_due, now)
                continue
            self._wake.clear()
            delay = None if due is None else (due - now) / 1000.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    # -- views ------------------------------------------------------------------------------------
    def alerting_rules(self) -> list[AlertingRule]:
        return [r for g in self._groups.values() for r in g.rules if isinstance(r, AlertingRule)]

    def collect(self) -> Iterator[Metric]:
        """The prometheus_rule_* counterparts, as erpmon_rule_*, labelled by rule_group."""
        groups = list(self._groups.values())

        evals = CounterMetricFamily("erpmon_rule_evaluations", "Rule evaluations.", labels=["rule_group"])
        fails = CounterMetricFamily(
            "erpmon_rule_evaluation_failures", "Rule evaluations that failed.", labels=["rule_group"]
        )
        iters = CounterMetricFamily(
            "erpmon_rule_group_iterations", "Scheduled group evaluations run.", labels=["rule_group"]
        )
        missed = CounterMetricFamily(
            "erpmon_rule_group_iterations_missed",
            "Group evaluations skipped because the previous one was late.",
            labels=["rule_group"],
        )
        gauges = {
            "interval": GaugeMetricFamily(
                "erpmon_rule_group_interval_seconds",
                "The group's evaluation interval.",
                labels=["rule_group"],
            ),
            "duration": GaugeMetricFamily(
                "erpmon_rule_group_last_duration_seconds",
                "How long the group's last evaluation took.",
                labels=["rule_group"],
            ),
            "timestamp": GaugeMetricFamily(
                "erpmon_rule_group_last_evaluation_timestamp_seconds",
                "When the group was last evaluated.",
                labels=["rule_group"],
            ),
            "samples": GaugeMetricFamily(
                "erpmon_rule_group_last_evaluation_samples",
                "Samples the group's last evaluation returned.",
                labels=["rule_group"],
            ),
            "rules": GaugeMetricFamily(
                "erpmon_rule_group_rules", "Rules in the group.", labels=["rule_group"]
            ),
        }
        rule_seconds = SummaryMetricFamily(
            "erpmon_rule_evaluation_duration_seconds", "Time spent evaluating single rules."
        )
        total_count = 0
        total_sum = 0.0
        for g in groups:
            key = [g.key]
            c = g.counters
            evals.add_metric(key, c.evaluations)
            fails.add_metric(key, c.failures)
            iters.add_metric(key, c.iterations)
            missed.add_metric(key, c.missed_iterations)
            gauges["interval"].add_metric(key, g.interval_ms / 1000.0)
            gauges["duration"].add_metric(key, c.last_duration_s)
            gauges["timestamp"].add_metric(key, (c.last_eval_ms or 0) / 1000.0)
            gauges["samples"].add_metric(key, c.last_samples)
            gauges["rules"].add_metric(key, len(g.rules))
            total_count += c.evaluations
            total_sum += c.rule_seconds_sum
        rule_seconds.add_metric([], count_value=total_count, sum_value=total_sum)
        yield from (evals, fails, iters, missed, *gauges.values(), rule_seconds)


__all__ = ["ManagerOptions", "RuleManager", "RulesConfig", "expand_rule_files", "group_key"]
