"""`inhibit.Inhibitor`: alerts matching a rule's source mute alerts matching its target.

Each rule caches the alerts that match its source matchers. A target is muted when a cached,
unresolved source agrees with it on every `equal` label — and, as in Alertmanager, an alert that
matches both sides of a rule never inhibits itself or another alert that does the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from erpmon.alerting._marker import Marker
from erpmon.alerting._matchers import matches_all
from erpmon.alerting._types import Alert, fingerprint, format_fingerprint
from erpmon.model import Labels, Matcher


@dataclass
class InhibitRuleState:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]
    sources: dict[int, Alert] = field(default_factory=dict)

    def has_equal(self, labels: Labels, exclude_two_sided: bool, now_ns: int) -> int | None:
        for fp, a in self.sources.items():
            if a.resolved_at(now_ns):
                continue
            if any(a.labels.get(n) != labels.get(n) for n in self.equal):
                continue
            if exclude_two_sided and matches_all(self.target, a.labels):
                continue
            return fp
        return None


class Inhibitor:
    def __init__(
        self,
        rules: Sequence[tuple[Sequence[Matcher], Sequence[Matcher], Sequence[str]]],
        marker: Marker,
        now_ns: Callable[[], int],
    ) -> None:
        self._rules = [InhibitRuleState(tuple(s), tuple(t), tuple(e)) for s, t, e in rules]
        self._marker = marker
        self._now_ns = now_ns

    def observe(self, alert: Alert) -> None:
        """The store's subscriber: remember alerts that can inhibit."""
        for rule in self._rules:
            if matches_all(rule.source, alert.labels):
                rule.sources[alert.fingerprint] = alert

    def gc(self) -> None:
        """Forget resolved sources (Alertmanager's per-rule cache GC)."""
        now = self._now_ns()
        for rule in self._rules:
            for fp in [fp for fp, a in rule.sources.items() if a.resolved_at(now)]:
                del rule.sources[fp]

    def mutes(self, labels: Labels) -> bool:
        fp = fingerprint(labels)
        now = self._now_ns()
        for rule in self._rules:
            if not matches_all(rule.target, labels):
                continue
            by = rule.has_equal(labels, matches_all(rule.source, labels), now)
            if by is not None:
                self._marker.set_inhibited(fp, (format_fingerprint(by),))
                return True
        self._marker.set_inhibited(fp)
        return False
