"""The rule manager: schedule, missed iterations, reloads, restoring `for` state, self-metrics."""

from __future__ import annotations

import pytest
from tests.rules.conftest import T0, Harness

from erpmon.model import Labels
from erpmon.promql import Engine
from erpmon.rules import AlertState, ManagerOptions, RuleFileError, RuleManager

MIN = 60_000

RULES = """
groups:
  - name: main
    rules:
      - record: up:sum
        expr: sum(up)
      - alert: Down
        expr: up == 0
        for: 2m
        annotations:
          summary: down
"""


def test_first_evaluation_is_the_next_aligned_slot_and_missed_slots_are_counted(harness: Harness) -> None:
    manager = harness.start(RULES)
    group = harness.group()
    due = manager.next_due_ms()
    assert due is not None
    assert due == group.eval_timestamp(T0) + MIN
    assert T0 < due <= T0 + MIN
    assert (due - group.offset_ms()) % MIN == 0
    assert manager.run_due(due - 1) == 0
    assert manager.run_due(due) == 1
    assert group.counters.last_eval_ms == due
    # Three slots late: they are skipped and counted, the evaluation uses the latest slot.
    assert manager.run_due(due + 4 * MIN + 5) == 1
    assert group.counters.missed_iterations == 3
    assert group.counters.last_eval_ms == due + 4 * MIN
    assert manager.next_due_ms() == due + 5 * MIN


def test_a_broken_reload_keeps_the_running_rules(harness: Harness) -> None:
    manager = harness.start(RULES)
    with pytest.raises(RuleFileError) as err:
        harness.reload("groups:\n  - name: x\n    rules:\n      - record: y\n        expr: sum(\n")
    assert "could not parse expression" in str(err.value)
    assert [g.name for g in manager.groups()] == ["main"]


def test_reload_keeps_alert_state_and_marks_removed_rules_stale(harness: Harness) -> None:
    manager = harness.start(RULES)
    harness.alerting_rule("Down").restored = True
    harness.write_many([(T0 + i * MIN, 0) for i in range(6)], "up", instance="a")
    due = manager.next_due_ms()
    assert due is not None
    manager.run_due(due)
    active_at = harness.alerting_rule("Down").active_alerts()[0].active_at
    harness.reload(
        RULES.replace("summary: down", "summary: changed").replace(
            "      - record: up:sum\n        expr: sum(up)\n", ""
        )
    )
    assert manager.next_due_ms() == due + MIN  # same group, same interval: same schedule
    manager.run_due(due + MIN)
    [alert] = harness.alerting_rule("Down").active_alerts()
    assert alert.active_at == active_at
    assert dict(alert.annotations) == {"summary": "changed"}
    assert harness.series("up:sum")[Labels.of(__name__="up:sum")][-1] == (due + MIN, "stale")


def test_removed_group_series_go_stale_at_reload(harness: Harness) -> None:
    manager = harness.start(RULES)
    harness.write("up", T0, 1, instance="a")
    due = manager.next_due_ms()
    assert due is not None
    manager.run_due(due)
    harness.clock.set(due + 10_000)
    harness.reload("groups: []\n")
    assert manager.groups() == []
    assert harness.series("up:sum")[Labels.of(__name__="up:sum")][-1] == (due + 10_000, "stale")


def test_for_state_is_restored_after_a_restart(harness: Harness) -> None:
    options = ManagerOptions(for_grace_period_ms=MIN)
    manager = harness.start(RULES, options=options)
    harness.write_many([(T0 + i * MIN, 0) for i in range(40)], "up", instance="a")
    due = manager.next_due_ms()
    assert due is not None
    for i in range(5):
        harness.clock.set(due + i * MIN)
        manager.run_due(due + i * MIN)
    rule = harness.alerting_rule("Down")
    [alert] = rule.active_alerts()
    assert alert.state == AlertState.FIRING
    first_active = alert.active_at

    # A new process (same store) five minutes later: the alert starts pending again, and after
    # two evaluations its for-state comes back from ALERTS_FOR_STATE.
    harness.clock.set(due + 10 * MIN)
    restarted = RuleManager(
        Engine(harness.db).instant_vector, harness.db, harness.db, harness.clock, options=options
    )
    restarted.load(harness.config(harness.dir / "rules.yml", MIN))
    harness.manager = restarted
    next_due = restarted.next_due_ms()
    assert next_due is not None
    for i in range(3):
        harness.clock.set(next_due + i * MIN)
        restarted.run_due(next_due + i * MIN)
    [alert] = harness.alerting_rule("Down").active_alerts()
    assert alert.active_at == first_active // 1000 * 1000
    assert alert.state == AlertState.FIRING


def test_short_for_is_not_restored(harness: Harness) -> None:
    manager = harness.start(RULES)  # default grace period 10m > for 2m
    harness.write_many([(T0 + i * MIN, 0) for i in range(5)], "up", instance="a")
    due = manager.next_due_ms()
    assert due is not None
    manager.run_due(due)
    assert harness.alerting_rule("Down").restored is False  # restoring waits for a second evaluation
    manager.run_due(due + MIN)
    assert harness.alerting_rule("Down").restored is True


def test_self_metrics(harness: Harness) -> None:
    manager = harness.start(RULES)
    due = manager.next_due_ms()
    assert due is not None
    manager.run_due(due)
    families = {f.name: f for f in manager.collect()}
    key = f"{harness.dir / 'rules.yml'};main"
    evals = families["erpmon_rule_evaluations"].samples
    assert [(s.labels["rule_group"], s.value) for s in evals if s.name.endswith("_total")] == [(key, 2.0)]
    assert {s.name for s in families["erpmon_rule_group_rules"].samples} == {"erpmon_rule_group_rules"}
    assert families["erpmon_rule_group_interval_seconds"].samples[0].value == 60.0
    assert families["erpmon_rule_group_last_evaluation_timestamp_seconds"].samples[0].value == due / 1000
