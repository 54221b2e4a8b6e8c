"""The route tree as 0.25's `dispatch.NewRoute` builds it: defaults, inheritance, sorted matchers, keys."""

from __future__ import annotations

from erpmon.alerting.config import parse_alertmanager_config
from erpmon.alerting.routing import DEFAULT_OPTIONS, Route
from erpmon.model import Labels

NS = 1_000_000_000
RECEIVERS = "receivers: [{name: r}, {name: s}, {name: t}]\n"


def tree(route_yaml: str) -> Route:
    intervals = "time_intervals: [{name: w, time_intervals: []}]\n"
    return parse_alertmanager_config("route:\n" + route_yaml + intervals + RECEIVERS).route


def test_defaults_at_the_root() -> None:
    root = tree("  receiver: r\n")
    assert (root.options.group_wait_ns, root.options.group_interval_ns, root.options.repeat_interval_ns) == (
        30 * NS,
        300 * NS,
        4 * 3600 * NS,
    )
    assert root.options == DEFAULT_OPTIONS.__class__(receiver="r")
    assert root.matchers == () and root.parent is None and root.key() == "{}"


def test_children_inherit_what_they_do_not_set() -> None:
    root = tree(
        "  receiver: r\n  group_by: [a, b]\n  group_wait: 1s\n  repeat_interval: 2h\n"
        "  routes:\n"
        "    - matchers: ['x=\"1\"']\n"
        "      group_interval: 7m\n"
        "      mute_time_intervals: [w]\n"
        "      routes:\n"
        "        - {receiver: s, matchers: ['y=\"2\"'], group_by: [c]}\n"
    )
    child = root.routes[0]
    grandchild = child.routes[0]
    assert child.options.receiver == "r" and child.options.group_by == frozenset({"a", "b"})
    assert (child.options.group_wait_ns, child.options.group_interval_ns) == (1 * NS, 420 * NS)
    assert child.options.repeat_interval_ns == 2 * 3600 * NS
    assert child.options.mute_time_intervals == ("w",)
    # Time intervals are the route's own, never inherited.
    assert grandchild.options.mute_time_intervals == ()
    assert grandchild.options.receiver == "s" and grandchild.options.group_by == frozenset({"c"})
    assert grandchild.options.group_interval_ns == 420 * NS
    assert grandchild.parent is child and child.parent is root


def test_group_by_wildcard_and_empty_lists() -> None:
    root = tree(
        "  receiver: r\n  group_by: [a]\n"
        "  routes:\n"
        "    - matchers: ['x=\"1\"']\n      group_by: ['...']\n"
        "      routes: [{matchers: ['y=\"1\"'], group_by: [b]}, {matchers: ['y=\"2\"']}]\n"
        "    - matchers: ['x=\"2\"']\n      group_by: []\n"
    )
    wildcard, empty = root.routes
    # `'...'` groups by every label and keeps the parent's list (NewRoute leaves GroupBy alone).
    assert wildcard.options.group_by_all and wildcard.options.group_by == frozenset({"a"})
    labelled, inheriting = wildcard.routes
    assert not labelled.options.group_by_all and labelled.options.group_by == frozenset({"b"})
    assert inheriting.options.group_by_all
    # An empty list inherits.
    assert empty.options.group_by == frozenset({"a"}) and not empty.options.group_by_all
    labels = Labels({"a": "1", "b": "2", "x": "1", "y": "2"})
    assert inheriting.group_labels(labels) == labels
    assert root.group_labels(labels) == Labels({"a": "1"})


def test_matchers_merged_sorted_and_keyed() -> None:
    root = tree(
        "  receiver: r\n  routes:\n"
        "    - match: {z: '1', a: '2'}\n"
        "      match_re: {m: 'x|y'}\n"
        "      matchers: ['b!=\"3\"', 'a=~\"2\"']\n"
        "      routes: [{matchers: ['q=\"\"']}]\n"
    )
    child = root.routes[0]
    # By name, then value, then operator; match_re keeps 0.25's anchored form.
    assert [str(m) for m in child.matchers] == ['a="2"', 'a=~"2"', 'b!="3"', 'm=~"^(?:x|y)$"', 'z="1"']
    assert child.key() == '{}/{a="2",a=~"2",b!="3",m=~"^(?:x|y)$",z="1"}'
    assert child.routes[0].key() == child.key() + '/{q=""}'


def test_match_is_depth_first_with_continue() -> None:
    root = tree(
        "  receiver: r\n  routes:\n"
        "    - matchers: ['a=\"1\"']\n      receiver: s\n      continue: true\n"
        "      routes: [{matchers: ['b=\"1\"'], receiver: t}]\n"
        "    - matchers: ['a=~\"1|2\"']\n      receiver: t\n"
        "    - matchers: ['a=~\".*\"']\n      receiver: s\n"
    )
    first, second, third = root.routes

    def receivers(**labels: str) -> list[str]:
        return [r.options.receiver for r in root.match(Labels(labels))]

    assert root.match(Labels({"a": "1", "b": "1"})) == [first.routes[0], second]
    assert receivers(a="1") == ["s", "t"]
    assert receivers(a="2") == ["t"]
    assert root.match(Labels({"a": "3"})) == [third]  # `.*` also matches a missing label
    assert root.match(Labels({})) == [third]
    assert first.match(Labels({"a": "2"})) == []


def test_walk_is_depth_first() -> None:
    root = tree(
        "  receiver: r\n  routes:\n    - {receiver: s, routes: [{receiver: t}]}\n    - {receiver: r}\n"
    )
    assert [r.options.receiver for r in root.walk()] == ["r", "s", "t", "r"]
