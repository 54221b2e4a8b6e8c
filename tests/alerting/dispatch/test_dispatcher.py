"""The dispatcher and pipeline against Alertmanager 0.25's timing and dedup rules, on a hand-driven clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from erpmon.alerting import Alert
from erpmon.alerting._inhibit import Inhibitor
from erpmon.alerting._marker import ACTIVE, SUPPRESSED, Marker
from erpmon.alerting._nflog import NotificationLog
from erpmon.alerting._store import AlertStore
from erpmon.alerting.dispatch import Dispatcher, FlushContext, Pipeline, Silencer
from erpmon.alerting.routing import Route, RouteOptions
from erpmon.model import Labels, Matcher

S = 1_000_000_000
T0 = 1_700_000_000 * S


@dataclass
class Now:
    ns: int = T0

    def __call__(self) -> int:
        return self.ns


@dataclass(frozen=True)
class Recorder:
    name: str = "webhook"
    index: int = 0
    send_resolved: bool = True
    sent: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    fail: list[bool] = field(default_factory=list)

    async def deliver(self, integration: object, ctx: FlushContext, alerts: Sequence[Alert]) -> bool:
        if self.fail and self.fail.pop(0):
            return False
        now = ctx.now_ns
        self.sent.append(
            (ctx.receiver, ctx.group_key, [(a.labels.get("alertname"), a.status(now)) for a in alerts])
        )
        return True


@dataclass
class NoSilences:
    version: int = 0
    ids: dict[str, Labels] = field(default_factory=dict)

    def mutes(self, labels: Labels, now_ns: int) -> tuple[list[str], list[str]]:
        return [i for i, m in self.ids.items() if all(labels.get(k) == v for k, v in m)], []


class World:
    def __init__(
        self, route: Route, inhibit: list[tuple[list[Matcher], list[Matcher], list[str]]] = ()
    ) -> None:  # type: ignore[assignment]
        self.now = Now()
        self.marker = Marker()
        self.store = AlertStore(self.marker, self.now)
        self.rec = Recorder()
        self.silences = NoSilences()
        self.inhibitor = Inhibitor(inhibit, self.marker, self.now)
        self.nflog = NotificationLog(None, now_ns=self.now)
        pipeline = Pipeline(
            {"r": [self.rec], "other": [self.rec]},
            inhibitor=self.inhibitor,
            silencer=Silencer(self.silences, self.marker, self.now),
            in_intervals=lambda names, now: False,
            nflog=self.nflog,
            deliver=self.rec.deliver,
            now_ns=self.now,
        )
        self.dispatcher = Dispatcher(route, pipeline, now_ns=self.now)
        self.store.subscribe(self.inhibitor.observe)
        self.store.subscribe(self.dispatcher.process)

    def put(self, name: str, *, end: int | None = None, **labels: str) -> None:
        self.store.put(
            [
                Alert(
                    Labels({"alertname": name, **labels}),
                    Labels(),
                    starts_at=self.now.ns,
                    ends_at=end if end is not None else self.now.ns + 300 * S,
                    updated_at=self.now.ns,
                )
            ]
        )

    async def at(self, seconds: float) -> list[tuple[str, str, list[tuple[str, str]]]]:
        self.now.ns = T0 + int(seconds * S)
        before = len(self.rec.sent)
        self.dispatcher.run_due(self.now.ns)
        await self.dispatcher.wait_flushes()
        return self.rec.sent[before:]


def tree(**opts: object) -> Route:
    base = dict(
        receiver="r",
        group_by=frozenset({"alertname"}),
        group_wait_ns=1 * S,
        group_interval_ns=2 * S,
        repeat_interval_ns=6 * S,
    )
    base.update(opts)  # type: ignore[arg-type]
    return Route(RouteOptions(**base))  # type: ignore[arg-type]


async def test_group_wait_then_interval_then_repeat() -> None:
    w = World(tree())
    w.put("A", instance="1")
    assert await w.at(0.5) == []
    assert await w.at(1) == [("r", '{}:{alertname="A"}', [("A", "firing")])]
    w.now.ns = T0 + int(1.5 * S)
    w.put("A", instance="2")
    assert await w.at(2.5) == []  # waits for group_interval, not group_wait
    assert await w.at(3) == [("r", '{}:{alertname="A"}', [("A", "firing"), ("A", "firing")])]
    assert await w.at(5) == []  # nothing new: deduplicated
    assert await w.at(7) == []
    assert await w.at(9) == []  # logged at 3 s: 3 is not before 9 - 6
    assert await w.at(11) == [("r", '{}:{alertname="A"}', [("A", "firing"), ("A", "firing")])]  # repeat


async def test_resolved_alerts_are_sent_once_then_dropped() -> None:
    w = World(tree())
    w.put("A")
    await w.at(1)
    w.now.ns = T0 + int(1.5 * S)
    w.put("A", end=w.now.ns)
    assert await w.at(3) == [("r", '{}:{alertname="A"}', [("A", "resolved")])]
    assert w.dispatcher.groups()[0].empty()
    assert await w.at(5) == []


async def test_a_failed_flush_keeps_resolved_alerts_for_the_next() -> None:
    w = World(tree())
    w.put("A")
    await w.at(1)
    w.now.ns = T0 + int(1.5 * S)
    w.put("A", end=w.now.ns)
    w.rec.fail.append(True)
    assert await w.at(3) == []
    assert not w.dispatcher.groups()[0].empty()
    assert await w.at(5) == [("r", '{}:{alertname="A"}', [("A", "resolved")])]


async def test_old_alert_flushes_at_once() -> None:
    w = World(tree(group_wait_ns=30 * S))
    w.store.put([Alert(Labels({"alertname": "A"}), Labels(), T0 - 60 * S, T0 + 300 * S, updated_at=T0)])
    assert len(await w.at(0)) == 1


async def test_inhibition_mutes_target_but_never_itself() -> None:
    rule = ([Matcher.equal("severity", "critical")], [Matcher.equal("severity", "warning")], ["service"])
    w = World(tree(group_by=frozenset({"alertname", "severity"})), [rule])
    w.put("Hot", severity="critical", service="db")
    w.put("Warm", severity="warning", service="db")
    w.put("Warm", severity="warning", service="web")
    sent = await w.at(1)
    names = sorted((n, len(alerts)) for _, _, alerts in sent for n, _ in alerts[:1])
    assert names == [("Hot", 1), ("Warm", 1)]
    fp_db = Labels({"alertname": "Warm", "severity": "warning", "service": "db"})
    assert w.marker.status(fingerprint_of(fp_db)).state == SUPPRESSED
    # An alert matching both sides does not inhibit its twin.
    both = ([Matcher.equal("team", "x")], [Matcher.equal("team", "x")], [])
    w2 = World(tree(), [both])
    w2.put("Both", team="x", i="1")
    w2.put("Both", team="x", i="2")
    assert len((await w2.at(1))[0][2]) == 2


async def test_silenced_alert_is_marked_and_not_sent() -> None:
    w = World(tree())
    w.silences.ids["s1"] = Labels({"alertname": "A"})
    w.put("A")
    assert await w.at(1) == []
    fp = fingerprint_of(Labels({"alertname": "A"}))
    status = w.marker.status(fp)
    assert (status.state, status.silenced_by) == (SUPPRESSED, ("s1",))
    del w.silences.ids["s1"]
    assert len(await w.at(3)) == 1
    assert w.marker.status(fp).state == ACTIVE


async def test_continue_sends_to_every_matching_route() -> None:
    root = tree()
    first = Route(
        RouteOptions(receiver="r", group_wait_ns=1 * S, group_interval_ns=2 * S, repeat_interval_ns=6 * S),
        (Matcher.equal("team", "a"),),
        True,
        parent=root,
    )
    second = Route(
        RouteOptions(
            receiver="other", group_wait_ns=1 * S, group_interval_ns=2 * S, repeat_interval_ns=6 * S
        ),
        (Matcher.regex("team", "a|b"),),
        parent=root,
    )
    root.routes = [first, second]
    w = World(root)
    w.put("A", team="a")
    keys = sorted(k for _, k, _ in await w.at(1))
    assert keys == ['{}/{team="a"}:{}', '{}/{team=~"a|b"}:{}']


async def test_nflog_survives_restart(tmp_path: object) -> None:
    path = f"{tmp_path}/nflog"
    now = Now()
    log1 = NotificationLog(path, now_ns=now)
    log1.log("r/webhook/0", "{}:{}", frozenset({1, 2}), frozenset(), 12 * S)
    log1.close()
    with open(path, "a") as f:
        f.write('{"torn": ')  # a crash mid-write
    log2 = NotificationLog(path, now_ns=now)
    entry = log2.query("{}:{}", "r/webhook/0")
    assert entry is not None and entry.firing == {1, 2}
    log2.close()


@pytest.mark.parametrize(
    ("labels", "key"),
    [
        ({"a": "1", "a0": "2"}, '{a0="2", a="1"}'),  # Go sorts the printed pairs, not the names
        ({"x": 'q"uo\n'}, '{x="q\\"uo\\n"}'),
    ],
)
def test_group_key_prints_labels_as_go(labels: dict[str, str], key: str) -> None:
    from erpmon.alerting._labelset import labelset_string

    assert labelset_string(Labels(labels)) == key


def fingerprint_of(labels: Labels) -> int:
    from erpmon.alerting import fingerprint

    return fingerprint(labels)
