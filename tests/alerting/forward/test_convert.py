"""Rule alerts to Alertmanager alerts: times, ends, generator URLs with Go's query escaping."""

from __future__ import annotations

from collections.abc import Sequence

from erpmon.alerting import Alert
from erpmon.alerting.forward import (
    make_notify_func,
    query_escape,
    rule_alerts_to_am,
    table_link_for_expression,
)
from erpmon.model import Labels
from erpmon.rules import Alert as RuleAlert
from erpmon.rules import AlertState

MS = 1_000_000


def rule_alert(**kw: object) -> RuleAlert:
    base: dict[str, object] = {
        "labels": Labels.of(alertname="A", job="x"),
        "annotations": (("summary", "s"),),
        "state": AlertState.FIRING,
        "value": 1.0,
        "active_at": 1_000,
        "fired_at": 2_000,
        "valid_until": 9_000,
    }
    base.update(kw)
    return RuleAlert(**base)  # type: ignore[arg-type]


def test_query_escape_follows_go() -> None:
    # Values from Go's url.QueryEscape.
    assert query_escape("vector(1) > 0") == "vector%281%29+%3E+0"
    assert query_escape('up{job=~"a|b/c"} ~ ü') == "up%7Bjob%3D~%22a%7Cb%2Fc%22%7D+~+%C3%BC"
    assert query_escape("a-b_c.d~e") == "a-b_c.d~e"
    assert query_escape("x+y&z=1%") == "x%2By%26z%3D1%25"


def test_table_link() -> None:
    assert table_link_for_expression("up == 0") == "/graph?g0.expr=up+%3D%3D+0&g0.tab=1"


def test_firing_alert_ends_at_valid_until() -> None:
    [am] = rule_alerts_to_am("up == 0", [rule_alert()], external_url="http://p:9090")
    assert am == Alert(
        labels=Labels.of(alertname="A", job="x"),
        annotations=Labels.of(summary="s"),
        starts_at=2_000 * MS,
        ends_at=9_000 * MS,
        generator_url="http://p:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
    )


def test_resolved_alert_ends_at_resolved_time() -> None:
    [am] = rule_alerts_to_am("up", [rule_alert(resolved_at=5_000)], external_url="")
    assert am.ends_at == 5_000 * MS
    assert am.generator_url == "/graph?g0.expr=up&g0.tab=1"


def test_empty_annotations_are_kept() -> None:
    [am] = rule_alerts_to_am("up", [rule_alert(annotations=(("z", "1"), ("empty", "")))], external_url="")
    assert am.annotations.pairs == (("empty", ""), ("z", "1"))


def test_no_end_is_go_zero_time() -> None:
    [am] = rule_alerts_to_am("up", [rule_alert(valid_until=None)], external_url="")
    assert am.ends_at is None


def test_notify_func_converts_and_skips_empty() -> None:
    got: list[Sequence[Alert]] = []
    notify = make_notify_func(got.append, "http://e")
    notify("up", [])
    assert got == []
    notify("up", [rule_alert(), rule_alert(labels=Labels.of(alertname="B"))])
    assert [a.labels.get("alertname") for a in got[0]] == ["A", "B"]
    assert got[0][0].generator_url == "http://e/graph?g0.expr=up&g0.tab=1"
