"""A rule group: its rules evaluated in order at one timestamp, results written back with staleness.

The counterpart of Prometheus 2.42's `rules.Group`: `eval(ts)` runs every rule, appends what it
produced in one batch per rule, writes stale markers for series a rule produced last time and not
now (and, after a reload, for series of rules that are gone), hands due alerts to the notify
function, and keeps the counters Prometheus exports per group. `restore_for_state` reads
`ALERTS_FOR_STATE` back after a restart so `for` clocks survive it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from erpmon.model import STALE_NAN, Labels, Matcher, MatchType, is_stale_nan
from erpmon.promql import QueryError
from erpmon.rules._alerting import Alert, AlertingRule, QueryFunc
from erpmon.rules._file import GroupSpec
from erpmon.rules._recording import RecordingRule
from erpmon.storage import Appendable, AppendError, Querier, Queryable, SeriesRef

log = logging.getLogger(__name__)

Rule = RecordingRule | AlertingRule
NotifyFunc = Callable[[str, Sequence[Alert]], None]
"""Receives (the rule's expression, alerts due for sending) after each alerting rule's evaluation."""


@dataclass
class GroupOptions:
    query: QueryFunc
    appendable: Appendable
    notify: NotifyFunc | None = None
    resend_delay_ms: int = 60_000
    external_labels: Labels = field(default_factory=Labels)
    external_url: str = ""


@dataclass
class GroupCounters:
    """What Prometheus exports per group (prometheus_rule_* counterparts)."""

    evaluations: int = 0
    failures: int = 0
    iterations: int = 0
    missed_iterations: int = 0
    last_samples: int = 0
    last_duration_s: float = 0.0
    last_eval_ms: int | None = None
    rule_seconds_sum: float = 0.0
    group_seconds_sum: float = 0.0


def group_key(file: str, name: str) -> str:
    """Prometheus's GroupKey: how groups are told apart across files."""
    return f"{file};{name}"


class Group:
    def __init__(self, spec: GroupSpec, interval_ms: int, rules: list[Rule], opts: GroupOptions) -> None:
        self.spec = spec
        self.name = spec.name
        self.file = spec.file
        self.interval_ms = interval_ms
        self.limit = spec.limit
        self.rules = rules
        self.opts = opts
        self.counters = GroupCounters()
        self.should_restore = False
        self._previous: list[dict[Labels, SeriesRef]] = [{} for _ in rules]
        self._stale: list[tuple[Labels, SeriesRef]] = []
        self._refs: list[dict[Labels, SeriesRef]] = [{} for _ in rules]

    @property
    def key(self) -> str:
        return group_key(self.file, self.name)

    # -- timing -----------------------------------------------------------------------------------
    def offset_ms(self) -> int:
        """A stable phase within the interval, so groups spread out and keep it across restarts."""
        digest = hashlib.blake2b(f"{self.file}\xff{self.name}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") % self.interval_ms

    def eval_timestamp(self, now_ms: int) -> int:
        """The latest aligned evaluation time at or before `now_ms` (Prometheus's EvalTimestamp)."""
        offset = self.offset_ms()
        adjusted = now_ms - offset
        return adjusted - adjusted % self.interval_ms + offset

    # -- evaluation -------------------------------------------------------------------------------
    def eval(self, ts: int) -> None:
        started = time.perf_counter()
        samples = 0
        for i, rule in enumerate(self.rules):
            samples += self._eval_rule(i, rule, ts)
        self.counters.last_samples = samples
        self._write_stale_for_removed(ts)
        self.counters.iterations += 1
        self.counters.last_duration_s = time.perf_counter() - started
        self.counters.group_seconds_sum += self.counters.last_duration_s
        self.counters.last_eval_ms = ts

    def _eval_rule(self, i: int, rule: Rule, ts: int) -> int:
        started = time.perf_counter()
        self.counters.evaluations += 1
        try:
            if isinstance(rule, AlertingRule):
                pairs = rule.eval(ts, self.opts.query, self.limit)
                series = [lset for lset, _ in pairs]
                values = np.fromiter((v for _, v in pairs), dtype=np.float64, count=len(pairs))
            else:
                series, values = rule.eval(ts, self.opts.query, self.limit)
        except (QueryError, ValueError, ArithmeticError) as err:
            self._failed(rule, err, i)
            return 0
        finally:
            rule.eval_duration_s = time.perf_counter() - started
            rule.eval_timestamp_ms = ts
            self.counters.rule_seconds_sum += rule.eval_duration_s
        rule.health, rule.last_error = "ok", ""
        if isinstance(rule, AlertingRule) and self.opts.notify is not None:
            due = rule.alerts_to_send(ts, self.opts.resend_delay_ms, self.interval_ms)
            if due:
                self.opts.notify(rule.query, due)
        try:
            self._write(i, series, values, ts)
        except AppendError as err:
            self._failed(rule, err, i)
        return len(series)

    def _failed(self, rule: Rule, err: Exception, index: int) -> None:
        rule.health, rule.last_error = "err", str(err)
        self.counters.failures += 1
        log.warning(
            "evaluating rule failed: group=%s index=%d rule=%s err=%s", self.name, index, rule.name, err
        )

    def _write(self, i: int, series: list[Labels], values: np.ndarray, ts: int) -> None:
        """One batch: this evaluation's samples plus stale markers for what the rule no longer yields."""
        app = self.opts.appendable.appender()
        refs = self._refs[i]
        returned: dict[Labels, SeriesRef] = {}
        for lset in series:
            ref = refs.get(lset)
            if ref is None:
                ref = app.ref(lset)
                refs[lset] = ref
            returned[lset] = ref
        gone = [ref for lset, ref in self._previous[i].items() if lset not in returned]
        all_refs = np.fromiter((*returned.values(), *gone), dtype=np.int64, count=len(returned) + len(gone))
        all_values = np.concatenate([values, np.full(len(gone), STALE_NAN)])
        app.append_many(all_refs, np.full(all_refs.size, ts, dtype=np.int64), all_values)
        app.commit()
        self._previous[i] = returned
        if len(refs) > 4 * max(len(returned), 256):
            self._refs[i] = dict(returned)

    def _write_stale_for_removed(self, ts: int) -> None:
        if not self._stale:
            return
        app = self.opts.appendable.appender()
        refs = np.fromiter((ref for _, ref in self._stale), dtype=np.int64, count=len(self._stale))
        app.append_many(refs, np.full(refs.size, ts, dtype=np.int64), np.full(refs.size, STALE_NAN))
        try:
            app.commit()
        except AppendError as err:
            log.warning("stale markers for a previous configuration failed: group=%s err=%s", self.name, err)
            return
        self._stale = []

    # -- reload and restart -----------------------------------------------------------------------
    def copy_state(self, old: Group) -> None:
        """Carry evaluation state over a reload: alerts and series of rules that kept their name."""
        self.counters = old.counters
        by_name: dict[tuple[str, str], list[int]] = {}
        for i, rule in enumerate(old.rules):
            by_name.setdefault((rule.kind, rule.name), []).append(i)
        taken: set[int] = set()
        for i, rule in enumerate(self.rules):
            candidates = by_name.get((rule.kind, rule.name))
            if not candidates:
                continue
            j = candidates.pop(0)
            taken.add(j)
            self._previous[i] = old._previous[j]
            self._refs[i] = old._refs[j]
            old_rule = old.rules[j]
            if isinstance(rule, AlertingRule) and isinstance(old_rule, AlertingRule):
                rule.active = old_rule.active
                rule.restored = old_rule.restored
            rule.health, rule.last_error = old_rule.health, old_rule.last_error
        for j, previous in enumerate(old._previous):
            if j not in taken:
                self._stale.extend(previous.items())
        self._stale.extend(old._stale)

    def stale_everything(self) -> None:
        """For a group removed by a reload: mark all its series stale now."""
        self._stale.extend(item for previous in self._previous for item in previous.items())
        for i in range(len(self._previous)):
            self._previous[i] = {}

    def flush_stale(self, ts: int) -> None:
        self._write_stale_for_removed(ts)

    def restore_for_state(
        self, ts: int, queryable: Queryable, outage_tolerance_ms: int, grace_period_ms: int
    ) -> None:
        """Give active alerts back the active-since time `ALERTS_FOR_STATE` recorded before a restart."""
        querier = queryable.querier(ts - outage_tolerance_ms, ts)
        try:
            for rule in self.rules:
                if not isinstance(rule, AlertingRule):
                    continue
                if rule.hold_ms < grace_period_ms:
                    rule.restored = True
                    continue
                for alert in rule.active.values():
                    self._restore_alert(rule, alert, querier, ts, grace_period_ms)
                rule.restored = True
        finally:
            querier.close()

    def _restore_alert(
        self, rule: AlertingRule, alert: Alert, querier: Querier, ts: int, grace_ms: int
    ) -> None:
        lset = rule.for_state_series(alert)
        matchers = [Matcher(MatchType.EQUAL, name, value) for name, value in lset]
        found = [s for s in querier.select(matchers) if len(s.labels) == len(lset)]
        if not found or len(found[0].timestamps) == 0:
            return
        series = found[0]
        last_t, last_v = int(series.timestamps[-1]), float(series.values[-1])
        if is_stale_nan(last_v) or math.isnan(last_v):
            return
        down_at = (last_t // 1000) * 1000
        restored = int(last_v) * 1000
        remaining = rule.hold_ms - (down_at - restored)
        if remaining <= 0:
            pass
        elif remaining < grace_ms:
            restored = ts + grace_ms - rule.hold_ms
        else:
            restored += ts - down_at
        alert.active_at = restored
