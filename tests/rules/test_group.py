"""Rule groups on the real store: recording, staleness, the alert lifecycle, ALERTS series, notify."""

from __future__ import annotations

from tests.rules.conftest import T0, Harness

from erpmon.model import STALE_NAN, Labels
from erpmon.rules import AlertState

MIN = 60_000

RECORDING = """
groups:
  - name: rec
    rules:
      - record: job:requests:sum
        expr: sum by (job) (requests)
        labels:
          team: web
"""


def test_recording_rule_writes_renamed_series_and_marks_vanished_ones_stale(harness: Harness) -> None:
    harness.start(RECORDING)
    harness.write("requests", T0, 3, job="api", instance="a")
    harness.write("requests", T0, 4, job="api", instance="b")
    harness.write("requests", T0, 5, job="web", instance="c")
    group = harness.group()
    group.eval(T0)
    got = harness.series("job:requests:sum")
    assert got == {
        Labels.of(__name__="job:requests:sum", job="api", team="web"): [(T0, 7.0)],
        Labels.of(__name__="job:requests:sum", job="web", team="web"): [(T0, 5.0)],
    }
    # The web input goes stale, so the sum loses that group; the api one goes on.
    harness.write("requests", T0 + MIN, 1, job="api", instance="a")
    harness.write("requests", T0 + MIN, 1, job="api", instance="b")
    harness.write("requests", T0 + MIN, STALE_NAN, job="web", instance="c")
    group.eval(T0 + 2 * MIN)
    got = harness.series("job:requests:sum")
    assert got[Labels.of(__name__="job:requests:sum", job="api", team="web")] == [
        (T0, 7.0),
        (T0 + 2 * MIN, 2.0),
    ]
    assert got[Labels.of(__name__="job:requests:sum", job="web", team="web")] == [
        (T0, 5.0),
        (T0 + 2 * MIN, "stale"),
    ]
    assert group.counters.evaluations == 2
    assert group.counters.failures == 0
    assert group.counters.last_samples == 1


def test_recording_rule_empty_label_removes_that_label(harness: Harness) -> None:
    harness.start(
        """
groups:
  - name: g
    rules:
      - record: up:no_instance
        expr: up
        labels:
          instance: ""
"""
    )
    harness.write("up", T0, 1, job="api", instance="a")
    harness.group().eval(T0)
    assert list(harness.series("up:no_instance")) == [Labels.of(__name__="up:no_instance", job="api")]


def test_same_labelset_after_rule_labels_is_an_evaluation_failure(harness: Harness) -> None:
    harness.start(
        """
groups:
  - name: g
    rules:
      - record: flat
        expr: up
        labels:
          instance: ""
"""
    )
    harness.write("up", T0, 1, job="api", instance="a")
    harness.write("up", T0, 1, job="api", instance="b")
    group = harness.group()
    group.eval(T0)
    rule = group.rules[0]
    assert rule.health == "err"
    assert rule.last_error == "vector contains metrics with the same labelset after applying rule labels"
    assert group.counters.failures == 1
    assert harness.series("flat") == {}


def test_limit_on_recording_rule_series(harness: Harness) -> None:
    harness.start(
        """
groups:
  - name: g
    limit: 1
    rules:
      - record: copy
        expr: up
"""
    )
    harness.write("up", T0, 1, instance="a")
    harness.write("up", T0, 1, instance="b")
    harness.group().eval(T0)
    assert harness.group().rules[0].last_error == "exceeded limit of 1 with 2 series"


ALERT = """
groups:
  - name: alerts
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 2m
        labels:
          severity: critical
          instance_copy: "{{ $labels.instance }}"
        annotations:
          summary: "{{ $labels.instance }} of {{ $externalLabels.cluster }} is down ({{ $value }})"
"""


