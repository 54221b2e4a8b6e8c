"""A rule harness over the real embedded store and engine, driven by a fake clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from erpmon.clock import FakeClock
from erpmon.model import Labels, Matcher, MatchType, is_stale_nan
from erpmon.promql import Engine
from erpmon.rules import Alert, AlertingRule, Group, ManagerOptions, RuleManager, RulesConfig
from erpmon.tsdb import TSDB, TSDBOptions

T0 = 1_700_000_040_000  # a multiple of a minute, so aligned evaluations are easy to reason about


@dataclass
class Harness:
    db: TSDB
    clock: FakeClock
    dir: Path
    sent: list[tuple[str, list[Alert]]] = field(default_factory=list)
    manager: RuleManager | None = None

    def start(
        self, rules: str, *, interval: str = "1m", options: ManagerOptions | None = None
    ) -> RuleManager:
        path = self.dir / "rules.yml"
        path.write_text(rules)
        from erpmon.config import parse_duration

        engine = Engine(self.db)
        self.manager = RuleManager(
            engine.instant_vector,
            self.db,
            self.db,
            self.clock,
            notify=lambda expr, alerts: self.sent.append((expr, list(alerts))),
            options=options,
        )
        self.manager.load(self.config(path, parse_duration(interval)))
        return self.manager

    def config(self, path: Path, interval_ms: int) -> RulesConfig:
        return RulesConfig(
            files=(str(path),),
            evaluation_interval_ms=interval_ms,
            external_labels=Labels.of(cluster="eu1"),
            external_url="http://erpmon.example:9090/",
        )

    def reload(self, rules: str, interval_ms: int = 60_000) -> None:
        assert self.manager is not None
        path = self.dir / "rules.yml"
        path.write_text(rules)
        self.manager.load(self.config(path, interval_ms))

    def group(self, index: int = 0) -> Group:
        assert self.manager is not None
        return self.manager.groups()[index]

    def alerting_rule(self, name: str) -> AlertingRule:
        assert self.manager is not None
        return next(r for r in self.manager.alerting_rules() if r.name == name)

    def write(self, metric: str, t_ms: int, value: float, **labels: str) -> None:
        app = self.db.appender()
        lset = Labels({"__name__": metric, **labels})
        app.append(app.ref(lset), lset, t_ms, value)
        app.commit()

    def write_many(self, points: Sequence[tuple[int, float]], metric: str, **labels: str) -> None:
        for t, v in points:
            self.write(metric, t, v, **labels)

    def series(self, metric: str, **labels: str) -> dict[Labels, list[tuple[int, float]]]:
        """Every stored sample of the matching series; stale markers show as the string 'stale'."""
        matchers = [Matcher(MatchType.EQUAL, "__name__", metric)]
        matchers += [Matcher(MatchType.EQUAL, k, v) for k, v in labels.items()]
        q = self.db.querier(0, 2**62)
        try:
            out: dict[Labels, list[tuple[int, float]]] = {}
            for s in q.select(matchers):
                stale = is_stale_nan(s.values)
                assert isinstance(stale, np.ndarray)
                out[s.labels] = [
                    (int(t), "stale" if st else float(v))  # type: ignore[misc]
                    for t, v, st in zip(s.timestamps, s.values, stale, strict=True)
                ]
            return out
        finally:
            q.close()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    db = TSDB.open(tmp_path / "db", TSDBOptions(wal_fsync="never"))
    try:
        yield Harness(db, FakeClock(T0), tmp_path)
    finally:
        db.close()
