"""`Silence` and `Silences` (silence/silence.go), persisted as one JSON file."""

from __future__ import annotations

import dataclasses
import json
import os
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Summary

from erpmon.alerting._matchers import matcher_from_flags, matcher_to_api, matches_all
from erpmon.model import Labels, Matcher, RegexError

log = structlog.get_logger("erpmon.alerting.silences")

PENDING, ACTIVE, EXPIRED = "pending", "active", "expired"
RETENTION_NS = 120 * 3600 * 1_000_000_000


class SilenceError(ValueError):
    """A silence Alertmanager would refuse; the message is 0.25's."""


class SilenceNotFound(KeyError):
    def __str__(self) -> str:
        return "silence not found"


@dataclass(frozen=True)
class Silence:
    id: str
    matchers: tuple[Matcher, ...]
    starts_at: int
    ends_at: int
    updated_at: int = 0
    created_by: str = ""
    comment: str = ""

    def state(self, now_ns: int) -> str:
        if now_ns < self.starts_at:
            return PENDING
        if now_ns > self.ends_at:
            return EXPIRED
        return ACTIVE

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "matchers": [matcher_to_api(m) for m in self.matchers],
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "updated_at": self.updated_at,
            "created_by": self.created_by,
            "comment": self.comment,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Silence:
        matchers = tuple(
            matcher_from_flags(
                str(m["name"]),
                str(m["value"]),
                is_regex=bool(m["isRegex"]),
                is_equal=bool(m.get("isEqual", True)),
            )
            for m in d["matchers"]
        )
        return cls(
            str(d["id"]),
            matchers,
            int(d["starts_at"]),
            int(d["ends_at"]),
            int(d["updated_at"]),
            str(d["created_by"]),
            str(d["comment"]),
        )


def validate(s: Silence) -> None:
    """`validateSilence`."""
    if not s.matchers:
        raise SilenceError("at least one matcher required")
    if all(m.matches_empty() for m in s.matchers):
        raise SilenceError("at least one matcher must not match the empty string")
    if not s.starts_at:
        raise SilenceError("invalid zero start timestamp")
    if not s.ends_at:
        raise SilenceError("invalid zero end timestamp")
    if s.ends_at < s.starts_at:
        raise SilenceError("end time must not be before start time")


class Silences:
    def __init__(
        self,
        path: str | None,
        *,
        now_ns: Callable[[], int] = time.time_ns,
        retention_ns: int = RETENTION_NS,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._path = path
        self._now_ns = now_ns
        self._retention_ns = retention_ns
        self._silences: dict[str, Silence] = {}
        self._version = 0
        self._queries = Counter(
            "erpmon_silences_queries_total", "How many silence queries were received.", registry=registry
        )
        self._gc_duration = Summary(
            "erpmon_silences_gc_duration_seconds", "Duration of the last silence GC.", registry=registry
        )
        self._snapshot_size = Gauge(
            "erpmon_silences_snapshot_size_bytes", "Size of the last silence snapshot.", registry=registry
        )
        states = Gauge("erpmon_silences", "How many silences by state.", ["state"], registry=registry)
        for state in (PENDING, ACTIVE, EXPIRED):
            states.labels(state).set_function(lambda st=state: self._count(st))  # type: ignore[misc]
        if path is not None:
            self._load(path)

    @property
    def version(self) -> int:
        return self._version

    def _count(self, state: str) -> int:
        now = self._now_ns()
        return sum(1 for s in self._silences.values() if s.state(now) == state)

    # -- changes ----------------------------------------------------------------------------------

    def set(self, s: Silence) -> str:
        """Create (empty id) or update a silence; an update that 0.25 does not allow in place
        expires the old silence and creates a new one."""
        now = self._now_ns()
        prev = self._silences.get(s.id) if s.id else None
        if s.id and prev is None:
            raise SilenceNotFound(s.id)
        if prev is not None:
            if _can_update(prev, s, now):
                self._store(dataclasses.replace(s, updated_at=now))
                return s.id
            if prev.state(now) != EXPIRED:
                self._expire(prev, now)
        new = dataclasses.replace(s, id=str(uuid.uuid4()), starts_at=max(s.starts_at, now), updated_at=now)
        self._store(new)
        return new.id

    def expire(self, sid: str) -> None:
        s = self._silences.get(sid)
        if s is None:
            raise SilenceNotFound(sid)
        self._expire(s, self._now_ns())

    def _expire(self, s: Silence, now: int) -> None:
        state = s.state(now)
        if state == EXPIRED:
            return
        if state == ACTIVE:
            s = dataclasses.replace(s, ends_at=now, updated_at=now)
        else:
            s = dataclasses.replace(s, starts_at=now, ends_at=now, updated_at=now)
        self._store(s)

    def _store(self, s: Silence) -> None:
        validate(s)
        self._silences[s.id] = s
        self._version += 1
        self._persist()

    # -- reads ------------------------------------------------------------------------------------

    def get(self, sid: str) -> Silence:
        s = self._silences.get(sid)
        if s is None:
            raise SilenceNotFound(sid)
        return s

    def query(
        self, *, ids: Collection[str] | None = None, states: Collection[str] | None = None
    ) -> list[Silence]:
        self._queries.inc()
        now = self._now_ns()
        return [
            s for s in self._silences.values()
            if (ids is None or s.id in ids) and (states is None or s.state(now) in states)
        ]  # fmt: skip

    def mutes(self, labels: Labels, now_ns: int) -> tuple[list[str], list[str]]:
        active: list[str] = []
        pending: list[str] = []
        for s in self._silences.values():
            state = s.state(now_ns)
            if state == EXPIRED or not matches_all(s.matchers, labels):
                continue
            (active if state == ACTIVE else pending).append(s.id)
        return active, pending

    def gc(self, now_ns: int) -> int:
        started = time.monotonic()
        gone = [sid for sid, s in self._silences.items() if s.ends_at + self._retention_ns < now_ns]
        for sid in gone:
            del self._silences[sid]
        if gone:
            self._version += 1
            self._persist()
        self._gc_duration.observe(time.monotonic() - started)
        return len(gone)

    # -- the file ---------------------------------------------------------------------------------

    def _persist(self) -> None:
        if self._path is None:
            return
        data = json.dumps({"silences": [s.to_json() for s in self._silences.values()]}).encode()
        tmp = self._path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self._path)
        dfd = os.open(os.path.dirname(os.path.abspath(self._path)), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        self._snapshot_size.set(len(data))

    def _load(self, path: str) -> None:
        try:
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
            loaded = [Silence.from_json(d) for d in raw["silences"]]
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError, RegexError) as err:
            aside = f"{path}.corrupt-{int(time.time())}"
            os.replace(path, aside)
            log.error(
                "silences file unreadable; moved aside, starting without silences",
                path=path,
                moved_to=aside,
                err=str(err),
            )
            return
        self._silences = {s.id: s for s in loaded}
        self._version += 1


def _can_update(a: Silence, b: Silence, now: int) -> bool:
    """`canUpdate`: same matchers, and the change keeps the silence's history truthful."""
    if a.matchers != b.matchers:
        return False
    state = a.state(now)
    if state == ACTIVE:
        return b.starts_at // 1_000_000_000 == a.starts_at // 1_000_000_000 and b.ends_at >= now
    if state == PENDING:
        return b.starts_at >= now
    return False