def test_alert_goes_pending_firing_resolved_and_writes_alerts_series(harness: Harness) -> None:
    harness.start(ALERT)
    rule = harness.alerting_rule("InstanceDown")
    rule.restored = True
    group = harness.group()
    for i in range(4):
        harness.write("up", T0 + i * MIN, 0, job="api", instance="a:1")
    group.eval(T0)
    [alert] = rule.active_alerts()
    assert alert.state == AlertState.PENDING
    assert alert.labels == Labels.of(
        alertname="InstanceDown", job="api", instance="a:1", instance_copy="a:1", severity="critical"
    )
    assert dict(alert.annotations) == {"summary": "a:1 of eu1 is down (0)"}
    group.eval(T0 + MIN)
    assert rule.active_alerts()[0].state == AlertState.PENDING
    group.eval(T0 + 2 * MIN)
    assert rule.active_alerts()[0].state == AlertState.FIRING
    assert rule.state() == AlertState.FIRING

    alerts = harness.series("ALERTS")
    base = dict(alertname="InstanceDown", job="api", instance="a:1", instance_copy="a:1", severity="critical")
    pending = Labels({"__name__": "ALERTS", "alertstate": "pending", **base})
    firing = Labels({"__name__": "ALERTS", "alertstate": "firing", **base})
    assert alerts[pending] == [(T0, 1.0), (T0 + MIN, 1.0), (T0 + 2 * MIN, "stale")]
    assert alerts[firing] == [(T0 + 2 * MIN, 1.0)]
    for_state = harness.series("ALERTS_FOR_STATE")
    assert for_state[Labels({"__name__": "ALERTS_FOR_STATE", **base})][-1] == (T0 + 2 * MIN, T0 // 1000)

    # up recovers: the alert resolves, is no longer active, but stays for the notifier for 15m.
    harness.write("up", T0 + 3 * MIN + 1, 1, job="api", instance="a:1")
    group.eval(T0 + 4 * MIN)
    assert rule.active_alerts() == []
    assert rule.state() == AlertState.INACTIVE
    kept = list(rule.active.values())
    assert len(kept) == 1 and kept[0].resolved_at == T0 + 4 * MIN
    assert harness.series("ALERTS")[firing][-1] == (T0 + 4 * MIN, "stale")
    group.eval(T0 + 19 * MIN)
    assert len(rule.active) == 1  # exactly 15m: still kept
    group.eval(T0 + 20 * MIN)
    assert rule.active == {}


def test_pending_alert_that_disappears_is_dropped_at_once(harness: Harness) -> None:
    harness.start(ALERT)
    rule = harness.alerting_rule("InstanceDown")
    harness.write("up", T0, 0, instance="a")
    harness.group().eval(T0)
    harness.write("up", T0 + MIN - 1, 1, instance="a")
    harness.group().eval(T0 + MIN)
    assert rule.active == {}


def test_alerts_series_are_only_written_once_restored(harness: Harness) -> None:
    harness.start(ALERT)
    harness.write("up", T0, 0, instance="a")
    harness.group().eval(T0)
    assert harness.series("ALERTS") == {}


def test_keep_firing_for_holds_a_firing_alert(harness: Harness) -> None:
    harness.start(
        """
groups:
  - name: g
    rules:
      - alert: Flappy
        expr: errors > 0
        keep_firing_for: 3m
"""
    )
    rule = harness.alerting_rule("Flappy")
    group = harness.group()
    harness.write("errors", T0, 1)
    group.eval(T0)
    assert rule.active_alerts()[0].state == AlertState.FIRING  # no `for`: fires at once
    harness.write("errors", T0 + MIN - 1, 0)
    group.eval(T0 + MIN)
    [alert] = rule.active_alerts()
    assert alert.state == AlertState.FIRING and alert.keep_firing_since == T0 + MIN
    group.eval(T0 + 3 * MIN)
    assert rule.active_alerts()[0].state == AlertState.FIRING
    group.eval(T0 + 4 * MIN)
    assert rule.active_alerts() == []
    assert next(iter(rule.active.values())).resolved_at == T0 + 4 * MIN


def test_notify_gets_firing_alerts_resends_after_delay_and_resolved_once(harness: Harness) -> None:
    harness.start(
        """
groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
"""
    )
    group = harness.group()
    harness.write("up", T0, 0, instance="a")
    group.eval(T0)
    assert [(expr, [a.state for a in alerts]) for expr, alerts in harness.sent] == [
        ("up == 0", [AlertState.FIRING])
    ]
    first = harness.sent[0][1][0]
    assert first.valid_until == T0 + 4 * MIN  # 4 x max(resend delay 1m, interval 1m)
    harness.sent.clear()
    harness.write("up", T0 + 30_000, 0, instance="a")
    group.eval(T0 + 30_000)  # within the resend delay: nothing sent
    assert harness.sent == []
    group.eval(T0 + 61_000)
    assert len(harness.sent) == 1
    harness.sent.clear()
    harness.write("up", T0 + 62_000, 1, instance="a")
    group.eval(T0 + 63_000)
    assert [a.resolved_at for _, alerts in harness.sent for a in alerts] == [T0 + 63_000]


def test_alert_limit(harness: Harness) -> None:
    harness.start(
        """
groups:
  - name: g
    limit: 1
    rules:
      - alert: Down
        expr: up == 0
"""
    )
    harness.write("up", T0, 0, instance="a")
    harness.write("up", T0, 0, instance="b")
    harness.group().eval(T0)
    rule = harness.alerting_rule("Down")
    assert rule.last_error == "exceeded limit of 1 with 2 alerts"
    assert rule.active == {}


def test_template_error_is_rendered_into_the_annotation(harness: Harness) -> None:
    harness.start(
        """
groups:
  - name: g
    rules:
      - alert: Bad
        expr: up == 0
        annotations:
          summary: '{{ humanize "not a number" }}'
"""
    )
    harness.write("up", T0, 0)
    harness.group().eval(T0)
    [alert] = harness.alerting_rule("Bad").active_alerts()
    assert dict(alert.annotations)["summary"].startswith("<error expanding template: ")
