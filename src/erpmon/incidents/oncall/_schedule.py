"""On-call schedules: rotations in a time zone, layers and overrides, answered as PagerDuty does.

A layer's shift k starts on local date `start + k * rotation_days` at the local `handoff` time and
lasts until shift k+1 starts, so a daily 09:00 handoff stays at 09:00 across a DST change (that
shift is 23 or 25 hours long). A handoff time that falls into a spring-forward gap resolves as
zoneinfo's fold=0 does (02:30 in a 02:00-03:00 gap becomes 03:30 local, i.e. the instant one hour
after 01:30). Priority: the last-listed active override, else the last-listed layer that covers
the instant (a layer with restrictions covers only instants inside one of them), else nobody.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from erpmon.alerting.timeinterval import TimeInterval

MINUTE_MS = 60_000
MAX_SCAN_MS = 62 * 24 * 3_600_000  # how far on_call looks for the end of an answer


@dataclass(frozen=True)
class Layer:
    name: str
    members: tuple[str, ...]
    rotation_days: int
    handoff: dt.time
    start: dt.date
    restrictions: tuple[TimeInterval, ...] = ()

    def shift_start_ms(self, k: int, zone: ZoneInfo) -> int:
        day = self.start + dt.timedelta(days=k * self.rotation_days)
        local = dt.datetime.combine(day, self.handoff, tzinfo=zone)
        return int(local.timestamp() * 1000)

    def shift_index(self, at_ms: int, zone: ZoneInfo) -> int | None:
        """The shift covering `at_ms` by the rotation alone (restrictions aside); None before the start."""
        local_day = dt.datetime.fromtimestamp(at_ms / 1000, tz=zone).date()
        k = (local_day - self.start).days // self.rotation_days
        # The local date is a guess near the answer; step to the shift whose span holds at_ms.
        while k >= 0 and self.shift_start_ms(k, zone) > at_ms:
            k -= 1
        while self.shift_start_ms(k + 1, zone) <= at_ms:
            k += 1
        return k if k >= 0 else None

    def covers(self, at_ms: int) -> bool:
        return not self.restrictions or any(r.contains(at_ms * 1_000_000) for r in self.restrictions)

    def person_at(self, at_ms: int, zone: ZoneInfo) -> str | None:
        k = self.shift_index(at_ms, zone)
        if k is None or not self.covers(at_ms):
            return None
        return self.members[k % len(self.members)]


@dataclass(frozen=True)
class Override:
    person: str
    start_ms: int  # [start_ms, end_ms)
    end_ms: int


@dataclass(frozen=True)
class Shift:
    person: str
    start_ms: int
    end_ms: int
    source: str  # "override" or the layer's name


@dataclass(frozen=True)
class Schedule:
    name: str
    time_zone: str
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def _answer(self, at_ms: int) -> tuple[str, str] | None:
        for o in reversed(self.overrides):
            if o.start_ms <= at_ms < o.end_ms:
                return o.person, "override"
        zone = self.zone
        for layer in reversed(self.layers):
            person = layer.person_at(at_ms, zone)
            if person is not None:
                return person, layer.name
        return None

    def _edges(self, after_ms: int, until_ms: int) -> list[int]:
        """Instants in (after_ms, until_ms] where the answer may change: handoffs, override ends,
        and minute boundaries inside restricted layers (time intervals change on minutes)."""
        zone = self.zone
        edges: set[int] = set()
        for o in self.overrides:
            edges.update(t for t in (o.start_ms, o.end_ms) if after_ms < t <= until_ms)
        for layer in self.layers:
            k = layer.shift_index(after_ms, zone)
            k = 0 if k is None else k + 1
            while (t := layer.shift_start_ms(k, zone)) <= until_ms:
                if t > after_ms:
                    edges.add(t)
                k += 1
            if layer.restrictions:
                first = (after_ms // MINUTE_MS + 1) * MINUTE_MS
                edges.update(range(first, until_ms + 1, MINUTE_MS))
        return sorted(edges)

    def _span_end(self, at_ms: int, answer: tuple[str, str] | None) -> int:
        until = at_ms + MAX_SCAN_MS
        for t in self._edges(at_ms, until):
            if self._answer(t) != answer:
                return t
        return until

    def _span_start(self, at_ms: int, answer: tuple[str, str] | None) -> int:
        """Walk back over the edges of the last two rotations at most to find where this answer began."""
        lookback = max((layer.rotation_days for layer in self.layers), default=1) * 86_400_000 * 2
        start = at_ms
        for t in reversed(self._edges(at_ms - lookback, at_ms)):
            if self._answer(t - 1) != answer:
                return t
            start = t
        return start

    def on_call(self, at_ms: int) -> Shift | None:
        answer = self._answer(at_ms)
        if answer is None:
            return None
        return Shift(answer[0], self._span_start(at_ms, answer), self._span_end(at_ms, answer), answer[1])

    def upcoming(self, at_ms: int, count: int) -> list[Shift]:
        """The shift at `at_ms` (if anyone is on call) and the next ones, in order."""
        out: list[Shift] = []
        t = at_ms
        while len(out) < count and t < at_ms + MAX_SCAN_MS:
            answer = self._answer(t)
            end = self._span_end(t, answer)
            if answer is not None:
                start = self._span_start(t, answer) if not out else t
                out.append(Shift(answer[0], start, end, answer[1]))
            t = end
        return out
